/**
 * The generator's API: Arazzo documents in, one TypeScript module per document (plus a barrel)
 * and diagnostics out. Nothing is emitted for a document with errors.
 */
import * as path from "node:path"
import { type Analysis, analyzeDocument, type AnalyzeOptions, checkDocument } from "./check.js"
import { type Diagnostic, sortDiagnostics, uniqueDiagnostics } from "./diagnostics.js"
import type { EffectLine } from "./emit/dialect.js"
import { emitBarrel, emitModule, type EmittedFile } from "./emit/module.js"
import type { DocumentIR } from "./lower/ir.js"

export { analyzeDocument, checkDocument }
export { type Diagnostic, formatDiagnostic } from "./diagnostics.js"
export { type DetectedLine, detectEffectLine, type EffectLine } from "./effect-line.js"
export { findDocuments } from "./find.js"
export type * from "./lower/ir.js"
export { removeObsolete, writeFiles } from "./output.js"
import { earlierModules } from "./output.js"

export interface GenerateOptions extends AnalyzeOptions {
  /**
   * The Effect line the modules are written for (3 by default; `detectEffectLine(outDir)` says
   * which line an app's project is on, as the CLI does without `--effect`).
   */
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
    if ((options.effect ?? 3) === 4 && (analysis.document.channels?.length ?? 0) > 0) {
      // The Effect 4 runtime has no transports yet (issue #17): say so rather than print code it cannot run.
      diagnostics.push({
        file: analysis.document.file,
        line: 1,
        column: 1,
        severity: "error",
        code: "unsupported-message-steps-effect4",
        message: "AsyncAPI message steps are compiled for Effect 3 only so far; generate this document with --effect 3"
      })
      continue
    }
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
