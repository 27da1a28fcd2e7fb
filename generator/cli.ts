#!/usr/bin/env node
/**
 * The `arazzo-effect` command (generator/cli/main.ts). `--version` is answered here, and `check`
 * in its plain forms (generator/cli/check-fast.ts), before the rest of the CLI loads: loading it
 * takes most of a second, printing a version a few milliseconds.
 */
import { readFileSync } from "node:fs"
import * as module from "node:module"
import { packageJsonPath } from "./cli/package-root.js" // Node 22.1+ keeps the compiled code of the CLI's modules between runs (a no-op on older Nodes).
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${(JSON.parse(readFileSync(packageJsonPath(), "utf8")) as { version: string }).version}\n`)
} else {
  // The compiler's worker starts now, loading on another core while this thread loads the CLI.
  const command = args[0]
  if (command === "check" || command === "generate") (await import("./cli/compiler-start.js")).startEarly(command)
  // `check` in its plain forms needs none of the rest (./cli/check-fast.ts); anything else, the full CLI.
  const done = command === "check" && await (await import("./cli/check-fast.js")).checkFast(args.slice(1))
  if (!done) await import("./cli/main.js")
}
