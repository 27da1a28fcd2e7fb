/**
 * `upgrade`: an Arazzo 1.0 document rewritten as 1.1, as text edits on the file itself, so that
 * comments, layout, key order and a JSON file's indentation stay as they were.
 *
 * Two kinds of edit, each at one scalar:
 * - `arazzo: 1.0.x` becomes `1.1.0` (1.1 is a minor release: a valid 1.0 document means the
 *   same under it, except where 1.1 tightens a rule, which the 1.1 check below then names);
 * - each diagnostic of the checker that names a spec form for a real-world shorthand it reads
 *   (FIXES) is applied where it points: the scalar at its position is replaced by the spec form
 *   (or, for a local fix, the text it quotes inside that scalar is).
 * The document is checked again after each round of fixes until none is left (a fix can reveal
 * another), so upgrading an upgraded document changes nothing.
 */
import { randomUUID } from "node:crypto"
import { rm, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { isCollection, isScalar, LineCounter, parse, parseDocument, type Scalar, visit } from "yaml"
import { analyzeDocument } from "../check.js"
import type { Diagnostic } from "../diagnostics.js"
import type { LoadOptions } from "../load/document.js"

/** What the fix of each code replaces: the whole scalar, or the quoted text inside it. */
const FIXES: Readonly<Record<string, "whole" | "local">> = {
  "bare-expression": "whole",
  "expression-shorthand": "whole",
  "jsonpath-comparison": "whole",
  "operation-id-shorthand": "whole",
  "operation-id-case": "whole",
  "operation-path-shorthand": "whole",
  "workflow-ref-shorthand": "whole",
  "source-relocated": "whole",
  "expression-identifier": "local"
}

/** One change made (or, with `--check`, to be made). */
export interface Change {
  readonly line: number
  readonly column: number
  /** The diagnostic code it answers, or `arazzo-version`. */
  readonly code: string
  readonly from: string
  readonly to: string
}

export interface Upgraded {
  readonly text: string
  readonly changes: ReadonlyArray<Change>
  /** Spec forms that could not be applied where they point (a block scalar, an unclear place). */
  readonly skipped: ReadonlyArray<Diagnostic>
  /** What the checker says of the upgraded document. */
  readonly diagnostics: ReadonlyArray<Diagnostic>
  /** Why the file was left alone (not an Arazzo 1.x document), if it was. */
  readonly refused?: string
}

interface Edit {
  readonly start: number
  readonly end: number
  readonly text: string
  readonly change: Change
}

const MAX_ROUNDS = 5

export const upgradeText = async (file: string, text: string, options: LoadOptions = {}): Promise<Upgraded> => {
  const changes: Array<Change> = []
  const version = versionEdit(text)
  if ("refused" in version) return { text, changes, skipped: [], diagnostics: [], refused: version.refused }
  let current = version.edit === undefined ? text : applyEdits(text, [version.edit])
  if (version.edit !== undefined) changes.push(version.edit.change)
  let skipped: Array<Diagnostic> = []
  let diagnostics: ReadonlyArray<Diagnostic> = []
  for (let round = 0; round < MAX_ROUNDS; round++) {
    diagnostics = await analyzeBeside(file, current, options)
    const own = path.relative(options.cwd ?? process.cwd(), file) || file
    const found = fixesIn(current, diagnostics.filter((d) => d.file === own))
    skipped = found.skipped
    if (found.edits.length === 0) break
    current = applyEdits(current, found.edits)
    changes.push(...found.edits.map((e) => e.change))
  }
  return { text: current, changes, skipped, diagnostics }
}

/** The checker's findings on `text` as if it were `file` (a sibling file, so relative sources resolve). */
const analyzeBeside = async (file: string, text: string, options: LoadOptions): Promise<ReadonlyArray<Diagnostic>> => {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.upgrade-${randomUUID()}${path.extname(file)}`
  )
  await writeFile(temporary, text)
  const cwd = options.cwd ?? process.cwd()
  const shown = (f: string) => path.relative(cwd, f) || f
  try {
    // Findings in the document are shown under its own name; those in its sources stay as they are.
    return (await analyzeDocument(temporary, options)).diagnostics.map((d) =>
      d.file === shown(temporary) ? { ...d, file: shown(file) } : d
    )
  } finally {
    await rm(temporary, { force: true })
  }
}

const versionEdit = (text: string): { readonly edit: Edit | undefined } | { readonly refused: string } => {
  const doc = parseDocument(text, { keepSourceTokens: false })
  if (doc.errors.length > 0) return { refused: `not YAML or JSON: ${doc.errors[0]!.message.split("\n")[0]}` }
  const node = doc.get("arazzo", true)
  if (!isScalar(node) || typeof node.value !== "string" || node.range == null) {
    return { refused: "no `arazzo` version string: not an Arazzo document" }
  }
  if (/^1\.1\.\d+$/.test(node.value)) return { edit: undefined }
  if (!/^1\.0\.\d+$/.test(node.value)) return { refused: `\`arazzo: ${node.value}\` is not a 1.0 version` }
  const lines = new LineCounter()
  parseDocument(text, { lineCounter: lines })
  const { line, col } = lines.linePos(node.range[0])
  const rendered = render(node, "1.1.0", false)!
  return {
    edit: {
      start: node.range[0],
      end: node.range[1],
      text: rendered,
      change: { line, column: col, code: "arazzo-version", from: node.value, to: "1.1.0" }
    }
  }
}

