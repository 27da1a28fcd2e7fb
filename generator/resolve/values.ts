/**
 * Document values (parameter values, payloads, output expressions) lowered to `ValueIR`:
 * runtime expressions resolved against what is in scope, templates split into parts, and
 * everything else kept as literal data.
 */
import { jsonpath } from "json-p3"
import type { Segment } from "../../runtime/core/values.js"
import type { Accessor, JsonPointer, RuntimeExpression } from "../expressions/index.js"
import {
  hasRuntimeExpressionPrefix,
  isRuntimeExpression,
  parseRuntimeExpression,
  parseTemplate,
  resolveNamePath
} from "../expressions/index.js"
import { lenientMessage, readLeniently } from "../expressions/lenient.js"
import type { Path } from "../load/yaml.js"
import type { ValueIR } from "../lower/ir.js"
import { isObject, report, type Scope } from "./context.js"
import { readFilter, readProjection, readProseNamed, readSpacedName } from "./output-readings.js"
import { isSelectorObject, lowerSelector } from "./selectors.js"

/** JSON Pointer tokens, with array-index-like tokens as numbers so generated paths read naturally. */
export const segments = (pointer: JsonPointer | undefined): Array<Segment> =>
  (pointer ?? []).map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token))

const accessorPath = (accessors: ReadonlyArray<Accessor>): Array<Segment> =>
  accessors.map((a) => (a.type === "index" ? a.index : a.name))

const accessorText = (accessors: ReadonlyArray<Accessor>): string =>
  accessors.map((a) => (a.type === "index" ? `[${a.index}]` : `.${a.name}`)).join("")

const compilesAsJsonPath = (query: string): boolean => {
  try {
    jsonpath.compile(query)
    return true
  } catch {
    return false
  }
}

/**
 * `$message.header.x` / `$message.payload#/a`: in an AsyncAPI step, the message it sent or
 * received, read as a response is (its headers and body; see runtime message-step.ts).
 */
const messageValue = (
  expression: Extract<RuntimeExpression, { readonly type: "header" | "body" }>,
  scope: Scope,
  fail: (code: string, message: string) => undefined
): ValueIR | undefined => {
  if (scope.message !== true) {
    return fail(
      "message-context",
      `\`${expression.text}\`: \`$message\` has a value only in an AsyncAPI step (one that sends or receives a message)`
    )
  }
  if (!scope.response) {
    return fail("no-message", `\`${expression.text}\` has no value before the message is sent or received`)
  }
  return expression.type === "header"
    ? { kind: "responseHeader", name: expression.name.toLowerCase() }
    : { kind: "responseBody", path: segments(expression.pointer) }
}

