/**
 * Criteria lowered to `ConditionIR`. Simple conditions are parsed once here. `jsonpath`
 * criteria written the way real documents write them (`$.status == 'done'`, which is not an
 * RFC 9535 query) are read as the author meant, a comparison on the context, with a warning
 * that shows the spec form.
 */
import { jsonpath } from "json-p3"
import { patternProblem } from "../../runtime/core/regex.js"
import type { Accessor, Condition, Operand } from "../expressions/index.js"
import { conditionToString, parseBracedTemplate, parseCondition, parseRuntimeExpression } from "../expressions/index.js"
import { catastrophicBacktracking } from "../expressions/regex-backtracking.js"
import type { Path } from "../load/yaml.js"
import type { ConditionIR, CriterionIR, ValueIR } from "../lower/ir.js"
import { isObject, report, type Scope, stringAt } from "./context.js"
import { lowerExpression } from "./values.js"
import { xpathSyntaxError } from "./xpath.js"

const accessorSegments = (accessors: ReadonlyArray<Accessor>) =>
  accessors.map((a) => (a.type === "index" ? a.index : a.name))

/** Appends accessors to a value that can be walked into. */
const walk = (value: ValueIR, accessors: ReadonlyArray<Accessor>): ValueIR | undefined => {
  if (accessors.length === 0) return value
  const more = accessorSegments(accessors)
  switch (value.kind) {
    case "stepOutput":
      return value.each === undefined
        ? { ...value, path: [...value.path, ...more] }
        : { ...value, each: [...value.each, ...more] }
    case "input":
    case "responseBody":
      return { ...value, path: [...value.path, ...more] }
    default:
      return undefined
  }
}

const lowerCondition = (
  condition: Condition,
  scope: Scope,
  path: Path,
  context: ValueIR | undefined
): ConditionIR | undefined => {
  const operand = (o: Operand): ValueIR | undefined => {
    switch (o.type) {
      case "literal":
        return { kind: "literal", value: o.value }
      case "context": {
        const walked = context === undefined ? undefined : walk(context, o.accessors)
        if (walked === undefined) {
          report(
            scope,
            path,
            "error",
            "criterion-context",
            "`$` here needs a context that is a body or a value",
            o.span.start
          )
        }
        return walked
      }
      case "expression": {
        const value = lowerExpression(o.expression, scope, path)
        if (value === undefined) return undefined
        const walked = walk(value, o.accessors)
        if (walked === undefined) {
          report(scope, path, "error", "criterion-accessor", `\`${o.expression.text}\` cannot be indexed`, o.span.start)
        }
        return walked
      }
    }
  }
  switch (condition.type) {
    case "and":
    case "or": {
      const left = lowerCondition(condition.left, scope, path, context)
      const right = lowerCondition(condition.right, scope, path, context)
      return left && right ? { kind: condition.type, left, right } : undefined
    }
    case "not": {
      const inner = lowerCondition(condition.operand, scope, path, context)
      return inner && { kind: "not", operand: inner }
    }
    case "compare": {
      const left = operand(condition.left)
      const right = operand(condition.right)
      return left && right ? { kind: "compare", op: condition.op, left, right } : undefined
    }
    case "operand": {
      const value = operand(condition.operand)
      return value && { kind: "truthy", value }
    }
  }
}

const usesContext = (c: Condition): boolean => {
  switch (c.type) {
    case "and":
    case "or":
      return usesContext(c.left) || usesContext(c.right)
    case "not":
      return usesContext(c.operand)
    case "compare":
      return c.left.type === "context" || c.right.type === "context"
    case "operand":
      return c.operand.type === "context"
  }
}

const criterionType = (criterion: Record<string, unknown>): string => {
  const type = criterion["type"]
  if (isObject(type)) return String(type["type"] ?? "simple")
  return typeof type === "string" ? type : "simple"
}

/** The RFC 9535 filter a real-world `$.x == 'y'` condition stands for. */
const specForm = (condition: Condition) => `$[?${conditionToString(condition).replace(/\$(?=[.[])/g, "@")}]`

