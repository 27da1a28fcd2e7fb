/** Problems found in a document, with where they are: printed as `file:line:col: severity CODE message`. */

export type Severity = "error" | "warning"

export interface Diagnostic {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly severity: Severity
  readonly code: string
  readonly message: string
}

export const formatDiagnostic = (d: Diagnostic): string =>
  `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}`

export const hasErrors = (diagnostics: ReadonlyArray<Diagnostic>): boolean =>
  diagnostics.some((d) => d.severity === "error")

/** Sorted by file, then position, so output is stable. */
export const sortDiagnostics = (diagnostics: ReadonlyArray<Diagnostic>): Array<Diagnostic> =>
  [...diagnostics].sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code)
  )