/** Lowers one parsed runtime expression; reports and returns `undefined` when it cannot be used here. */
export const lowerExpression = (
  expression: RuntimeExpression,
  scope: Scope,
  path: Path,
  offset = 0
): ValueIR | undefined => {
  const fail = (code: string, message: string) => {
    report(scope, path, "error", code, message, offset + expression.span.start)
    return undefined
  }
  const loose = scope.line === "1.1" ? looseName(expression) : undefined
  if (loose !== undefined) return fail("expression-identifier", loose)
  switch (expression.type) {
    case "self":
      if (scope.line !== "1.1") {
        return fail(
          "expression-version",
          "`$self` is an Arazzo 1.1 expression; this document is 1.0 (`arazzo-effect upgrade` moves it to 1.1)"
        )
      }
      return scope.self === undefined
        ? fail("self-undeclared", "`$self` has a value only when the document declares its `$self` URI")
        : { kind: "literal", value: scope.self }
    case "inputs": {
      // `$inputs.customer.uri` reads property `uri` of input `customer` when no input is named `customer.uri`.
      const resolved = resolveNamePath(expression.name, (name) => scope.inputs.has(name))
      if (resolved === undefined) {
        return fail(
          "unknown-input",
          `\`${expression.text}\`: workflow ${scope.workflowId} has no input \`${expression.name}\``
        )
      }
      return {
        kind: "input",
        name: resolved.name,
        path: [...accessorPath(resolved.accessors), ...segments(expression.pointer)]
      }
    }
    case "stepOutputs": {
      if (!scope.allSteps.has(expression.stepId)) {
        return fail(
          "unknown-step",
          `\`${expression.text}\`: workflow ${scope.workflowId} has no step \`${expression.stepId}\``
        )
      }
      const outputs = scope.stepsBefore.get(expression.stepId)
      if (outputs === undefined) {
        return scope.canRunBefore.has(expression.stepId)
          ? fail(
            "unsupported-step-reference",
            `\`${expression.text}\`: step \`${expression.stepId}\` runs before this point only through a backward goto, which is not supported yet`
          )
          : fail(
            "step-not-run",
            `\`${expression.text}\`: step \`${expression.stepId}\` cannot have run before this point`
          )
      }
      const declared = resolveNamePath(expression.name, (name) => outputs.has(name))
      // An output whose name carries prose (`rates (list of …)`) is read by the name before it.
      const prose = declared === undefined ? readProseNamed(expression.name, outputs) : undefined
      if (prose?.kind === "two") {
        return fail(
          "ambiguous-output",
          `\`${expression.text}\`: step \`${expression.stepId}\` has no output \`${expression.name}\`; ${
            prose.keys.map((k) => `\`${k}\``).join(" and ")
          } both fit. Name the outputs without the prose in parentheses`
        )
      }
      if (prose !== undefined) {
        report(
          scope,
          path,
          "warning",
          "output-name-prose",
          `\`${expression.text}\` reads output \`${prose.key}\` of step \`${expression.stepId}\`, whose name carries prose in parentheses; read as meant. Spec form: name the output \`${prose.stem}\``,
          offset + expression.span.start
        )
      }
      const resolved = declared ?? (prose === undefined ? undefined : { name: prose.key, accessors: prose.accessors })
      // `list[*].id`: the `id` of each item (JSONPath's wildcard), one reading.
      const projection = resolved === undefined && expression.pointer === undefined
        ? readProjection(expression.name, outputs)
        : undefined
      if (projection !== undefined) {
        report(
          scope,
          path,
          "warning",
          "output-projection",
          `\`${expression.text}\` selects with a wildcard (\`${projection.wildcard}\`), which runtime expressions do not have; read as ${
            projection.each.length === 0
              ? "each item"
              : `\`${accessorText(projection.each).replace(/^\./, "")}\` of each item`
          } of \`${projection.name}${
            accessorText(projection.accessors)
          }\`, a list. Spec form: none; make it an output of step \`${expression.stepId}\`, e.g. a \`$response.body#/…\` list`,
          offset + expression.span.start
        )
        return {
          kind: "stepOutput",
          stepId: expression.stepId,
          name: projection.name,
          path: accessorPath(projection.accessors),
          each: accessorPath(projection.each)
        }
      }
      // `list[?(@.sent==false)].id`: the `id` of each item the JSONPath filter selects, a list.
      const filtered = resolved === undefined && expression.pointer === undefined
        ? readFilter(expression.name, outputs, compilesAsJsonPath)
        : undefined
      if (filtered !== undefined) {
        report(
          scope,
          path,
          "warning",
          "output-filter",
          `\`${expression.text}\` selects with a JSONPath filter (\`${filtered.filter}\`), which runtime expressions do not have; read as the list of ${
            filtered.each.length === 0
              ? "the items"
              : `\`${accessorText(filtered.each).replace(/^\./, "")}\` of the items`
          } of \`${filtered.name}${
            accessorText(filtered.accessors)
          }\` that the RFC 9535 query \`${filtered.query}\` selects (a list even when one item matches). Spec form: none; a runtime expression cannot filter`,
          offset + expression.span.start
        )
        return {
          kind: "stepOutput",
          stepId: expression.stepId,
          name: filtered.name,
          path: accessorPath(filtered.accessors),
          filter: filtered.query,
          each: accessorPath(filtered.each)
        }
      }
      if (resolved === undefined) {
        return fail(
          "unknown-output",
          `\`${expression.text}\`: step \`${expression.stepId}\` has no output \`${expression.name}\``
        )
      }
      return {
        kind: "stepOutput",
        stepId: expression.stepId,
        name: resolved.name,
        path: [...accessorPath(resolved.accessors), ...segments(expression.pointer)]
      }
    }
    case "outputs": {
      if (scope.calledOutputs === undefined) {
        return fail(
          "outputs-context",
          `\`${expression.text}\`: \`$outputs\` has a value only in a step that runs a workflow (that workflow's outputs); a response is read with \`$response.body#/…\``
        )
      }
      const resolved = resolveNamePath(expression.name, (name) => scope.calledOutputs!.has(name))
      if (resolved === undefined) {
        return fail(
          "unknown-output",
          `\`${expression.text}\`: the called workflow has no output \`${expression.name}\``
        )
      }
      return {
        kind: "calledOutput",
        name: resolved.name,
        path: [...accessorPath(resolved.accessors), ...segments(expression.pointer)]
      }
    }
    case "statusCode":
      if (scope.message === true) {
        return fail(
          "message-no-status",
          `\`${expression.text}\`: a message has no status code; test its payload (\`$message.payload#/…\`)`
        )
      }
      return scope.response
        ? { kind: "statusCode" }
        : fail("no-response", `\`${expression.text}\` has no value before the response`)
    case "body":
      if (expression.of === "message") return messageValue(expression, scope, fail)
      if (expression.of === "response") {
        return scope.response
          ? { kind: "responseBody", path: segments(expression.pointer) }
          : fail("no-response", `\`${expression.text}\` has no value before the response`)
      }
      return scope.response
        ? { kind: "requestBody", path: segments(expression.pointer) }
        : fail("no-request", `\`${expression.text}\` has no value while the request is being built`)
    case "header":
      if (expression.of === "message") return messageValue(expression, scope, fail)
      if (expression.of === "response") {
        return scope.response
          ? { kind: "responseHeader", name: expression.name.toLowerCase() }
          : fail("no-response", `\`${expression.text}\` has no value before the response`)
      }
      return scope.response
        ? { kind: "requestParameter", in: "header", name: expression.name.toLowerCase() }
        : fail("no-request", `\`${expression.text}\` has no value while the request is being built`)
    case "query":
    case "path":
      return scope.response
        ? { kind: "requestParameter", in: expression.type, name: expression.name }
        : fail("no-request", `\`${expression.text}\` has no value while the request is being built`)
    case "url":
    case "method":
      return scope.response
        ? { kind: "requestLine", part: expression.type }
        : fail("no-request", `\`${expression.text}\` has no value while the request is being built`)
    case "sourceDescription": {
      const url = scope.sourceUrls?.get(expression.name)
      if (url === undefined) {
        return fail("unknown-source", `\`${expression.text}\`: no source description is named \`${expression.name}\``)
      }
      if (expression.field !== "url") {
        return fail("expression-field", `\`${expression.text}\`: a source description's only value is its \`url\``)
      }
      return { kind: "literal", value: url }
    }
    case "component": {
      if (expression.kind !== "parameters") {
        return fail(
          "expression-field",
          `\`${expression.text}\`: only \`$components.parameters\` has a value; ${expression.kind} are referenced with \`reference\``
        )
      }
      const parameter = scope.componentParameters?.[expression.name]
      if (!isObject(parameter)) {
        const known = Object.keys(scope.componentParameters ?? {})
        return fail(
          "unknown-component",
          `\`${expression.text}\` does not name one of components.parameters (${
            known.map((k) => `\`${k}\``).join(", ") || "there are none"
          })`
        )
      }
      return lowerValue(parameter["value"], scope, path)
    }
    case "workflowInputs":
    case "workflowOutputs": {
      const of = expression.type === "workflowInputs" ? "inputs" : "outputs"
      const dependency = scope.dependencies?.get(expression.workflowId)
      if (dependency === undefined) {
        return fail(
          "workflow-not-run",
          `\`${expression.text}\`: workflow \`${expression.workflowId}\` has not run here; list it in \`dependsOn\` to read its ${of}`
        )
      }
      const resolved = resolveNamePath(expression.name, (name) => dependency[of].has(name))
      if (resolved === undefined) {
        return fail(
          of === "inputs" ? "unknown-input" : "unknown-output",
          `\`${expression.text}\`: workflow \`${expression.workflowId}\` has no ${
            of === "inputs" ? "input" : "output"
          } \`${expression.name}\``
        )
      }
      return {
        kind: "workflowValue",
        workflowId: expression.workflowId,
        of,
        name: resolved.name,
        path: [...accessorPath(resolved.accessors), ...segments(expression.pointer)]
      }
    }
  }
}

