/**
 * Runtime expressions (Arazzo 1.0.1 "Runtime Expressions" ABNF), parsed once at generation time.
 *
 * The same scanner serves three places, which differ only in where an expression ends:
 * - "whole":     the entire string is one expression (also used inside `{…}` in templates);
 * - "condition": an operand inside a simple condition, so operator characters end it;
 * - "bare":      an unbraced expression inside a template (`Bearer $inputs.apiKey`), ended by
 *                anything that looks like surrounding prose or URL syntax.
 *
 * Character rules (decisions beyond the ABNF are marked ⚑):
 * - step, workflow and source description ids: `[A-Za-z0-9_-]+` (the spec's recommended id pattern),
 *   which is what lets `$steps.id.outputs.name` be split at `.outputs.`.
 * - names (`$inputs.x`, output names, query/path names, component names): the ABNF says `*CHAR`.
 *   ⚑ A name is never empty, and never contains whitespace, control characters, `{`, `}` or `#`
 *   (`#` starts a JSON pointer; braces delimit template expressions, as in Arazzo 1.1).
 *   In "condition" mode a name also stops at `( ) [ ] < > = ! & | ' " ,`; in "bare" mode a name is
 *   letters, digits, `_ - . $` only and does not end with `.` (sentence punctuation).
 *   Names may contain `.` and `[…]` (`$inputs.filter[status]`, output `a.b`): see resolveNamePath.
 * - header names: RFC 7230 `token`; in "condition" mode without `! & | '`, in "bare" mode without
 *   `! & | ' \`` and never ending with `.`.
 * - JSON pointers (RFC 6901): `#` then `*( "/" token )`; `~0`/`~1` are the only escapes.
 *   ⚑ `{` and `}` are rejected (as in Arazzo 1.1). In "whole" mode any other character may appear
 *   in a token, spaces included. In "condition" mode a pointer ends at whitespace or at
 *   `( ) [ ] < > = ! & | ' " ,`; in "bare" mode at whitespace or `' " \` , ; : ( ) [ ] { } < > ? & = | !`
 *   and never with a trailing `.`.
 * - `$request.query.` / `$request.path.` with an empty name are rejected (⚑ the ABNF allows it).
 * - `$response.query…` / `$response.path…` are rejected (the ABNF allows them; they mean nothing).
 */
import type { Accessor, ExpressionError, JsonPointer, ParseResult, RuntimeExpression, Span } from "./ast.js"

export type ScanMode = "whole" | "condition" | "bare"

// ---------------------------------------------------------------------------------------------
// Failure plumbing shared by the parsers: deep recursive-descent code raises, the API boundary
// turns the raise into a ParseResult.

const failureTag: unique symbol = Symbol("ExpressionFailure")

interface Failure {
  readonly [failureTag]: ExpressionError
}

const isFailure = (u: unknown): u is Failure => typeof u === "object" && u !== null && failureTag in u

/** Abort the current parse with `message` (what was expected) at `span`. */
export const raise = (message: string, span: Span): never => {
  const failure: Failure = { [failureTag]: { message, span } }
  throw failure
}

/** Run a raising parser and capture its outcome. */
export const attempt = <A>(parse: () => A): ParseResult<A> => {
  try {
    return { ok: true, value: parse() }
  } catch (u) {
    if (isFailure(u)) return { ok: false, error: u[failureTag] }
    throw u
  }
}

/** Span of the character at `at`, or an empty span at the end of the text. */
export const charSpan = (source: string, at: number): Span => ({ start: at, end: Math.min(at + 1, source.length) })

/** Quote a piece of source text for an error message. */
export const describeAt = (source: string, at: number): string =>
  at >= source.length ? "end of input" : `'${source.slice(at, at + 1)}'`

// ---------------------------------------------------------------------------------------------
// Character classes

