/**
 * Strings with embedded runtime expressions: `Bearer {$inputs.token}`, `/pets/{$inputs.id}`.
 *
 * Rules:
 * - If the whole string is one runtime expression, it is a single expression part.
 * - `{$…}` whose content starts like a runtime expression is an embedded expression; its content is
 *   read with the whole-expression rules and must be followed by `}`. A `{` with no `}` after it is
 *   an error at the `{`. `{…}` whose content is not a runtime expression (`{$type}`, `{x}`) and a
 *   lone `}` stay literal; Arazzo has no escape for braces.
 * - A string that starts with a runtime expression prefix but is not one valid expression is an
 *   error (the whole-expression error): there is no literal prefix, so nothing is embedded.
 * - Real documents write `Bearer $inputs.apiKey` without braces. A runtime expression prefix
 *   (`$inputs.`, `$steps.`, `$url` …) after a character that cannot be part of a word (anything but
 *   a letter, digit, `_` or `$`: whitespace, `/`, `=`, `(` …) is taken as a bare embedded
 *   expression and reported in `bare`. Its end is given by the "bare" rules in
 *   runtime-expression.ts. If what follows it could have continued an expression (`$response.body.x`)
 *   it is an error rather than a guess.
 * - Any other `$` is literal (`$type`, `US$5`, `inside$urlstring`).
 */
import type { BareExpression, ParseResult, RuntimeExpression, Template, TemplatePart } from "./ast.js"
import {
  attempt,
  charSpan,
  hasRuntimeExpressionPrefix,
  hasRuntimeExpressionPrefixAt,
  parseRuntimeExpression,
  pointerHint,
  raise,
  scanRuntimeExpression
} from "./runtime-expression.js"

export const parseTemplate = (text: string): ParseResult<Template> => {
  const whole = parseRuntimeExpression(text)
  if (whole.ok) return { ok: true, value: { parts: [{ type: "expression", expression: whole.value }], bare: [] } }
  // No literal prefix: the author wrote one expression and it is malformed (`$response.body.id`,
  // `$inputs.Order Type`); splitting it into expression + text would be a guess.
  if (hasRuntimeExpressionPrefix(text)) return whole
  return attempt(() => scanTemplate(text))
}

/**
 * A regex, JSONPath or XPath condition of Arazzo 1.1: only `{$…}` embeds an expression (a bare
 * `$` is the query language's own: JSONPath's root, XPath's variables, regex's end anchor).
 */
export const parseBracedTemplate = (text: string): ParseResult<ReadonlyArray<TemplatePart>> =>
  attempt(() => {
    const parts: Array<TemplatePart> = []
    let literalStart = 0
    let i = 0
    while (i < text.length) {
      if (text[i] !== "{" || !hasRuntimeExpressionPrefixAt(text, i + 1)) {
        i++
        continue
      }
      const embedded = bracedAt(text, i)
      if (i > literalStart) parts.push(literal(text, literalStart, i))
      parts.push({ type: "expression", expression: embedded.expression })
      i = embedded.end
      literalStart = i
    }
    if (text.length > literalStart) parts.push(literal(text, literalStart, text.length))
    return parts
  })

interface Embedded {
  readonly expression: RuntimeExpression
  readonly isBare: boolean
  /** Offset just past the expression, including a closing `}`. */
  readonly end: number
}

const scanTemplate = (text: string): Template => {
  const parts: Array<TemplatePart> = []
  const bare: Array<RuntimeExpression> = []
  let literalStart = 0
  let i = 0
  while (i < text.length) {
    const embedded = embeddedAt(text, i)
    if (embedded === undefined) {
      i++
      continue
    }
    if (i > literalStart) parts.push(literal(text, literalStart, i))
    parts.push({ type: "expression", expression: embedded.expression })
    if (embedded.isBare) bare.push(embedded.expression)
    i = embedded.end
    literalStart = i
  }
  if (text.length > literalStart) parts.push(literal(text, literalStart, text.length))
  return { parts, bare: describeBare(parts, bare) }
}

const literal = (text: string, start: number, end: number): TemplatePart => ({
  type: "literal",
  text: text.slice(start, end),
  span: { start, end }
})

const embeddedAt = (text: string, at: number): Embedded | undefined => {
  if (text[at] === "{" && hasRuntimeExpressionPrefixAt(text, at + 1)) return bracedAt(text, at)
  if (text[at] === "$" && startsWord(text, at) && hasRuntimeExpressionPrefixAt(text, at)) return bareAt(text, at)
  return undefined
}

const bracedAt = (text: string, open: number): Embedded => {
  if (text.indexOf("}", open) < 0) {
    raise("expected '}' to close this '{$…' (unterminated embedded expression)", { start: open, end: open + 1 })
  }
  const expression = scanRuntimeExpression(text, open + 1, "whole")
  const end = expression.span.end
  if (text[end] !== "}") {
    raise(
      `expected '}' to close the expression opened at offset ${open}, found '${text.slice(end, end + 1)}'` +
        pointerHint(expression, text.slice(end)),
      charSpan(text, end)
    )
  }
  return { expression, isBare: false, end: end + 1 }
}

const bareAt = (text: string, at: number): Embedded => {
  const expression = scanRuntimeExpression(text, at, "bare")
  const end = expression.span.end
  if (!endsBareExpression(text, end)) {
    raise(
      `expected the end of '${expression.text}', found '${text.slice(end, end + 1)}'` +
        (pointerHint(expression, text.slice(end)) ||
          ` (an expression embedded in text must be written in braces: '{${expression.text}}')`),
      charSpan(text, end)
    )
  }
  return { expression, isBare: true, end }
}

/** A bare expression starts the string or follows a character that cannot be part of a word. */
const startsWord = (text: string, at: number): boolean => at === 0 || !/[\p{L}\p{N}_$]/u.test(text[at - 1] ?? "")

/**
 * What may follow a bare expression: the end, whitespace, `/` (URL paths), punctuation the bare
 * rules stop at, or a `.` that ends a sentence. Anything else means the author wrote something
 * the bare rules cannot read, so guessing would be wrong.
 */
const endsBareExpression = (text: string, end: number): boolean => {
  const next = text[end]
  if (next === undefined || /[\s/'"`,;:()[\]{}<>?&=|!]/.test(next)) return true
  return next === "." && /^\.+(\s|$)/.test(text.slice(end))
}

/** Each bare expression gets the whole string rewritten with every expression braced. */
const describeBare = (
  parts: ReadonlyArray<TemplatePart>,
  bare: ReadonlyArray<RuntimeExpression>
): ReadonlyArray<BareExpression> => {
  if (bare.length === 0) return []
  const suggestion = parts.map((part) => (part.type === "literal" ? part.text : `{${part.expression.text}}`)).join("")
  return bare.map((expression) => ({ expression, suggestion }))
}