/** Arazzo 1.1's `identifier`: input, output and component names are `[A-Za-z0-9._-]+`. */
const IDENTIFIER = /^[A-Za-z0-9._-]+$/

/** Why a 1.1 expression's name is not an `identifier`, with the pointer form when it indexes (`list[0]`). */
const looseName = (expression: RuntimeExpression): string | undefined => {
  if (
    !("name" in expression) || expression.type === "header" || expression.type === "query" ||
    expression.type === "path" || expression.type === "sourceDescription" || IDENTIFIER.test(expression.name)
  ) {
    return undefined
  }
  const bracket = /^([A-Za-z0-9._-]+)((?:\[\d+\]|\.[A-Za-z0-9_-]+)+)$/.exec(expression.name)
  const at = expression.text.lastIndexOf(expression.name)
  const hint = bracket === null || !("pointer" in expression) || expression.pointer !== undefined
    ? ""
    : ` (select into it with a JSON pointer). Spec form: \`${expression.text.slice(0, at)}${bracket[1]}#/${
      bracket[2]!.split(/[.[\]]+/).filter((t) => t !== "").join("/")
    }\``
  return `\`${expression.text}\`: in Arazzo 1.1 a name is letters, digits, \`.\`, \`-\` and \`_\`; \`${expression.name}\` is not${hint}`
}