const isWhitespace = (ch: string): boolean => /\s/.test(ch)
const isControl = (ch: string): boolean => {
  const code = ch.charCodeAt(0)
  return code < 0x20 || code === 0x7f
}
const isIdChar = (ch: string): boolean => /[A-Za-z0-9_-]/.test(ch)
const isWordChar = (ch: string): boolean => /[A-Za-z0-9_]/.test(ch)
const isTokenChar = (ch: string): boolean => /[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(ch)

/** Characters that end a name, header or pointer inside a condition (they start operators or literals). */
const CONDITION_STOPS = new Set(["(", ")", "[", "]", "<", ">", "=", "!", "&", "|", "'", "\"", ","])
/** Characters that end a bare template expression: prose punctuation and URL syntax. */
const BARE_STOPS = new Set([
  "'",
  "\"",
  "`",
  ",",
  ";",
  ":",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "<",
  ">",
  "?",
  "&",
  "=",
  "|",
  "!"
])

const endsEmbedded = (mode: ScanMode, ch: string): boolean =>
  (mode === "condition" && (isWhitespace(ch) || CONDITION_STOPS.has(ch))) ||
  (mode === "bare" && (isWhitespace(ch) || BARE_STOPS.has(ch)))

const isNameChar = (mode: ScanMode, ch: string): boolean => {
  if (isWhitespace(ch) || isControl(ch) || ch === "{" || ch === "}" || ch === "#") return false
  if (mode === "bare") return /[\p{L}\p{N}_\-.$]/u.test(ch)
  return !endsEmbedded(mode, ch)
}

const isHeaderChar = (mode: ScanMode, ch: string): boolean => isTokenChar(ch) && !endsEmbedded(mode, ch)

/** A JSON pointer reference-token character; `/` separates tokens and is handled by the caller. */
const isPointerChar = (mode: ScanMode, ch: string): boolean =>
  !isControl(ch) && ch !== "{" && ch !== "}" && ch !== "/" && !endsEmbedded(mode, ch)

// ---------------------------------------------------------------------------------------------
// Cursor helpers

interface Cursor {
  readonly source: string
  readonly mode: ScanMode
  pos: number
}

/**
 * Advance over characters accepted by `accepts`. In "bare" mode a run of `.` is only taken when
 * more accepted characters follow it, so `… $inputs.name.` leaves the sentence's full stop alone.
 */
const takeRun = (c: Cursor, accepts: (ch: string) => boolean): string => {
  const start = c.pos
  while (c.pos < c.source.length && accepts(c.source[c.pos] ?? "")) {
    if (c.mode === "bare" && c.source[c.pos] === "." && !continuesAfterDots(c, accepts)) break
    c.pos++
  }
  return c.source.slice(start, c.pos)
}

const continuesAfterDots = (c: Cursor, accepts: (ch: string) => boolean): boolean => {
  let i = c.pos
  while (c.source[i] === ".") i++
  const next = c.source[i]
  return next !== undefined && accepts(next)
}

/** Like takeRun but at least one character is required; `what` completes "expected …". */
const takeRequired = (c: Cursor, accepts: (ch: string) => boolean, what: string): string => {
  const at = c.pos
  const text = takeRun(c, accepts)
  if (text === "") raise(`expected ${what}, found ${describeAt(c.source, at)}`, charSpan(c.source, at))
  return text
}

const expectText = (c: Cursor, text: string, what: string): void => {
  if (!c.source.startsWith(text, c.pos)) {
    raise(`expected ${what}, found ${describeAt(c.source, c.pos)}`, charSpan(c.source, c.pos))
  }
  c.pos += text.length
}

const takeName = (c: Cursor, what: string): string => takeRequired(c, (ch) => isNameChar(c.mode, ch), what)

// ---------------------------------------------------------------------------------------------
// JSON pointers

/** At `#`: read `*( "/" reference-token )` and decode the tokens. */
const scanPointer = (c: Cursor): JsonPointer => {
  c.pos++ // '#'
  const tokens: Array<string> = []
  const first = c.source[c.pos]
  if (first !== undefined && first !== "/" && isPointerChar(c.mode, first)) {
    const token = takeRun(c, (ch) => isPointerChar(c.mode, ch))
    raise(
      `expected '/' to start the JSON pointer after '#', found '${first}' (write '#/${token}')`,
      charSpan(c.source, c.pos - token.length)
    )
  }
  while (c.source[c.pos] === "/") {
    c.pos++
    tokens.push(decodePointerToken(takeRun(c, (ch) => isPointerChar(c.mode, ch)), c.pos))
  }
  return tokens
}

/** `raw` ended at offset `end`; error spans point at the bad escape. */
const decodePointerToken = (raw: string, end: number): string => {
  const start = end - raw.length
  return raw.replace(/~(.?)/g, (escape, next: string, offset: number) => {
    if (next === "0") return "~"
    if (next === "1") return "/"
    return raise(
      "expected '0' or '1' after '~' in a JSON pointer (write '~0' for '~' and '~1' for '/')",
      { start: start + offset, end: start + offset + escape.length }
    )
  })
}

const optionalPointer = (c: Cursor): JsonPointer | undefined => c.source[c.pos] === "#" ? scanPointer(c) : undefined

// ---------------------------------------------------------------------------------------------
// Expression heads

/** `$self` (Arazzo 1.1) parses on every line; lowering refuses it in a 1.0 document. */
const FIXED_HEADS = ["url", "method", "statusCode", "self"] as const
const PREFIX_HEADS = [
  "request",
  "response",
  "message",
  "inputs",
  "outputs",
  "steps",
  "workflows",
  "sourceDescriptions",
  "components"
] as const
const COMPONENT_KINDS = ["parameters", "successActions", "failureActions", "inputs"]

const EXPECTED_FORMS =
  "$url, $method, $statusCode, $request., $response., $message., $inputs., $outputs., $steps., $workflows., " +
  "$sourceDescriptions., $components. or (Arazzo 1.1) $self"

const isFixedHead = (word: string): word is (typeof FIXED_HEADS)[number] =>
  (FIXED_HEADS as ReadonlyArray<string>).includes(word)
const isPrefixHead = (word: string): word is (typeof PREFIX_HEADS)[number] =>
  (PREFIX_HEADS as ReadonlyArray<string>).includes(word)

/** The word after `$` at `at` (which must be the `$`). */
const headWordAt = (source: string, at: number): string => {
  let end = at + 1
  while (end < source.length && isWordChar(source[end] ?? "")) end++
  return source.slice(at + 1, end)
}

/**
 * True when `source` has a runtime expression prefix at `at`: `$url`, `$method`, `$statusCode` as
 * whole words, or `$request.`, `$response.`, `$inputs.` … `$components.` with the dot.
 */
export const hasRuntimeExpressionPrefixAt = (source: string, at: number): boolean => {
  if (source[at] !== "$") return false
  const word = headWordAt(source, at)
  if (isFixedHead(word)) return true
  const next = source[at + 1 + word.length]
  // `$inputs#/…` is no expression, but plainly meant as one: the parser says what to write.
  return isPrefixHead(word) && (next === "." || (next === "#" && (word === "inputs" || word === "outputs")))
}

/** True when `text` starts like a runtime expression, whether or not the rest of it is valid. */
export const hasRuntimeExpressionPrefix = (text: string): boolean => hasRuntimeExpressionPrefixAt(text, 0)

// ---------------------------------------------------------------------------------------------
// The scanner

type ExpressionFields = RuntimeExpression extends infer E ? E extends unknown ? Omit<E, "text" | "span"> : never
  : never

/**
 * Read one runtime expression starting at the `$` at `start`; stops where `mode` says the
 * expression ends. Raises on malformed input. The caller decides what may follow.
 */
export const scanRuntimeExpression = (source: string, start: number, mode: ScanMode): RuntimeExpression => {
  const c: Cursor = { source, mode, pos: start }
  const fields = scanFields(c)
  return { ...fields, text: source.slice(start, c.pos), span: { start, end: c.pos } } as RuntimeExpression
}

const scanFields = (c: Cursor): ExpressionFields => {
  const start = c.pos
  if (c.source[start] !== "$") {
    raise(
      `expected a runtime expression (${EXPECTED_FORMS}), found ${describeAt(c.source, start)}`,
      charSpan(c.source, start)
    )
  }
  const word = headWordAt(c.source, start)
  c.pos = start + 1 + word.length
  if (isFixedHead(word)) return { type: word }
  if (!isPrefixHead(word)) {
    return raise(
      `expected a runtime expression (${EXPECTED_FORMS}), found '$${word}'`,
      { start, end: Math.max(c.pos, start + 1) }
    )
  }
  if ((word === "inputs" || word === "outputs") && c.source[c.pos] === "#") {
    // `$inputs#/a/b` is not in either ABNF: a pointer reads into one named input or output.
    raise(
      `expected '.' and a name after '$${word}' (a JSON pointer reads into one ${
        word === "inputs" ? "input" : "output"
      }: '$${word}.<name>#/…')`,
      charSpan(c.source, c.pos)
    )
  }
  expectText(c, ".", `'.' after '$${word}'`)
  switch (word) {
    case "request":
    case "response":
      return scanSource(c, word)
    case "message":
      return scanMessage(c)
    case "inputs":
    case "outputs":
      return { type: word, name: takeName(c, `a name after '$${word}.'`), pointer: optionalPointer(c) }
    case "steps":
      return scanStepOutputs(c)
    case "workflows":
      return scanWorkflowValue(c)
    case "sourceDescriptions":
      return scanSourceDescription(c)
    case "components":
      return scanComponent(c)
  }
}

const scanSource = (c: Cursor, of: "request" | "response"): ExpressionFields => {
  const at = c.pos
  const part = takeRun(c, isWordChar)
  switch (part) {
    case "header":
      expectText(c, ".", "'.' and a header name after 'header'")
      return { type: "header", of, name: takeRequired(c, (ch) => isHeaderChar(c.mode, ch), "a header name") }
    case "query":
    case "path":
      if (of === "response") {
        return raise(
          `expected 'header.' or 'body' after '$response.' ('${part}' parameters exist only on '$request.')`,
          { start: at, end: c.pos }
        )
      }
      expectText(c, ".", `'.' and a parameter name after '${part}'`)
      return { type: part, of, name: takeName(c, `a ${part} parameter name`) }
    case "body":
      return { type: "body", of, pointer: optionalPointer(c) ?? [] }
    default:
      return raise(
        (of === "request"
          ? "expected 'header.', 'query.', 'path.' or 'body' after '$request.'"
          : "expected 'header.' or 'body' after '$response.'") +
          (part === "headers" ? " (it is 'header', singular)" : ""),
        part === "" ? charSpan(c.source, at) : { start: at, end: c.pos }
      )
  }
}

/**
 * `$message.header.<name>` and `$message.payload[#pointer]` (Arazzo 1.1, AsyncAPI steps). The 1.1
 * specification's own examples write `$message.payload.orderId`: read as `$message.payload#/orderId`.
 */
const scanMessage = (c: Cursor): ExpressionFields => {
  const at = c.pos
  const part = takeRun(c, isWordChar)
  if (part === "header") {
    expectText(c, ".", "'.' and a header name after 'header'")
    return { type: "header", of: "message", name: takeRequired(c, (ch) => isHeaderChar(c.mode, ch), "a header name") }
  }
  if (part === "payload") {
    if (c.source[c.pos] === "." && c.mode !== "bare") {
      const rest = c.source.slice(c.pos)
      const dotted = (c.mode === "whole" ? /^(?:\.[A-Za-z0-9_-]+)+$/ : /^(?:\.[A-Za-z0-9_-]+)+/).exec(rest)
      if (dotted !== null) {
        c.pos += dotted[0].length
        return { type: "body", of: "message", pointer: dotted[0].slice(1).split(".") }
      }
    }
    return { type: "body", of: "message", pointer: optionalPointer(c) ?? [] }
  }
  return raise(
    "expected 'header.' or 'payload' after '$message.'",
    part === "" ? charSpan(c.source, at) : { start: at, end: c.pos }
  )
}

const scanStepOutputs = (c: Cursor): ExpressionFields => {
  const stepId = takeRequired(c, isIdChar, "a step id after '$steps.'")
  expectText(c, ".outputs.", `'.outputs.' after step id '${stepId}'`)
  const name = takeName(c, "an output name after '.outputs.'")
  return { type: "stepOutputs", stepId, name, pointer: optionalPointer(c) }
}

const scanWorkflowValue = (c: Cursor): ExpressionFields => {
  const workflowId = takeRequired(c, isIdChar, "a workflow id after '$workflows.'")
  const type = c.source.startsWith(".inputs.", c.pos) ? "workflowInputs" : "workflowOutputs"
  expectText(
    c,
    type === "workflowInputs" ? ".inputs." : ".outputs.",
    `'.inputs.' or '.outputs.' after workflow id '${workflowId}'`
  )
  const name = takeName(c, `a name after '${type === "workflowInputs" ? ".inputs." : ".outputs."}'`)
  return { type, workflowId, name, pointer: optionalPointer(c) }
}

const scanSourceDescription = (c: Cursor): ExpressionFields => {
  const name = takeRequired(c, isIdChar, "a source description name after '$sourceDescriptions.'")
  expectText(c, ".", `'.' and a field (e.g. 'url') after source description '${name}'`)
  return { type: "sourceDescription", name, field: takeName(c, "a field (e.g. 'url')") }
}

const scanComponent = (c: Cursor): ExpressionFields => {
  const at = c.pos
  const kind = takeRun(c, isWordChar)
  if (!COMPONENT_KINDS.includes(kind)) {
    raise(
      `expected ${COMPONENT_KINDS.map((k) => `'${k}'`).join(", ")} after '$components.'`,
      kind === "" ? charSpan(c.source, at) : { start: at, end: c.pos }
    )
  }
  expectText(c, ".", `'.' and a component name after '${kind}'`)
  return { type: "component", kind, name: takeName(c, `a component name after '${kind}.'`) }
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Parse `text` as exactly one runtime expression. */
export const parseRuntimeExpression = (text: string): ParseResult<RuntimeExpression> =>
  attempt(() => {
    const expression = scanRuntimeExpression(text, 0, "whole")
    if (expression.span.end < text.length) raise(trailingMessage(expression, text), trailingSpan(expression, text))
    return expression
  })

const trailingSpan = (expression: RuntimeExpression, text: string): Span => ({
  start: expression.span.end,
  end: text.length
})

const trailingMessage = (expression: RuntimeExpression, text: string): string => {
  const rest = text.slice(expression.span.end)
  return `expected end of runtime expression after '${expression.text}', found '${rest}'${
    pointerHint(expression, rest)
  }`
}

/**
 * Authors write `$response.body.status` for `$response.body#/status`; say so when that is what
 * follows an expression.
 */
export const pointerHint = (expression: RuntimeExpression, rest: string): string => {
  const path = /^(?:\.[\p{L}\p{N}_$-]+|\[\d+\])+/u.exec(rest)?.[0]
  if (path === undefined || !path.startsWith(".") || expression.type !== "body" || expression.pointer.length > 0) {
    return ""
  }
  const tokens = path.split(/[.[\]]+/).filter((token) => token !== "")
  return ` (select a field with a JSON pointer: '${expression.text}#/${tokens.join("/")}')`
}

/** Whether the whole of `text` is one runtime expression. `$type`, `$5 fee`, `$inputs.a b` are not. */
export const isRuntimeExpression = (text: string): boolean => parseRuntimeExpression(text).ok

/**
 * Split a name that may carry a path (`items[0].id`, `a.b`) against the names actually declared.
 *
 * The ABNF lets names contain `.` and `[`, and output names may legitimately contain `.`, so the
 * parser keeps names whole; real documents also write `$steps.s.outputs.list[0].id`. The emitter
 * knows which names exist: the whole name wins when declared, otherwise the longest declared
 * prefix followed by `.prop` / `[n]` accessors. Undefined when nothing fits.
 */
export const resolveNamePath = (
  name: string,
  isDeclared: (candidate: string) => boolean
): { readonly name: string; readonly accessors: ReadonlyArray<Accessor> } | undefined => {
  if (isDeclared(name)) return { name, accessors: [] }
  for (let cut = name.length - 1; cut > 0; cut--) {
    const ch = name[cut]
    if (ch !== "." && ch !== "[") continue
    const prefix = name.slice(0, cut)
    if (!isDeclared(prefix)) continue
    const accessors = parseAccessorPath(name.slice(cut))
    if (accessors !== undefined) return { name: prefix, accessors }
  }
  return undefined
}

/** `.a[0].b` → accessors; undefined when it is not such a path. */
const parseAccessorPath = (path: string): ReadonlyArray<Accessor> | undefined => {
  const accessors: Array<Accessor> = []
  const step = /\.([^.[\]]+)|\[(\d+)\]/y
  while (step.lastIndex < path.length) {
    const match = step.exec(path)
    if (match === null) return undefined
    const [, property, index] = match
    accessors.push(
      property !== undefined ? { type: "property", name: property } : { type: "index", index: Number(index) }
    )
  }
  return accessors
}
