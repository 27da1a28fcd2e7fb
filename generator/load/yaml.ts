/**
 * YAML (and JSON, a subset of it) parsed with source positions kept, so every diagnostic can
 * point at the `file:line:col` of the value it is about.
 */
import { type Document, isNode, isPair, isScalar, LineCounter, parseDocument } from "yaml"
import type { Diagnostic, Severity } from "../diagnostics.js"

/** A path into a parsed document: member names and array indexes. */
export type Path = ReadonlyArray<string | number>

export interface Position {
  readonly line: number
  readonly column: number
}

export interface SourceText {
  /** The file as it is shown in diagnostics. */
  readonly file: string
  readonly value: unknown
  /** Where the value at `path` starts; the nearest existing parent when it is absent. */
  readonly locate: (path: Path) => Position
  /** A diagnostic at the value at `path`; `offset` moves into a string value (for expression columns). */
  readonly diagnostic: (path: Path, severity: Severity, code: string, message: string, offset?: number) => Diagnostic
}

export const parseYaml = (
  file: string,
  text: string
): { readonly source: SourceText; readonly errors: Array<Diagnostic> } => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true })
  const errors: Array<Diagnostic> = [...doc.errors, ...doc.warnings].map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0])
    return {
      file,
      line,
      column: col,
      severity: doc.errors.includes(e as never) ? "error" : "warning",
      code: "yaml-syntax",
      message: e.message.split("\n")[0] ?? e.message
    }
  })
  const value: unknown = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined
  const startOf = (path: Path): number => nodeStart(doc, path)
  const locate = (path: Path): Position => {
    const { line, col } = lineCounter.linePos(startOf(path))
    return { line, column: col }
  }
  const diagnostic = (path: Path, severity: Severity, code: string, message: string, offset = 0): Diagnostic => {
    const start = startOf(path)
    const quoted = isQuotedScalar(doc, path) ? 1 : 0
    const { line, col } = lineCounter.linePos(start + (offset > 0 ? offset + quoted : 0))
    return { file, line, column: col, severity, code, message }
  }
  return { source: { file, value, locate, diagnostic }, errors }
}

const nodeAt = (doc: Document, path: Path): unknown => doc.getIn(path as Array<unknown>, true)

const nodeStart = (doc: Document, path: Path): number => {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeAt(doc, path.slice(0, depth))
    if (isNode(node) && node.range) return node.range[0]
    if (isPair(node) && isNode(node.key) && node.key.range) return node.key.range[0]
  }
  return 0
}

const isQuotedScalar = (doc: Document, path: Path): boolean => {
  const node = nodeAt(doc, path)
  return isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")
}