export const lowerCriterion = (criterion: unknown, scope: Scope, path: Path): CriterionIR | undefined => {
  if (!isObject(criterion)) {
    report(scope, path, "error", "criterion-invalid", "a criterion must be an object with a `condition`")
    return undefined
  }
  const text = stringAt(criterion, "condition")
  if (text === undefined) {
    report(scope, path, "error", "criterion-invalid", "a criterion needs a `condition` string")
    return undefined
  }
  const conditionPath = [...path, "condition"]
  const type = criterionType(criterion)
  if (scope.line === "1.1" && (type === "regex" || type === "jsonpath" || type === "xpath")) {
    const substituted = lowerSubstitution(text, scope, conditionPath)
    if (substituted === null) return undefined
    if (substituted !== undefined) {
      const contextText = stringAt(criterion, "context")
      if (contextText === undefined) {
        report(scope, path, "error", "criterion-context", `a \`${type}\` criterion needs a \`context\``)
        return undefined
      }
      const context = lowerContext(contextText, scope, path)
      if (context === undefined) return undefined
      const test: ConditionIR = type === "regex"
        ? { kind: "regex", pattern: text, context, strict: true, substituted }
        : type === "jsonpath"
        ? { kind: "jsonpath", query: text, context, strict: true, substituted }
        : { kind: "xpath", expression: text, context, strict: true, substituted }
      return { text, test }
    }
    const lowered = lowerCriterionAs(criterion, text, type, scope, path, conditionPath)
    return lowered && { text: lowered.text, test: strictly(lowered.test) }
  }
  return lowerCriterionAs(criterion, text, type, scope, path, conditionPath)
}

/** A 1.1 regex/JSONPath/XPath condition evaluated strictly: evaluation errors are reported. */
const strictly = (test: ConditionIR): ConditionIR =>
  test.kind === "regex" || test.kind === "jsonpath" || test.kind === "xpath" ? { ...test, strict: true } : test

/**
 * The `{$…}` expressions of a 1.1 regex/JSONPath/XPath condition, as a template that gives the
 * condition's text at run time; `undefined` when it has none, `null` after reporting an error.
 */
const lowerSubstitution = (text: string, scope: Scope, conditionPath: Path): ValueIR | undefined | null => {
  if (!text.includes("{$")) return undefined
  const parsed = parseBracedTemplate(text)
  if (!parsed.ok) {
    report(scope, conditionPath, "error", "expression-syntax", parsed.error.message, parsed.error.span.start)
    return null
  }
  if (parsed.value.every((p) => p.type === "literal")) return undefined
  const parts: Array<string | ValueIR> = []
  for (const part of parsed.value) {
    if (part.type === "literal") {
      parts.push(part.text)
      continue
    }
    const value = lowerExpression(part.expression, scope, conditionPath)
    if (value === undefined) return null
    parts.push(value)
  }
  return { kind: "template", parts, json: true }
}

