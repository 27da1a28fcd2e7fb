/**
 * Arazzo "simple conditions" (Criterion `condition` strings), parsed by hand.
 *
 * Grammar, lowest precedence first:
 *   or         = and *( "||" and )                       ; left-associative
 *   and        = comparison *( "&&" comparison )         ; left-associative
 *   comparison = unary [ compare-op operand ]            ; not chainable: a == b == c is an error
 *   unary      = "!" unary / primary                     ; `!a == b` is rejected, not read as (!a) == b
 *   primary    = "(" or ")" / operand
 *   operand    = literal / ( runtime-expression / "$" ) *accessor   ; "$" alone only with contextRoot
 *   accessor   = "[" 1*DIGIT "]" / "." property-name     ; written directly after the operand
 *   literal    = number / "true" / "false" / "null" / 'single-quoted' ('' escapes a quote)
 *
 * Accepted beyond the spec (see conditionWarnings): "double-quoted" strings ("" escapes a quote)
 * and `$response.body.field` (property access on a body, for `$response.body#/field`).
 *
 * Where an embedded runtime expression ends is decided by the "condition" rules in
 * runtime-expression.ts: names, headers and JSON pointers stop at whitespace and at
 * `( ) [ ] < > = ! & | ' " ,`. So `$response.body#/items[0].id` is the pointer `/items` followed by
 * `[0]` and `.id`, while `$response.body#/a.b` is the pointer to key `a.b` (RFC 6901), and
 * `$steps.s.outputs.a.b` is output `a.b` (see resolveNamePath).
 */
import type {
  Accessor,
  ComparisonOperator,
  Condition,
  ConditionOptions,
  ExpressionWarning,
  Operand,
  ParseResult,
  Span
} from "./ast.js"
import {
  attempt,
  charSpan,
  describeAt,
  hasRuntimeExpressionPrefixAt,
  raise,
  scanRuntimeExpression
} from "./runtime-expression.js"

interface State {
  readonly text: string
  readonly contextRoot: boolean
  pos: number
}

export const parseCondition = (text: string, options?: ConditionOptions): ParseResult<Condition> =>
  attempt(() => {
    const s: State = { text, contextRoot: options?.contextRoot ?? false, pos: 0 }
    skipWhitespace(s)
    if (s.pos >= text.length) raise("expected a condition, found end of input", { start: s.pos, end: s.pos })
    const condition = parseOr(s, undefined)
    skipWhitespace(s)
    if (s.pos < text.length) {
      raiseUnexpected(s, "an operator ('||', '&&', '==', '!=', '<', '<=', '>', '>=') or end of condition")
    }
    return condition
  })

// ---------------------------------------------------------------------------------------------
// Logical levels. `after` names the token just consumed, for "expected an operand after '&&'".

const parseOr = (s: State, after: string | undefined): Condition => {
  let left = parseAnd(s, after)
  while (takeOperator(s, "||")) {
    const right = parseAnd(s, "'||'")
    left = { type: "or", left, right, span: cover(left.span, right.span) }
  }
  return left
}

const parseAnd = (s: State, after: string | undefined): Condition => {
  let left = parseComparison(s, after)
  while (takeOperator(s, "&&")) {
    const right = parseComparison(s, "'&&'")
    left = { type: "and", left, right, span: cover(left.span, right.span) }
  }
  return left
}

const COMPARISON_OPERATORS: ReadonlyArray<ComparisonOperator> = ["==", "!=", "<=", ">=", "<", ">"]

const peekComparison = (s: State): ComparisonOperator | undefined => {
  skipWhitespace(s)
  return COMPARISON_OPERATORS.find((op) => s.text.startsWith(op, s.pos))
}

