/**
 * Arazzo 1.1 Selector Objects (`context`, `selector`, `type`) and replacement targets
 * (`targetSelectorType`), lowered to `ValueIR`. The selector is checked here, in its language,
 * with a diagnostic at its place; what it yields is decided here too:
 *
 * - JSON Pointer (RFC 6901): the value at the pointer, as `$…#/pointer` reads it.
 * - JSONPath (RFC 9535): a singular query (names and indices only, §2.3.5.1) yields the value it
 *   selects, or nothing; any other query yields the list of the values it selects (possibly
 *   empty). A singular query of member names and non-negative indices is the JSON Pointer it
 *   spells, lowered as one, so it is typed by the response schema as a pointer is.
 * - XPath: the string value of the first node selected, or the computed value(s)
 *   (`ArazzoXml.xpathSelect`), on a context that is XML text.
 */
import { jsonpath } from "json-p3"
import type { Segment } from "../../runtime/core/values.js"
import type { Path } from "../load/yaml.js"
import type { SelectorIR, SelectorType, ValueIR } from "../lower/ir.js"
import { isObject, report, type Scope } from "./context.js"
import { xpathSyntaxProblem } from "./xpath.js"

/** The versions the 1.1 Expression Type Object allows for each type, the default first. */
const VERSIONS: Readonly<Record<SelectorType, ReadonlyArray<string>>> = {
  jsonpath: ["rfc9535", "draft-goessner-dispatch-jsonpath-00"],
  xpath: ["xpath-31", "xpath-30", "xpath-20", "xpath-10"],
  jsonpointer: ["rfc6901"]
}

const isSelectorType = (type: unknown): type is SelectorType =>
  type === "jsonpath" || type === "xpath" || type === "jsonpointer"

/**
 * A Selector Object: `selector` and `type` beside a `context`, nothing else but extensions. Such
 * an object is never read as a literal: that would send the selector text.
 */
export const isSelectorObject = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && "context" in value && typeof value["selector"] === "string" && "type" in value &&
  Object.keys(value).every((k) => k === "context" || k === "selector" || k === "type" || k.startsWith("x-"))

/**
 * A selector `type`: a name, or an Expression Type Object `{ type, version }`; a name means its
 * type's default version. Reports (at `path`) and returns `undefined` for anything else.
 */