const lowerCriterionAs = (
  criterion: Record<string, unknown>,
  text: string,
  type: string,
  scope: Scope,
  path: Path,
  conditionPath: Path
): CriterionIR | undefined => {
  if (type === "simple") {
    const parsed = parseCondition(text)
    if (!parsed.ok) {
      report(scope, conditionPath, "error", "condition-syntax", parsed.error.message, parsed.error.span.start)
      return undefined
    }
    const test = lowerCondition(parsed.value, scope, conditionPath, undefined)
    return test && { text, test }
  }
  if (type === "jsonpath") {
    const contextText = stringAt(criterion, "context")
    if (contextText === undefined) {
      report(scope, path, "error", "criterion-context", "a `jsonpath` criterion needs a `context`")
      return undefined
    }
    const context = lowerContext(contextText, scope, path)
    if (context === undefined) return undefined
    const parsed = parseCondition(text, { contextRoot: true })
    if (!parsed.ok || !usesContext(parsed.value)) {
      // A real RFC 9535 query: checked now, compiled once when the module loads.
      try {
        jsonpath.compile(text)
      } catch (cause) {
        const at = (cause as { token?: { index?: number } }).token?.index
        report(
          scope,
          conditionPath,
          "error",
          "jsonpath-syntax",
          `not an RFC 9535 JSONPath query: ${cause instanceof Error ? cause.message : String(cause)}`,
          at ?? 0
        )
        return undefined
      }
      return { text, test: { kind: "jsonpath", query: text, context } }
    }
    report(
      scope,
      conditionPath,
      "warning",
      "jsonpath-comparison",
      `\`${text}\` is not an RFC 9535 JSONPath query; evaluated as a comparison on the context, as its author meant. Spec form: \`${
        specForm(parsed.value)
      }\``
    )
    const test = lowerCondition(parsed.value, scope, conditionPath, context)
    return test && { text, test }
  }
  if (type === "regex") {
    const contextText = stringAt(criterion, "context")
    if (contextText === undefined) {
      report(scope, path, "error", "criterion-context", "a `regex` criterion needs a `context`")
      return undefined
    }
    const context = lowerContext(contextText, scope, path)
    if (context === undefined) return undefined
    if (!checkPattern(text, scope, conditionPath)) return undefined
    return { text, test: { kind: "regex", pattern: text, context } }
  }
  if (type === "xpath") {
    const contextText = stringAt(criterion, "context")
    if (contextText === undefined) {
      report(scope, path, "error", "criterion-context", "an `xpath` criterion needs a `context`")
      return undefined
    }
    const context = lowerContext(contextText, scope, path)
    if (context === undefined) return undefined
    const problem = xpathSyntaxError(text)
    if (problem !== undefined) {
      report(scope, conditionPath, "error", "xpath-syntax", `not an XPath expression: ${problem}`)
      return undefined
    }
    return { text, test: { kind: "xpath", expression: text, context } }
  }
  report(scope, path, "error", "unsupported-criterion", `\`${type}\` criteria are not supported yet`)
  return undefined
}

/**
 * A regex criterion's pattern: ECMAScript syntax, that the runtime's linear-time engine can run
 * (no backreferences or lookahead); a pattern that would backtrack catastrophically in an
 * ECMAScript engine is a warning, for the other tools that read the document.
 */
const checkPattern = (text: string, scope: Scope, conditionPath: Path): boolean => {
  try {
    new RegExp(text)
  } catch (cause) {
    report(
      scope,
      conditionPath,
      "error",
      "regex-syntax",
      `not a regular expression: ${cause instanceof Error ? cause.message : String(cause)}`
    )
    return false
  }
  const problem = patternProblem(text)
  if (problem !== undefined) {
    report(
      scope,
      conditionPath,
      "error",
      "unsupported-regex-feature",
      `this pattern needs a backtracking engine (${problem}); regex criteria run in linear time, without backreferences or lookahead: rewrite it without them (see docs/security.md)`
    )
    return false
  }
  const backtracking = catastrophicBacktracking(text)
  if (backtracking !== undefined) {
    report(
      scope,
      conditionPath,
      "warning",
      "regex-backtracking",
      `\`${backtracking.fragment}\` can backtrack catastrophically in ECMAScript regex engines: ${backtracking.why}. arazzo-effect runs it in linear time; other tools may hang on a long value`,
      backtracking.offset
    )
  }
  return true
}

const lowerContext = (contextText: string, scope: Scope, path: Path): ValueIR | undefined => {
  const parsed = parseRuntimeExpression(contextText)
  if (!parsed.ok) {
    report(scope, [...path, "context"], "error", "expression-syntax", parsed.error.message, parsed.error.span.start)
    return undefined
  }
  return lowerExpression(parsed.value, scope, [...path, "context"])
}

/** Every criterion of a list must hold: they are joined with `and`, keeping the texts. */
export const lowerCriteria = (list: ReadonlyArray<unknown>, scope: Scope, path: Path): CriterionIR | undefined => {
  const lowered = list.map((c, i) => lowerCriterion(c, scope, [...path, i]))
  if (lowered.some((c) => c === undefined) || lowered.length === 0) return undefined
  const all = lowered as Array<CriterionIR>
  return all.slice(1).reduce<CriterionIR>(
    (acc, c) => ({ text: `${acc.text} && ${c.text}`, test: { kind: "and", left: acc.test, right: c.test } }),
    all[0]!
  )
}