const parseComparison = (s: State, after: string | undefined): Condition => {
  const left = parseUnary(s, after)
  const op = peekComparison(s)
  if (op === undefined) return left
  if (left.type !== "operand") return raise(leftSideMessage(left, op), left.span)
  s.pos += op.length
  const right = parseOperand(s, `'${op}'`)
  const chained = peekComparison(s)
  if (chained !== undefined) {
    raise(
      `'${chained}' cannot be chained after '${op}': expected '&&', '||' or end of condition (join comparisons with '&&')`,
      { start: s.pos, end: s.pos + chained.length }
    )
  }
  return { type: "compare", op, left: left.operand, right, span: cover(left.span, right.span) }
}

const leftSideMessage = (left: Condition, op: ComparisonOperator): string =>
  left.type === "not"
    ? `expected a value before '${op}', found a negation: '!' applies to one operand, so write '!(a ${op} b)' to negate a comparison`
    : `expected a value before '${op}', found a condition: comparisons take values, not conditions`

const parseUnary = (s: State, after: string | undefined): Condition => {
  skipWhitespace(s)
  if (s.text[s.pos] === "!" && s.text[s.pos + 1] !== "=") {
    const start = s.pos
    s.pos++
    const operand = parseUnary(s, "'!'")
    return { type: "not", operand, span: { start, end: operand.span.end } }
  }
  return parsePrimary(s, after)
}

const parsePrimary = (s: State, after: string | undefined): Condition => {
  skipWhitespace(s)
  if (s.text[s.pos] !== "(") {
    const operand = parseOperand(s, after)
    return { type: "operand", operand, span: operand.span }
  }
  const open = s.pos
  s.pos++
  const inner = parseOr(s, "'('")
  skipWhitespace(s)
  if (s.text[s.pos] !== ")") raiseUnexpected(s, `')' to close the '(' at offset ${open}`)
  s.pos++
  return { ...inner, span: { start: open, end: s.pos } }
}

// ---------------------------------------------------------------------------------------------
// Operands

const parseOperand = (s: State, after: string | undefined): Operand => {
  skipWhitespace(s)
  const ch = s.text[s.pos]
  if (ch === "'" || ch === "\"") return parseString(s, ch)
  if (ch !== undefined && /[-0-9]/.test(ch)) return parseNumber(s)
  if (ch === "$") return parseDollar(s)
  if (ch !== undefined && /[A-Za-z_]/.test(ch)) return parseKeyword(s, after)
  return raise(
    `expected an operand${after === undefined ? "" : ` after ${after}`}, found ${describeAt(s.text, s.pos)}`,
    charSpan(s.text, s.pos)
  )
}

