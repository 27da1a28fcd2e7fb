/**
 * `check` without loading the rest of the CLI. Effect, @effect/cli and the other commands are
 * most of a second of module loading, and `check` uses none of them: it reads its options, hands
 * the documents to the compiler worker and prints what comes back. So the entry (generator/cli.ts)
 * tries this first, for a command line in the plain forms below; anything else (help, an unknown
 * or malformed option, a path that does not exist, a worker that failed) is left to the full
 * CLI (./check-command.ts), which then reports it as it always has. For the command lines taken
 * here the output and exit code are the full CLI's (test/cli/check-fast.test.ts compares them).
 *
 *   check <path>... [--format text|json] [--source name=file]... [--allow-root dir]... [--limit name=n]...
 *
 * with each option as `--name value` (and `--format=value`), in any order among the paths.
 */
import { existsSync, statSync } from "node:fs"
import { type Diagnostic, formatDiagnostic, hasErrors } from "../diagnostics.js"
import { isLimitName, type Limits, parseLimitValue } from "../load/limits.js"
import { stripAnsi, wantsColour } from "./ansi.js"
import { workerFor } from "./compiler-start.js"
import type { Tasks } from "./compiler-tasks.js"
import { pairRecord, splitPair } from "./pair-split.js"

/** The options of a command line this path takes, as ./check-command.ts reads them. */
export interface CheckLine {
  readonly documents: ReadonlyArray<string>
  readonly format: "text" | "json"
  readonly sources: Record<string, string>
  readonly allowRoots: ReadonlyArray<string>
  readonly limits: Partial<Limits>
}

const isDirectory = (file: string): boolean => {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

/** The command line after `check`, when it has one of the plain forms; `undefined` otherwise. */
export const readCheckLine = (args: ReadonlyArray<string>): CheckLine | undefined => {
  const documents: Array<string> = []
  let format: "text" | "json" | undefined
  const sources: Array<string> = []
  const allowRoots: Array<string> = []
  const limits: Partial<Record<keyof Limits, number>> = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith("-")) {
      if (arg === "" || !existsSync(arg)) return undefined
      documents.push(arg)
      continue
    }
    // `--format=json` too; @effect/cli reads no `=` form for the repeatable options.
    const equals = arg.startsWith("--format=") ? "--format".length : -1
    const name = equals === -1 ? arg : arg.slice(0, equals)
    const value = equals === -1 ? args[++i] : arg.slice(equals + 1)
    if (value === undefined || value === "" || value.startsWith("-")) return undefined
    switch (name) {
      case "--format":
        if (format !== undefined || (value !== "text" && value !== "json")) return undefined
        format = value
        break
      case "--source":
        if (splitPair({ option: "source", shape: "name=file" }, value) === undefined) return undefined
        sources.push(value)
        break
      case "--allow-root":
        if (!isDirectory(value)) return undefined
        allowRoots.push(value)
        break
      case "--limit": {
        const pair = splitPair({ option: "limit", shape: "name=n" }, value)
        const n = pair === undefined ? undefined : parseLimitValue(pair.value)
        if (pair === undefined || !isLimitName(pair.name) || n === undefined) return undefined
        limits[pair.name] = n
        break
      }
      default:
        return undefined
    }
  }
  if (documents.length === 0) return undefined
  const pairs = sources.map((text) => splitPair({ option: "source", shape: "name=file" }, text)!)
  return { documents, format: format ?? "text", sources: pairRecord(pairs), allowRoots, limits }
}

type CheckResult = Awaited<ReturnType<Tasks["check"]>>

/** The worker's answer; `undefined` when it failed (the full CLI then reports the failure). */
const checkInWorker = (line: CheckLine): Promise<CheckResult | undefined> =>
  new Promise((resolve) => {
    const worker = workerFor("check", [line.documents, {
      sources: line.sources,
      allowRoots: line.allowRoots,
      limits: line.limits
    }])
    // As the full CLI answers a signal: the worker stops wherever it is, the exit code says which.
    const stopOn = (signal: "SIGINT" | "SIGTERM", code: number) => {
      const stop = () => void worker.terminate().finally(() => process.exit(code))
      process.once(signal, stop)
      return () => process.off(signal, stop)
    }
    const unlisten = [stopOn("SIGINT", 130), stopOn("SIGTERM", 143)]
    let settled = false
    const settle = (result: CheckResult | undefined) => {
      if (settled) return
      settled = true
      for (const off of unlisten) off()
      void worker.terminate()
      resolve(result)
    }
    worker.once("message", (message: { ok: boolean; value?: unknown }) =>
      settle(message.ok ? message.value as CheckResult : undefined))
    worker.once("error", () =>
      settle(undefined))
    worker.once("exit", () => settle(undefined))
  })

const out = (text: string): void => console.log(wantsColour(process.stdout) ? text : stripAnsi(text))

/** Runs `check` for `args` (after `check`); `false` when the full CLI must (nothing printed then). */
export const checkFast = async (args: ReadonlyArray<string>): Promise<boolean> => {
  const line = readCheckLine(args)
  if (line === undefined) return false
  const checked = await checkInWorker(line)
  if (checked === undefined) return false
  if ("_tag" in checked) {
    const text = `arazzo-effect: ${checked.message}`
    console.error(wantsColour(process.stderr) ? text : stripAnsi(text))
    process.exitCode = 2
    return true
  }
  const { files, diagnostics } = checked
  const errors = diagnostics.filter((d: Diagnostic) => d.severity === "error").length
  const warnings = diagnostics.length - errors
  if (line.format === "json") {
    out(JSON.stringify({ files: files.length, errors, warnings, diagnostics }, null, 2))
  } else {
    for (const d of diagnostics) out(formatDiagnostic(d))
    out(`checked ${files.length} document(s): ${errors} error(s), ${warnings} warning(s)`)
  }
  process.exitCode = hasErrors(diagnostics) ? 1 : 0
  return true
}
