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

/**
 * Codes for constructs the document may use but this generator cannot compile yet: errors for
 * `generate`, not problems of the document, so `check` leaves them out.
 */
export const isUnsupported = (d: Diagnostic): boolean => d.code.startsWith("unsupported-")

/** Codes that only mean "could not be verified here" (a remote source is never fetched). */
export const isUnverifiable = (d: Diagnostic): boolean => d.code === "source-remote"

export const hasErrors = (diagnostics: ReadonlyArray<Diagnostic>): boolean =>
  diagnostics.some((d) => d.severity === "error")

/** Sorted by file, then position, so output is stable. */
export const sortDiagnostics = (diagnostics: ReadonlyArray<Diagnostic>): Array<Diagnostic> =>
  [...diagnostics].sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code)
  )

/**
 * Each finding once: documents that share an OpenAPI file each report what is wrong in it, at the
 * same place. Order is kept.
 */
export const uniqueDiagnostics = (diagnostics: ReadonlyArray<Diagnostic>): Array<Diagnostic> => {
  const seen = new Set<string>()
  return diagnostics.filter((d) => {
    const key = formatDiagnostic(d)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Diagnostics for people: errors one by one; a warning repeated in a file (same code and
 * message) once, with the other places it occurs.
 */
export const formatForTerminal = (diagnostics: ReadonlyArray<Diagnostic>): Array<string> => {
  const lines: Array<string> = []
  const repeats = new Map<string, { first: Diagnostic; others: Array<Diagnostic> }>()
  for (const d of diagnostics) {
    if (d.severity === "error") {
      lines.push(formatDiagnostic(d))
      continue
    }
    const key = `${d.file}\0${d.code}\0${d.message}`
    const group = repeats.get(key)
    if (group) group.others.push(d)
    else {
      const created = { first: d, others: [] as Array<Diagnostic> }
      repeats.set(key, created)
      lines.push(key)
    }
  }
  return lines.map((line) => {
    const group = repeats.get(line)
    if (group === undefined) return line
    const more = group.others.length === 0
      ? ""
      : ` (also at ${group.others.map((o) => `${o.line}:${o.column}`).join(", ")})`
    return formatDiagnostic(group.first) + more
  })
}