const parseString = (s: State, quote: "'" | "\""): Operand => {
  const start = s.pos
  let value = ""
  let pos = start + 1
  for (;;) {
    const close = s.text.indexOf(quote, pos)
    if (close < 0) return raise(`unterminated string literal: expected a closing ${quote}`, { start, end: start + 1 })
    value += s.text.slice(pos, close)
    if (s.text[close + 1] !== quote) {
      s.pos = close + 1
      return { type: "literal", value, quote, span: { start, end: s.pos } }
    }
    value += quote // doubled quote: an escaped quote
    pos = close + 2
  }
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

const parseNumber = (s: State): Operand => {
  const start = s.pos
  NUMBER.lastIndex = start
  const match = NUMBER.exec(s.text)
  if (match === null) {
    return raise(`expected a digit after '-', found ${describeAt(s.text, start + 1)}`, charSpan(s.text, start + 1))
  }
  const end = start + match[0].length
  const next = s.text[end]
  if (next !== undefined && /[\p{L}\p{N}_$.]/u.test(next)) {
    raise(
      `expected an operator or end of condition after the number '${match[0]}', found '${next}'`,
      charSpan(s.text, end)
    )
  }
  const value = Number(match[0])
  if (!Number.isFinite(value)) raise(`number literal '${match[0]}' is out of range`, { start, end })
  s.pos = end
  return { type: "literal", value, span: { start, end } }
}

const KEYWORDS: ReadonlyMap<string, boolean | null> = new Map([["true", true], ["false", false], ["null", null]])

const parseKeyword = (s: State, after: string | undefined): Operand => {
  const start = s.pos
  const word = /[\p{L}\p{N}_$-]*/uy
  word.lastIndex = start
  const text = word.exec(s.text)?.[0] ?? ""
  const value = KEYWORDS.get(text)
  if (value === undefined) {
    return raise(
      `expected an operand${after === undefined ? "" : ` after ${after}`} (a number, 'string', true, false, null or ` +
        `a runtime expression), found '${text}'`,
      { start, end: start + text.length }
    )
  }
  s.pos = start + text.length
  return { type: "literal", value, span: { start, end: s.pos } }
}

/** `$statusCode`, `$response.body#/x`, … or, with contextRoot, `$` alone as the context root. */
const parseDollar = (s: State): Operand => {
  const start = s.pos
  if (hasRuntimeExpressionPrefixAt(s.text, start) || /[A-Za-z0-9_]/.test(s.text[start + 1] ?? "")) {
    // Not a known prefix: the scanner raises with the list of valid forms.
    const expression = scanRuntimeExpression(s.text, start, "condition")
    s.pos = expression.span.end
    const accessors = parseAccessors(s)
    return { type: "expression", expression, accessors, span: { start, end: s.pos } }
  }
  if (!s.contextRoot) {
    raise(
      "expected a runtime expression after '$' ($statusCode, $response.body#/…, $steps.…); " +
        "'$' alone is the criterion context, which needs a jsonpath criterion with a context",
      { start, end: start + 1 }
    )
  }
  s.pos = start + 1
  const accessors = parseAccessors(s)
  return { type: "context", accessors, span: { start, end: s.pos } }
}

const PROPERTY = /[\p{L}\p{N}_$-]+/uy
const INDEX = /\d+/y

/** `[n]` and `.name` written directly after an operand. */
const parseAccessors = (s: State): ReadonlyArray<Accessor> => {
  const accessors: Array<Accessor> = []
  for (;;) {
    const ch = s.text[s.pos]
    if (ch === ".") accessors.push({ type: "property", name: takeProperty(s) })
    else if (ch === "[") accessors.push({ type: "index", index: takeIndex(s) })
    else return accessors
  }
}

const takeProperty = (s: State): string => {
  PROPERTY.lastIndex = s.pos + 1
  const name = PROPERTY.exec(s.text)?.[0]
  if (name === undefined) {
    return raise(
      `expected a property name after '.', found ${describeAt(s.text, s.pos + 1)}`,
      charSpan(s.text, s.pos + 1)
    )
  }
  s.pos += 1 + name.length
  return name
}

const takeIndex = (s: State): number => {
  INDEX.lastIndex = s.pos + 1
  const digits = INDEX.exec(s.text)?.[0]
  if (digits === undefined) {
    return raise(
      `expected a non-negative integer index after '[', found ${describeAt(s.text, s.pos + 1)} ` +
        "(JSONPath filters '[?…]' and wildcards '[*]' are not simple conditions)",
      charSpan(s.text, s.pos + 1)
    )
  }
  const close = s.pos + 1 + digits.length
  if (s.text[close] !== "]") {
    raise(`expected ']' after index ${digits}, found ${describeAt(s.text, close)}`, charSpan(s.text, close))
  }
  s.pos = close + 1
  return Number(digits)
}

// ---------------------------------------------------------------------------------------------
// Tokens

const skipWhitespace = (s: State): void => {
  while (s.pos < s.text.length && /\s/.test(s.text[s.pos] ?? "")) s.pos++
}

const takeOperator = (s: State, op: "||" | "&&"): boolean => {
  skipWhitespace(s)
  if (!s.text.startsWith(op, s.pos)) return false
  s.pos += op.length
  return true
}

/** Raise "expected <what>" at the current position, with a hint for the usual typos. */
const raiseUnexpected = (s: State, what: string): never => {
  const ch = s.text[s.pos]
  const span = charSpan(s.text, s.pos)
  const next = s.text[s.pos + 1]
  if (ch === "=" && next !== "=") raise(`expected ${what}, found '=' (equality is written '==')`, span)
  if (ch === "&" && next !== "&") raise(`expected ${what}, found '&' (logical and is written '&&')`, span)
  if (ch === "|" && next !== "|") raise(`expected ${what}, found '|' (logical or is written '||')`, span)
  if (ch === ")") raise(`expected ${what}, found ')' without a matching '('`, span)
  return raise(`expected ${what}, found ${describeAt(s.text, s.pos)}`, span)
}

const cover = (first: Span, last: Span): Span => ({ start: first.start, end: last.end })

// ---------------------------------------------------------------------------------------------
// Printing

const PRECEDENCE: Readonly<Record<Condition["type"], number>> = { or: 1, and: 2, compare: 3, not: 4, operand: 5 }

/**
 * Canonical text: single-quoted strings, one space around binary operators, parentheses only
 * where the tree needs them. Parsing the result gives the same tree (spans and quote aside).
 */
export const conditionToString = (c: Condition): string => {
  switch (c.type) {
    case "or":
    case "and": {
      const op = c.type === "or" ? "||" : "&&"
      // Left-associative: a right child of the same precedence keeps its parentheses.
      return `${printChild(c.left, PRECEDENCE[c.type])} ${op} ${printChild(c.right, PRECEDENCE[c.type] + 1)}`
    }
    case "not":
      return `!${printChild(c.operand, PRECEDENCE.not)}`
    case "compare":
      return `${operandToString(c.left)} ${c.op} ${operandToString(c.right)}`
    case "operand":
      return operandToString(c.operand)
  }
}

const printChild = (c: Condition, minimum: number): string =>
  PRECEDENCE[c.type] < minimum ? `(${conditionToString(c)})` : conditionToString(c)

export const operandToString = (operand: Operand): string => {
  switch (operand.type) {
    case "literal":
      return literalToString(operand.value)
    case "expression":
      return operand.expression.text + accessorsToString(operand.accessors)
    case "context":
      return "$" + accessorsToString(operand.accessors)
  }
}

const literalToString = (value: string | number | boolean | null): string => {
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value)
  return String(value)
}

