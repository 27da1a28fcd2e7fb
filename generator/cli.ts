#!/usr/bin/env node
/**
 * `arazzo-effect generate <files or dirs...> --out <dir> [--check] [--source name=file]`
 * `arazzo-effect check <files or dirs...> [--format text|json] [--source name=file]`
 * Diagnostics are `file:line:col: severity CODE message`. Exit 0 when clean (warnings allowed),
 * 1 when a document has errors (or `--check` finds stale files), 2 on usage errors.
 */
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { checkDocument } from "./check.js"
import { type Diagnostic, formatDiagnostic, formatForTerminal, hasErrors } from "./diagnostics.js"
import { findDocuments, generate, staleFiles, writeFiles } from "./index.js"

const USAGE = `Usage:
  arazzo-effect generate <files or directories...> --out <dir> [--check] [--source name=file]...
  arazzo-effect check <files or directories...> [--format text|json] [--source name=file]...

generate   compiles Arazzo 1.0.x documents into typed Effect programs, one module per document
check      reports what is wrong with documents: structure (the Arazzo 1.0 JSON Schema) and meaning

  --out <dir>           where the modules and index.ts are written (generate; required)
  --check               write nothing; exit 1 when <dir> is not what generation would write
  --format text|json    how check prints its findings (default text)
  --source name=file    use a local file for the source description \`name\`
  -h, --help            this text

Exit codes: 0 clean (warnings allowed), 1 errors found (or stale output), 2 usage error.

Examples:
  arazzo-effect generate specs --out generated
  arazzo-effect generate api.arazzo.yaml --out src/generated --source petStore=./openapi.yaml
  arazzo-effect check specs --format json`

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
      format: { type: "string", default: "text" },
      source: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false }
    }
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const [command, ...inputs] = positionals
  if (command !== "generate" && command !== "check") {
    return fail(command === undefined ? "No command given." : `Unknown command \`${command}\`.`)
  }
  if (inputs.length === 0) return fail("No files or directories given.")
  if (command === "generate" && values.out === undefined) return fail("--out <dir> is required.")
  if (values.format !== "text" && values.format !== "json") return fail(`--format is text or json, not \`${values.format}\`.`)
  const sources: Record<string, string> = {}
  for (const pair of values.source ?? []) {
    const [name, file] = pair.split("=", 2)
    if (!name || !file) return fail(`--source takes name=file, not \`${pair}\`.`)
    sources[name] = file
  }
  const started = performance.now()
  const files = await findDocuments(inputs).catch((cause: unknown) => fail(String(cause instanceof Error ? cause.message : cause)))
  if (command === "check") return check(files, values.format, sources)
  if (values.out === undefined) return 2
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

const check = async (files: ReadonlyArray<string>, format: string, sources: Record<string, string>): Promise<number> => {
  const diagnostics: Array<Diagnostic> = []
  for (const file of files) diagnostics.push(...(await checkDocument(file, { sources })))
  const errors = diagnostics.filter((d) => d.severity === "error").length
  if (format === "json") {
    process.stdout.write(`${JSON.stringify({ files: files.length, errors, warnings: diagnostics.length - errors, diagnostics }, null, 2)}\n`)
  } else {
    for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`)
    process.stdout.write(`checked ${files.length} document(s): ${errors} error(s), ${diagnostics.length - errors} warning(s)\n`)
  }
  return hasErrors(diagnostics) ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (cause: unknown) => {
    process.stderr.write(`arazzo-effect: internal error: ${cause instanceof Error ? cause.stack : String(cause)}\n`)
    process.exit(70)
  }
)