export const expressionType = (raw: unknown, scope: Scope, path: Path): SelectorType | undefined => {
  const type = isObject(raw) ? raw["type"] : raw
  const typePath = isObject(raw) ? [...path, "type"] : path
  if (!isSelectorType(type)) {
    report(
      scope,
      typePath,
      "error",
      "selector-type",
      `a selector type is \`jsonpath\`, \`xpath\` or \`jsonpointer\`, not ${JSON.stringify(type) ?? "nothing"}`
    )
    return undefined
  }
  if (!isObject(raw)) return type
  const version = raw["version"]
  if (typeof version !== "string" || !VERSIONS[type].includes(version)) {
    report(
      scope,
      [...path, "version"],
      "error",
      "selector-version",
      `a \`${type}\` version is ${VERSIONS[type].map((v) => `\`${v}\``).join(", ")}, not ${
        JSON.stringify(version) ?? "nothing"
      }`
    )
    return undefined
  }
  if (version === "draft-goessner-dispatch-jsonpath-00") {
    report(
      scope,
      [...path, "version"],
      "warning",
      "jsonpath-version",
      "the query runs as RFC 9535 JSONPath (the only JSONPath arazzo-effect runs); the draft's script expressions and its filters on objects may select differently"
    )
  }
  return type
}

/**
 * A JSONPath query, checked; `undefined` (reported at `path`, at the offending character, as
 * `code`) when it is not RFC 9535.
 */
const compileJsonPath = (query: string, scope: Scope, path: Path, code = "jsonpath-syntax") => {
  try {
    return jsonpath.compile(query)
  } catch (cause) {
    const at = (cause as { token?: { index?: number } }).token?.index
    report(
      scope,
      path,
      "error",
      code,
      `not an RFC 9535 JSONPath query: ${cause instanceof Error ? cause.message : String(cause)}`,
      at ?? 0
    )
    return undefined
  }
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/

/**
 * The path a singular query of member names and non-negative indices spells; `undefined` for
 * any other query. A name that looks like an index is left out: JSONPath's `['0']` never selects
 * an array element, but a pointer's `/0` does.
 */
const fixedPath = (query: ReturnType<typeof jsonpath.compile>): Array<Segment> | undefined => {
  if (!query.singularQuery()) return undefined
  const path: Array<Segment> = []
  for (const segment of query.segments) {
    const selector = segment.selectors[0]
    if (selector instanceof jsonpath.selectors.NameSelector && !ARRAY_INDEX.test(selector.name)) {
      path.push(selector.name)
    } else if (selector instanceof jsonpath.selectors.IndexSelector && selector.index >= 0) {
      path.push(selector.index)
    } else return undefined
  }
  return path
}

/** A JSON Pointer's segments (array-index tokens as numbers); `undefined` (reported) when it is not one. */
const pointerPath = (
  pointer: string,
  scope: Scope,
  path: Path,
  code = "jsonpointer-syntax"
): Array<Segment> | undefined => {
  const bad = (message: string, offset: number) => {
    report(scope, path, "error", code, `not a JSON Pointer (RFC 6901): ${message}`, offset)
    return undefined
  }
  if (pointer === "") return []
  if (!pointer.startsWith("/")) return bad("it must be empty or start with `/`", 0)
  const tilde = /~(?![01])/.exec(pointer)
  if (tilde !== null) return bad("`~` must be followed by `0` or `1`", tilde.index)
  return pointer.slice(1).split("/").map((token) => {
    const decoded = token.replace(/~1/g, "/").replace(/~0/g, "~")
    return ARRAY_INDEX.test(decoded) ? Number(decoded) : decoded
  })
}

/** `value` read further at `path`, when it is a value read at a path; `undefined` otherwise. */
const extend = (value: ValueIR, path: ReadonlyArray<Segment>): ValueIR | undefined => {
  if (path.length === 0) return value
  switch (value.kind) {
    case "stepOutput":
      return value.each === undefined ? { ...value, path: [...value.path, ...path] } : undefined
    case "input":
    case "responseBody":
    case "requestBody":
    case "calledOutput":
    case "workflowValue":
      return { ...value, path: [...value.path, ...path] }
    default:
      return undefined
  }
}

/**
 * A Selector Object lowered: the context (a runtime expression, lowered by `lowerContext`) and
 * the selector checked in its language. `undefined` when either is wrong (reported).
 */
export const lowerSelector = (
  raw: Record<string, unknown>,
  scope: Scope,
  path: Path,
  lowerContext: (text: string, path: Path) => ValueIR | undefined
): ValueIR | undefined => {
  const type = expressionType(raw["type"], scope, [...path, "type"])
  const contextText = raw["context"]
  let context: ValueIR | undefined
  if (typeof contextText !== "string" || !contextText.startsWith("$")) {
    report(
      scope,
      [...path, "context"],
      "error",
      "selector-context",
      "a Selector Object's `context` is a runtime expression, such as `$response.body`"
    )
  } else context = lowerContext(contextText, [...path, "context"])
  const text = raw["selector"] as string
  const at = [...path, "selector"]
  const selector = type === undefined ? undefined : checkSelector(type, text, scope, at)
  if (context === undefined || selector === undefined) return undefined
  if (selector.type === "jsonpointer") {
    return extend(context, selector.path) ?? { kind: "select", context, selector }
  }
  return { kind: "select", context, selector }
}

/** The selector checked in its language; `undefined` (reported at `path`) when it is not valid there. */
const checkSelector = (type: SelectorType, text: string, scope: Scope, path: Path): SelectorIR | undefined => {
  switch (type) {
    case "jsonpointer": {
      const pointer = pointerPath(text, scope, path)
      return pointer && { type, path: pointer }
    }
    case "jsonpath": {
      const query = compileJsonPath(text, scope, path)
      if (query === undefined) return undefined
      const fixed = fixedPath(query)
      return fixed === undefined
        ? { type, query: text, singular: query.singularQuery() }
        : { type: "jsonpointer", path: fixed }
    }
    case "xpath":
      return checkXPath(text, scope, path) ? { type, expression: text } : undefined
  }
}

/** Whether an expression is XPath; reported at `path` (at the place it stops parsing) when not. */
const checkXPath = (expression: string, scope: Scope, path: Path, code = "xpath-syntax"): boolean => {
  const problem = xpathSyntaxProblem(expression)
  if (problem !== undefined) {
    report(scope, path, "error", code, `not an XPath expression: ${problem.message}`, problem.offset)
  }
  return problem === undefined
}

/**
 * A Payload Replacement's target and how it is read: `targetSelectorType` (a name or an
 * Expression Type Object) when given, else a JSON Pointer, or an XPath for an XML body (1.1's
 * defaults, which 1.0 documents follow too). A type the body cannot take (a JSON Pointer or
 * JSONPath into XML, an XPath into JSON) is an error. Reports and returns `undefined` when wrong.
 */
export const replacementTarget = (
  replacement: Record<string, unknown>,
  xml: boolean,
  scope: Scope,
  path: Path
): { readonly target: string; readonly targetType: SelectorType } | undefined => {
  const target = typeof replacement["target"] === "string" ? replacement["target"] : ""
  const given = replacement["targetSelectorType"]
  const targetType = given === undefined
    ? xml ? "xpath" : "jsonpointer"
    : expressionType(given, scope, [...path, "targetSelectorType"])
  if (targetType === undefined) return undefined
  if ((targetType === "xpath") !== xml) {
    report(
      scope,
      [...path, "targetSelectorType"],
      "error",
      "replacement-target-type",
      xml
        ? `an XML body's replacement targets are XPath expressions, not ${
          targetType === "jsonpath" ? "JSONPath" : "JSON Pointers"
        }`
        : "XPath targets replace into XML bodies; this body is not XML (its targets are JSON Pointers or JSONPath)"
    )
    return undefined
  }
  const at = [...path, "target"]
  const code = "replacement-target"
  switch (targetType) {
    case "jsonpointer":
      return pointerPath(target, scope, at, code) && { target, targetType }
    case "jsonpath":
      return compileJsonPath(target, scope, at, code) && { target, targetType }
    case "xpath":
      return checkXPath(target, scope, at, code) ? { target, targetType } : undefined
  }
}
