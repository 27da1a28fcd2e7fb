/**
 * `check`: what is wrong with a document, as its author needs to hear it: structure against
 * the Arazzo JSON Schema of its line (1.0 or 1.1), then meaning (ids, references, operations, expressions, flow).
 * Constructs the generator cannot compile yet are not the document's fault and are left out;
 * a remote source that is never fetched is a warning.
 */
import * as path from "node:path"
import { type Diagnostic, hasErrors, isUnsupported, isUnverifiable, sortDiagnostics } from "./diagnostics.js"
import { loadDocument, type LoadedDocument, type LoadOptions } from "./load/document.js"
import { lowerDocument, type LowerOptions } from "./lower/document.js"
import type { DocumentIR } from "./lower/ir.js"
import { validateMeaning } from "./validate/meaning.js"
import { validateStructure } from "./validate/structure.js"

export interface Analysis {
  /** The IR, when the document has no errors and everything in it can be compiled. */
  readonly document: DocumentIR | undefined
  /** Every finding, `unsupported-*` ones included. */
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

/** What analysing a document needs: where its sources are, and the user's typing choices. */
export type AnalyzeOptions = LoadOptions & LowerOptions

/** Load → structure → meaning → lower. Each runs only on what the one before accepted. */
export const analyzeDocument = async (file: string, options: AnalyzeOptions = {}): Promise<Analysis> => {
  const loaded = await loadDocument(path.resolve(file), options)
  const diagnostics = [...loaded.diagnostics]
  const document: LoadedDocument | undefined = loaded.document
  if (document === undefined) return { document: undefined, diagnostics: sortDiagnostics(diagnostics) }
  const structure = validateStructure(document.source)
  diagnostics.push(...structure)
  if (hasErrors(structure)) return { document: undefined, diagnostics: sortDiagnostics(diagnostics) }
  const meaning = validateMeaning(document)
  diagnostics.push(...meaning)
  // A source that did not load is an error already: its steps were checked as far as they can be.
  if (hasErrors(diagnostics)) return { document: undefined, diagnostics: sortDiagnostics(diagnostics) }
  const ir = lowerDocument(document, options)
  if (ir === undefined) {
    // Never drop a document without saying why: lowering failed on a document validation accepted.
    diagnostics.push({
      file: document.file,
      line: 1,
      column: 1,
      severity: "error",
      code: "internal-lowering",
      message:
        "the document could not be compiled, and no step said why; this is a bug in arazzo-effect, please report it with the document"
    })
  }
  return { document: hasErrors(diagnostics) ? undefined : ir, diagnostics: sortDiagnostics(diagnostics) }
}

/** The findings `check` reports for a document. */
export const checkDocument = async (file: string, options: LoadOptions = {}): Promise<Array<Diagnostic>> => {
  const { diagnostics } = await analyzeDocument(file, options)
  return diagnostics
    .filter((d) => !isUnsupported(d))
    .map((d) => (isUnverifiable(d) ? { ...d, severity: "warning" as const } : d))
}
