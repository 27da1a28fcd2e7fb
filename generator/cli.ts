#!/usr/bin/env node
/**
 * `arazzo-effect generate <files or dirs...> --out <dir> [--check] [--source name=file]`
 * Diagnostics go to stderr as `file:line:col: severity CODE message`. Exit 0 on success,
 * 1 when a document has errors (or `--check` finds stale files), 2 on usage errors.
 */
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { formatForTerminal, hasErrors } from "./diagnostics.js"
import { findDocuments, generate, staleFiles, writeFiles } from "./index.js"

const USAGE = `Usage: arazzo-effect generate <files or directories...> --out <dir> [--check] [--source name=file]...

Compiles Arazzo 1.0.x documents into typed Effect programs, one module per document.

  --out <dir>           where the modules and index.ts are written (required)
  --check               write nothing; exit 1 when <dir> is not what generation would write
  --source name=file    use a local file for the source description \`name\`
  -h, --help            this text

Examples:
  arazzo-effect generate specs --out generated
  arazzo-effect generate api.arazzo.yaml --out src/generated --source petStore=./openapi.yaml`

const fail = (message: string): never => {
  process.stderr.write(`${message}\n\n${USAGE}\n`)
  process.exit(2)
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: "string" },
      check: { type: "boolean", default: false },
      source: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const [command, ...inputs] = positionals
  if (command !== "generate") return fail(command === undefined ? "No command given." : `Unknown command \`${command}\`.`)
  if (inputs.length === 0) return fail("No files or directories given.")
  if (values.out === undefined) return fail("--out <dir> is required.")
  const sources: Record<string, string> = {}
  for (const pair of values.source ?? []) {
    const [name, file] = pair.split("=", 2)
    if (!name || !file) return fail(`--source takes name=file, not \`${pair}\`.`)
    sources[name] = file
  }
  const started = performance.now()
  const files = await findDocuments(inputs).catch((cause: unknown) => fail(String(cause instanceof Error ? cause.message : cause)))
  const result = await generate(files, { outDir: values.out, sources })
  for (const line of formatForTerminal(result.diagnostics)) process.stderr.write(`${line}\n`)
  const outDir = path.resolve(values.out)
  const elapsed = `${Math.round(performance.now() - started)} ms`
  if (values.check) {
    const stale = await staleFiles(outDir, result.files)
    if (stale.length > 0) {
      process.stderr.write(`${values.out} is stale; run \`npm run generate\`. Differs: ${stale.join(", ")}\n`)
      return 1
    }
    process.stdout.write(`${values.out} is up to date (${result.documents.length} documents, ${elapsed})\n`)
    return hasErrors(result.diagnostics) ? 1 : 0
  }
  const changed = await writeFiles(outDir, result.files)
  const failed = files.length - result.documents.length
  process.stdout.write(
    `generated ${result.documents.length} of ${files.length} documents into ${values.out} in ${elapsed}` +
      `${changed.length > 0 ? `; changed: ${changed.join(", ")}` : "; nothing changed"}` +
      `${failed > 0 ? `; ${failed} with errors` : ""}\n`
  )
  return hasErrors(result.diagnostics) ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (cause: unknown) => {
    process.stderr.write(`arazzo-effect: internal error: ${cause instanceof Error ? cause.stack : String(cause)}\n`)
    process.exit(70)
  }
)