/** A string value: one runtime expression, a template with embedded expressions, or a literal. */
export const lowerString = (text: string, scope: Scope, path: Path): ValueIR | undefined => {
  // A value that starts like an expression but is not one is a mistake, not a literal.
  if (isRuntimeExpression(text) || hasRuntimeExpressionPrefix(text)) {
    const parsed = parseRuntimeExpression(text)
    // An output name with spaces, read by that exact name: the name is the reading.
    const spaced = parsed.ok ? undefined : readSpacedName(text, (id) => scope.stepsBefore.get(id), scope.inputs)
    if (spaced !== undefined) {
      const what = spaced.kind === "input"
        ? `input \`${spaced.key}\` of workflow ${scope.workflowId}`
        : `output \`${spaced.key}\` of step \`${spaced.stepId}\``
      report(
        scope,
        path,
        "warning",
        "name-with-spaces",
        `\`${text}\` reads ${what}, whose name has spaces (a runtime expression ends at a space); read as meant. Spec form: name it \`${
          spaced.key.trim().replace(/\s+/g, "_")
        }\``,
        spaced.offset
      )
      return spaced.kind === "input"
        ? { kind: "input", name: spaced.key, path: [] }
        : { kind: "stepOutput", stepId: spaced.stepId, name: spaced.key, path: [] }
    }
    // A slip with one reading (../expressions/lenient.ts) is compiled as meant, with a warning.
    const lenient = parsed.ok ? undefined : readLeniently(text)
    if (lenient !== undefined) {
      report(scope, path, "warning", "expression-shorthand", lenientMessage(text, lenient), lenient.offset)
      return lowerExpression(lenient.expression, scope, path)
    }
    if (!parsed.ok) {
      report(scope, path, "error", "expression-syntax", parsed.error.message, parsed.error.span.start)
      return undefined
    }
    return lowerExpression(parsed.value, scope, path)
  }
  if (!text.includes("$")) return { kind: "literal", value: text }
  const parsed = parseTemplate(text)
  if (!parsed.ok) {
    report(scope, path, "error", "expression-syntax", parsed.error.message, parsed.error.span.start)
    return undefined
  }
  const { parts, bare } = parsed.value
  if (bare.length > 0) {
    const first = bare[0]!
    report(
      scope,
      path,
      "warning",
      "bare-expression",
      `\`${first.expression.text}\` is not braced; read as an embedded expression. Spec form: \`${first.suggestion}\``,
      first.expression.span.start
    )
  }
  if (parts.every((p) => p.type === "literal")) return { kind: "literal", value: text }
  const lowered: Array<string | ValueIR> = []
  for (const part of parts) {
    if (part.type === "literal") {
      lowered.push(part.text)
      continue
    }
    const value = lowerExpression(part.expression, scope, path)
    if (value === undefined) return undefined
    lowered.push(value)
  }
  return scope.line === "1.1" ? { kind: "template", parts: lowered, json: true } : { kind: "template", parts: lowered }
}

/** Any document value (payloads nest objects and arrays with expressions at any depth). */
export const lowerValue = (value: unknown, scope: Scope, path: Path): ValueIR | undefined => {
  if (typeof value === "string") return lowerString(value, scope, path)
  if (value === null || typeof value === "number" || typeof value === "boolean") return { kind: "literal", value }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => lowerValue(item, scope, [...path, i]))
    // Items that read a value at run time may find none (an optional input): those are left out.
    const compact = items.some((i) =>
      i !== undefined && i.kind !== "literal" && i.kind !== "object" && i.kind !== "array"
    )
    return items.every((i): i is ValueIR => i !== undefined) ? { kind: "array", items, compact } : undefined
  }
  if (isSelectorObject(value)) return lowerSelectorObject(value, scope, path)
  if (isObject(value)) {
    const entries: Array<readonly [string, ValueIR]> = []
    let ok = true
    for (const [key, item] of Object.entries(value)) {
      const lowered = lowerValue(item, scope, [...path, key])
      if (lowered === undefined) ok = false
      else entries.push([key, lowered])
    }
    return ok ? { kind: "object", entries } : undefined
  }
  return { kind: "literal", value: null }
}

/** A Selector Object (Arazzo 1.1), its context a runtime expression read where the object is. */
const lowerSelectorObject = (value: Record<string, unknown>, scope: Scope, path: Path): ValueIR | undefined =>
  lowerSelector(value, scope, path, (text, at) => {
    const context = lowerString(text, scope, at)
    if (context?.kind === "literal" || context?.kind === "template") {
      report(
        scope,
        at,
        "error",
        "selector-context",
        "a Selector Object's `context` is one runtime expression, such as `$response.body`"
      )
      return undefined
    }
    return context
  })

/**
 * A step's or a workflow's output: a runtime expression, or (Arazzo 1.1) a Selector Object;
 * `undefined` for anything else, unreported (the caller says what it expects).
 */
export const lowerOutputValue = (value: unknown, scope: Scope, path: Path): ValueIR | undefined =>
  typeof value === "string"
    ? lowerString(value, scope, path)
    : isSelectorObject(value)
    ? lowerSelectorObject(value, scope, path)
    : undefined