const accessorsToString = (accessors: ReadonlyArray<Accessor>): string =>
  accessors.map((a) => (a.type === "index" ? `[${a.index}]` : `.${a.name}`)).join("")

// ---------------------------------------------------------------------------------------------
// Warnings

/** Forms parseCondition accepts that the spec writes differently; the generator should warn. */
export const conditionWarnings = (c: Condition): ReadonlyArray<ExpressionWarning> =>
  operandsOf(c).flatMap(operandWarnings)

const operandsOf = (c: Condition): ReadonlyArray<Operand> => {
  switch (c.type) {
    case "or":
    case "and":
      return [...operandsOf(c.left), ...operandsOf(c.right)]
    case "not":
      return operandsOf(c.operand)
    case "compare":
      return [c.left, c.right]
    case "operand":
      return [c.operand]
  }
}

const operandWarnings = (operand: Operand): ReadonlyArray<ExpressionWarning> => {
  if (operand.type === "literal" && operand.quote === "\"") {
    return [{
      message: `string literals are single-quoted in Arazzo: write ${literalToString(operand.value)}`,
      span: operand.span
    }]
  }
  if (operand.type === "expression" && operand.expression.type === "body" && !operand.expression.text.includes("#")) {
    const first = operand.accessors[0]
    if (first?.type === "property") {
      const path = operand.accessors.map((a) => (a.type === "index" ? String(a.index) : a.name)).join("/")
      return [{
        message: `select body fields with a JSON pointer: write ${operand.expression.text}#/${path}`,
        span: operand.span
      }]
    }
  }
  return []
}