/** The spec form a diagnostic names, and the text it quotes first (what is not the spec form). */
const specFormOf = (message: string): { readonly quoted: string; readonly spec: string } | undefined => {
  const spec = /Spec form: `([^`]*)`/.exec(message)?.[1]
  const quoted = /`([^`]*)`/.exec(message)?.[1]
  return spec === undefined || quoted === undefined ? undefined : { quoted, spec }
}

const fixesIn = (text: string, diagnostics: ReadonlyArray<Diagnostic>) => {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  const scalars: Array<{ readonly node: Scalar; readonly key: unknown; readonly inFlow: boolean }> = []
  visit(doc, {
    Scalar: (key, node, ancestors) => {
      const parent = ancestors[ancestors.length - 1]
      const pairKey = parent !== undefined && "key" in parent && parent.value === node && isScalar(parent.key)
        ? parent.key.value
        : undefined
      scalars.push({ node, key: pairKey, inFlow: ancestors.some((a) => isCollection(a) && a.flow === true) })
    }
  })
  const edits: Array<Edit> = []
  const skipped: Array<Diagnostic> = []
  const taken = new Set<Scalar>()
  for (const d of diagnostics) {
    const kind = FIXES[d.code]
    const form = kind === undefined ? undefined : specFormOf(d.message)
    if (kind === undefined || form === undefined) continue
    const offset = (lines.lineStarts[d.line - 1] ?? 0) + d.column - 1
    const target = scalars.find(({ node }) => node.range != null && node.range[0] <= offset && offset < node.range[1])
    if (target === undefined || typeof target.node.value !== "string" || taken.has(target.node)) {
      if (target === undefined || !taken.has(target.node)) skipped.push(d)
      continue
    }
    const value = target.node.value
    // `url: ./x.yaml`: the spec form names the key of the value it replaces.
    const spec = typeof target.key === "string" && form.spec.startsWith(`${target.key}: `)
      ? form.spec.slice(target.key.length + 2)
      : form.spec
    const next = kind === "whole"
      ? spec
      : value.split(form.quoted).length === 2
      ? value.replace(form.quoted, spec)
      : undefined
    const rendered = next === undefined || next === value ? undefined : render(target.node, next, target.inFlow)
    if (rendered === undefined) {
      skipped.push(d)
      continue
    }
    taken.add(target.node)
    const { line, col } = lines.linePos(target.node.range![0])
    edits.push({
      start: target.node.range![0],
      end: target.node.range![1],
      text: rendered,
      change: { line, column: col, code: d.code, from: value, to: next! }
    })
  }
  return { edits, skipped }
}

/** `value` written in the style of `node`; undefined for a block scalar (its layout is the author's). */
const render = (node: Scalar, value: string, inFlow: boolean): string | undefined => {
  switch (node.type) {
    case "QUOTE_DOUBLE":
      return JSON.stringify(value)
    case "QUOTE_SINGLE":
      return /[\n\r]/.test(value) ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`
    case "PLAIN":
      return plainSafe(value, inFlow)
        ? value
        : /[\n\r]/.test(value)
        ? JSON.stringify(value)
        : `'${value.replace(/'/g, "''")}'`
    default:
      return undefined
  }
}

/** Whether `value` reads back as this same string when written plain. */
const plainSafe = (value: string, inFlow: boolean): boolean => {
  if (value === "" || value !== value.trim() || /[\n\r]/.test(value)) return false
  if (inFlow && /[,[\]{}]/.test(value)) return false
  try {
    const read: unknown = parse(`k: ${value}\n`)
    return typeof read === "object" && read !== null && (read as Record<string, unknown>)["k"] === value
  } catch {
    return false
  }
}

const applyEdits = (text: string, edits: ReadonlyArray<Edit>): string =>
  [...edits].sort((a, b) => b.start - a.start).reduce(
    (acc, e) => acc.slice(0, e.start) + e.text + acc.slice(e.end),
    text
  )
