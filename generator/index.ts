/**
 * The generator's API: Arazzo documents in, one TypeScript module per document (plus a barrel)
 * and diagnostics out. Nothing is emitted for a document with errors.
 */
import { open, readdir, realpath, stat } from "node:fs/promises"
import * as path from "node:path"
import { type Analysis, analyzeDocument, type AnalyzeOptions, checkDocument } from "./check.js"
import { type Diagnostic, sortDiagnostics, uniqueDiagnostics } from "./diagnostics.js"
import type { EffectLine } from "./emit/dialect.js"
import { emitBarrel, emitModule, type EmittedFile } from "./emit/module.js"
import type { LoadOptions } from "./load/document.js"
import { readRegularFile } from "./load/files.js"
import { limitsFrom } from "./load/limits.js"
import { parseYaml } from "./load/yaml.js"
import type { DocumentIR } from "./lower/ir.js"

export { analyzeDocument, checkDocument }
export { type Diagnostic, formatDiagnostic } from "./diagnostics.js"
export type * from "./lower/ir.js"
export { removeObsolete, writeFiles } from "./output.js"
import { earlierModules } from "./output.js"

export interface GenerateOptions extends AnalyzeOptions {
  /** The Effect line the modules are written for (3 by default). */
  readonly effect?: EffectLine
  /** The output directory (used for relative paths in file headers). */
  readonly outDir: string
}

export interface GenerateResult {
  readonly files: ReadonlyArray<EmittedFile>
  readonly documents: ReadonlyArray<DocumentIR>
  readonly diagnostics: ReadonlyArray<Diagnostic>
  /** Modules already in the output directory from documents not in this batch: kept, and in the barrel. */
  readonly retained: ReadonlyArray<string>
  /** Generated modules in the output directory whose document no longer exists. */
  readonly obsolete: ReadonlyArray<string>
}

const ARAZZO_FILE = /\.(ya?ml|json)$/i

/** Whether a file is an Arazzo document: its top level has an `arazzo` field (OpenAPI files and schemas do not). */
const declaresArazzo = (text: string): boolean => {
  if (!/["']?arazzo["']?\s*:/.test(text)) return false
  const { source, errors } = parseYaml("", text)
  if (errors.some((e) => e.severity === "error")) {
    return /^["']?arazzo["']?\s*:/m.test(text) // unparseable (or over a limit): let loading report it if it looks like one
  }
  return typeof source.value === "object" && source.value !== null && "arazzo" in source.value
}

/**
 * Files as given, and every `.yaml`/`.yml`/`.json` file under given directories that declares
 * `arazzo:`. Under a directory only regular files within the document byte limit are read
 * (a FIFO, a device or a huge file is passed over unread), and each directory is visited once
 * (a symbolic link back to a parent does not loop). A file named explicitly is kept whatever it
 * is: loading it reports what is wrong with it.
 */
export const findDocuments = async (
  inputs: ReadonlyArray<string>,
  options: Pick<LoadOptions, "limits"> = {}
): Promise<Array<string>> => {
  const maxBytes = limitsFrom(options.limits).documentBytes
  const found: Array<string> = []
  const visited = new Set<string>()
  const visit = async (entry: string, explicit: boolean): Promise<void> => {
    const info = explicit ? await stat(entry) : await stat(entry).catch(() => undefined)
    if (info === undefined) return
    if (info.isDirectory()) {
      const real = await realpath(entry)
      if (visited.has(real)) return
      visited.add(real)
      const children = (await readdir(entry)).sort()
      for (const child of children) {
        if (!child.startsWith(".") && child !== "node_modules") await visit(path.join(entry, child), false)
      }
    } else if (explicit) {
      found.push(path.resolve(entry))
    } else if (ARAZZO_FILE.test(entry) && info.isFile()) {
      const read = await readRegularFile(entry, maxBytes, "documentBytes")
      // Too large to read: kept when it says `arazzo:` early on, so that loading reports the limit.
      if (
        "refused" in read
          ? read.refused.code === "limit-bytes" && await startsAsArazzo(entry)
          : declaresArazzo(read.text)
      ) {
        found.push(path.resolve(entry))
      }
    }
  }
  for (const input of inputs) await visit(input, true)
  return [...new Set(found)].sort()
}

/** Whether the first kilobytes of a file mention a top-level `arazzo` field. */
const startsAsArazzo = async (file: string): Promise<boolean> => {
  const handle = await open(file, "r")
  try {
    const buffer = Buffer.alloc(4096)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return /^\s*\{?\s*["']?arazzo["']?\s*:/m.test(buffer.subarray(0, bytesRead).toString("utf8"))
  } finally {
    await handle.close()
  }
}

/**
 * Analyses each document, then each document its `arazzo` sources name (transitively), each
 * once, in that order. `analyze` decides how (the conformance script resolves sources its own way).
 */
export const analyzeWithImports = async (
  files: ReadonlyArray<string>,
  analyze: (file: string) => Promise<Analysis>
): Promise<Array<{ readonly file: string; readonly analysis: Analysis }>> => {
  const queue = [...files]
  const seen = new Set(queue)
  const analysed: Array<{ file: string; analysis: Analysis }> = []
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!
    const analysis = await analyze(file)
    analysed.push({ file, analysis })
    for (const { absolutePath } of analysis.document?.imports ?? []) {
      if (!seen.has(absolutePath)) {
        seen.add(absolutePath)
        queue.push(absolutePath)
      }
    }
  }
  return analysed
}

/** Compiles documents to modules in memory. */
export const generate = async (files: ReadonlyArray<string>, options: GenerateOptions): Promise<GenerateResult> => {
  const cwd = options.cwd ?? process.cwd()
  const emitted: Array<EmittedFile> = []
  const documents: Array<DocumentIR> = []
  const diagnostics: Array<Diagnostic> = []
  const outDir = path.resolve(cwd, options.outDir)
  // Documents named by `arazzo` source descriptions are compiled too: their modules are imported.
  const analyses = await analyzeWithImports(
    files.map((f) => path.resolve(cwd, f)),
    (file) => analyzeDocument(file, options)
  )
  for (const { file, analysis } of analyses) {
    diagnostics.push(...analysis.diagnostics)
    if (analysis.document === undefined) continue
    documents.push(analysis.document)
    const from = path.relative(outDir, file).split(path.sep).join("/")
    emitted.push(emitModule(analysis.document, from, options.effect ?? 3))
  }
  const names = emitted.map((f) => f.name)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate !== undefined) {
    diagnostics.push({
      file: duplicate,
      line: 1,
      column: 1,
      severity: "error",
      code: "module-collision",
      message: `two documents would both be written to ${duplicate}`
    })
  }
  const { retained, obsolete } = await earlierModules(outDir, new Set(names))
  const files_ = emitted.length > 0 ? [...emitted, emitBarrel([...names, ...retained])] : []
  return { files: files_, documents, diagnostics: uniqueDiagnostics(sortDiagnostics(diagnostics)), retained, obsolete }
}
