/** One step lowered: its operation, request, success criteria, outputs and success actions. */
import { isCredentialName } from "../../runtime/core/redact.js"
import { xpathSyntaxError } from "../../runtime/core/xml.js"
import type { LoadedSource } from "../load/document.js"
import type { ApiOperation, JsonSchema } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Scope, stringAt } from "../resolve/context.js"
import { lowerCriteria, lowerCriterion } from "../resolve/criteria.js"
import type {
  ActionIR,
  BodyIR,
  CriterionIR,
  FailureActionIR,
  ParameterLocation,
  StepIR,
  StepOutputIR,
  ValueIR,
  WorkflowRefIR
} from "./ir.js"
import { type ResolvedOperation, resolveOperationId, resolveOperationPath } from "../resolve/operations.js"
import { requiredAtPointer, schemaAtPointer, type TypeIR, typeOfSchema, type TypeOptions, UNKNOWN } from "./types.js"
import { lowerString, lowerValue } from "../resolve/values.js"
import { type FoundWorkflow, inputsSchemaOf, reportShorthand } from "../resolve/workflow-refs.js"

const LOCATIONS: ReadonlySet<string> = new Set(["path", "query", "header", "cookie"])

export interface StepContext {
  /** The document's `components`, for reusable objects. */
  readonly components: Record<string, unknown>
  /** The document's workflows, for steps that call one. */
  readonly findWorkflow: (ref: string) => FoundWorkflow | { readonly code: string; readonly message: string }
  readonly sources: ReadonlyArray<LoadedSource>
  /** Step ids in document order. */
  readonly order: ReadonlyArray<string>
  /** Workflow-level success and failure actions, applied after the step's own unless it names them too. */
  readonly workflowSuccessActions: ReadonlyArray<unknown>
  readonly workflowFailureActions: ReadonlyArray<unknown>
  /** Workflow-level parameters, passed to every step unless the step gives the same one. */
  readonly workflowParameters: ReadonlyArray<unknown>
  /** Inputs found to be sent as file parts; their type becomes binary. */
  readonly binaryInputs: Set<string>
  /** Inputs sent in credential headers; they are treated as secrets. */
  readonly credentialInputs: Set<string>
  /** How response schemas are typed (enums open unless the user asks for closed ones). */
  readonly typeOptions: TypeOptions
}

/** A step as lowered on its own; whether its result is kept depends on the steps after it (see workflow.ts). */
export type StepDraft = Omit<StepIR, "kept">

export interface LoweredStep {
  readonly step: StepDraft
  readonly operation: ResolvedOperation | undefined
}

const CREDENTIAL_HEADERS =
  /^(authorization|cookie|proxy-authorization|x-api-key|api-key|x-auth-token|.*-(key|token|secret))$/i

const inputsIn = (value: ValueIR): Array<string> => {
  switch (value.kind) {
    case "input":
      return [value.name]
    case "template":
      return value.parts.flatMap((p) => (typeof p === "string" ? [] : inputsIn(p)))
    case "object":
      return value.entries.flatMap(([, v]) => inputsIn(v))
    case "array":
      return value.items.flatMap(inputsIn)
    default:
      return []
  }
}

export const lowerStep = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  context: StepContext,
  path: Path
): LoweredStep | undefined => {
  const stepId = stringAt(raw, "stepId")!
  const workflowId = stringAt(raw, "workflowId")
  if (
    workflowId !== undefined && stringAt(raw, "operationId") === undefined &&
    stringAt(raw, "operationPath") === undefined
  ) {
    return lowerCallStep(raw, stepId, workflowId, scope, context, path)
  }
  const operation = resolveStepOperation(raw, context, scope, path)
  const requestScope: Scope = { ...scope, response: false }
  const responseScope: Scope = { ...scope, response: true }
  const parameters = lowerParameters(raw, operation?.operation, requestScope, context, path)
  const body = lowerBody(raw, operation?.operation, requestScope, context, path)
  const successCriteria = arrayAt(raw, "successCriteria").map((c, i) =>
    lowerCriterion(c, responseScope, [...path, "successCriteria", i])
  )
  const outputs = lowerOutputs(raw, operation?.operation, successCriteria, responseScope, path, context.typeOptions)
  const flow = lowerSuccessActions(raw, index, responseScope, context, path)
  const failureActions = lowerFailureActions(raw, responseScope, context, path)
  if (
    operation === undefined || parameters === undefined || body === null || outputs === undefined ||
    flow === undefined ||
    failureActions === undefined || successCriteria.some((c) => c === undefined)
  ) return undefined
  return {
    operation,
    step: {
      stepId,
      description: stringAt(raw, "description") ?? stringAt(raw, "summary"),
      operation: operationKey(operation),
      call: undefined,
      parameters,
      body,
      successCriteria: successCriteria as Array<CriterionIR>,
      defaultSuccess: successCriteria.length === 0,
      outputs,
      poll: flow.poll,
      actions: flow.actions,
      failureActions,
      failureGotos: failureGotos(failureActions)
    }
  }
}

/** Steps a failure action can go to (a `goto`, or a `retry` that goes to a step first). */
const failureGotos = (actions: ReadonlyArray<FailureActionIR>): Array<string> => [
  ...new Set(
    actions.flatMap((a) =>
      a.kind === "goto" ? [a.target] : a.kind === "retry" && a.stepId !== undefined ? [a.stepId] : []
    )
  )
]

/** A parameter as written, resolved when it is a reusable reference, with where it is written. */
interface PlacedParameter {
  readonly parameter: Record<string, unknown>
  readonly at: Path
}

/**
 * `{ reference: $components.parameters.x, value? }` → the component, with `value` overriding
 * the component's value when given; reported when the component does not exist.
 */
const resolveParameter = (
  parameter: unknown,
  context: StepContext,
  scope: Scope,
  at: Path
): Record<string, unknown> | undefined => {
  if (!isObject(parameter)) return undefined
  if (!("reference" in parameter)) return parameter
  const reference = String(parameter["reference"])
  const match = /^\$components\.parameters\.(.+)$/.exec(reference)
  const table = isObject(context.components["parameters"])
    ? (context.components["parameters"] as Record<string, unknown>)
    : {}
  const found = match ? table[match[1]!] : undefined
  if (!isObject(found)) {
    report(
      scope,
      [...at, "reference"],
      "error",
      "unknown-component",
      `\`${reference}\` does not name one of components.parameters (${
        Object.keys(table).map((k) => `\`${k}\``).join(", ") || "there are none"
      })`
    )
    return undefined
  }
  return "value" in parameter ? { ...found, value: parameter["value"] } : found
}

/**
 * The step's parameters, then the workflow's that the step does not give itself (same name and
 * location). With `forCall`, only parameters without `in` (a called workflow's inputs) are
 * inherited; otherwise only those with one.
 */
const mergeParameters = (
  raw: Record<string, unknown>,
  context: StepContext,
  scope: Scope,
  path: Path,
  forCall: boolean
): Array<PlacedParameter> | undefined => {
  const place = (list: ReadonlyArray<unknown>, base: Path) =>
    list.map((p, i) => ({ parameter: resolveParameter(p, context, scope, [...base, i]), at: [...base, i] as Path }))
  const mine = place(arrayAt(raw, "parameters"), [...path, "parameters"])
  const inherited = place(context.workflowParameters, [...path.slice(0, -2), "parameters"])
  if ([...mine, ...inherited].some((p) => p.parameter === undefined)) return undefined
  const key = (p: Record<string, unknown>) => `${String(p["in"] ?? "")} ${String(p["name"])}`
  const given = new Set(mine.map((p) => key(p.parameter!)))
  const applies = (p: Record<string, unknown>) => (forCall ? p["in"] === undefined : p["in"] !== undefined)
  return [...mine, ...inherited.filter((p) => !given.has(key(p.parameter!)) && applies(p.parameter!))] as Array<
    PlacedParameter
  >
}

export const operationKey = ({ source, operation }: ResolvedOperation) =>
  `${source.name} ${operation.method} ${operation.path}`

const resolveStepOperation = (raw: Record<string, unknown>, context: StepContext, scope: Scope, path: Path) => {
  const operationId = stringAt(raw, "operationId")
  if (operationId !== undefined) {
    return resolveOperationId(operationId, context.sources, scope, [...path, "operationId"])
  }
  const operationPath = stringAt(raw, "operationPath")
  if (operationPath !== undefined) {
    return resolveOperationPath(operationPath, context.sources, scope, [...path, "operationPath"])
  }
  report(
    scope,
    path,
    "error",
    "step-target-missing",
    "a step needs one of `operationId`, `operationPath` or `workflowId`"
  )
  return undefined
}

/**
 * A step that runs another workflow of this document: its parameters are that workflow's
 * inputs, and its outputs read that workflow's outputs (`$outputs.name`).
 */
const lowerCallStep = (
  raw: Record<string, unknown>,
  stepId: string,
  workflowId: string,
  scope: Scope,
  context: StepContext,
  path: Path
): LoweredStep | undefined => {
  const found = context.findWorkflow(workflowId)
  if (!("raw" in found)) {
    report(scope, [...path, "workflowId"], "error", found.code, found.message)
    return undefined
  }
  reportShorthand(found, workflowId, scope, [...path, "workflowId"])
  const called = found.raw
  let ok = true
  const calledOutputs = new Set(Object.keys(isObject(called["outputs"]) ? called["outputs"] : {}))
  // Criteria and actions of a step that runs a workflow test that workflow's outputs (`$outputs.x`).
  const callScope: Scope = { ...scope, response: false, calledOutputs }
  const successCriteria = arrayAt(raw, "successCriteria").map((c, i) =>
    lowerCriterion(c, callScope, [...path, "successCriteria", i])
  )
  const flow = lowerSuccessActions(raw, context.order.indexOf(stepId), callScope, context, path)
  const failureActions = lowerFailureActions(raw, callScope, context, path)
  if (successCriteria.some((c) => c === undefined) || flow === undefined || failureActions === undefined) ok = false
  if (flow?.poll !== undefined) {
    report(
      scope,
      [...path, "onSuccess"],
      "error",
      "unsupported-call-step-actions",
      "a step that runs a workflow cannot poll itself"
    )
    ok = false
  }
  const inputs: Array<readonly [string, ValueIR]> = []
  const parameters = mergeParameters(raw, context, scope, path, true)
  if (parameters === undefined) return undefined
  checkWorkflowCall(parameters, found, scope, path)
  for (const { parameter, at } of parameters) {
    if (typeof parameter["name"] !== "string") {
      ok = false
      continue
    }
    const value = lowerValue(parameter["value"], { ...scope, response: false }, [...at, "value"])
    if (value === undefined) ok = false
    else inputs.push([parameter["name"], value])
  }
  const outputs: Array<StepOutputIR> = []
  for (const [name, expression] of Object.entries(isObject(raw["outputs"]) ? raw["outputs"] : {})) {
    const at = [...path, "outputs", name]
    const value = typeof expression === "string"
      ? lowerString(expression, { ...scope, response: false, calledOutputs }, at)
      : undefined
    if (value === undefined) ok = false
    else outputs.push({ name, value, ...calledOutputType(value, found.ref), secret: isCredentialName(name) })
  }
  if (!ok) return undefined
  return {
    operation: undefined,
    step: {
      stepId,
      description: stringAt(raw, "description") ?? stringAt(raw, "summary"),
      operation: undefined,
      call: { workflow: found.ref, inputs },
      parameters: [],
      body: undefined,
      successCriteria: successCriteria as Array<CriterionIR>,
      defaultSuccess: false,
      outputs,
      poll: undefined,
      actions: flow!.actions,
      failureActions: failureActions!,
      failureGotos: failureGotos(failureActions!)
    }
  }
}

/** An output of a step that runs a workflow: that workflow's output as it is, or a value read out of it. */
const calledOutputType = (value: ValueIR, workflow: WorkflowRefIR): { type: TypeIR; optional: boolean } =>
  value.kind === "calledOutput" && value.path.length === 0
    ? { type: { kind: "workflowOutput", workflow, name: value.name }, optional: false }
    : { type: UNKNOWN, optional: false }

/** A step that calls a workflow must pass its required inputs. */
const checkWorkflowCall = (
  parameters: ReadonlyArray<PlacedParameter>,
  called: FoundWorkflow,
  scope: Scope,
  path: Path
) => {
  const workflowId = called.workflowId
  const inputs = inputsSchemaOf(called.root, called.raw["inputs"])
  const passed = new Set(parameters.flatMap(({ parameter: p }) => (typeof p["name"] === "string" ? [p["name"]] : [])))
  const missing = arrayAt(inputs, "required").filter((name): name is string =>
    typeof name === "string" && !passed.has(name)
  )
  if (missing.length > 0) {
    report(
      scope,
      path,
      "error",
      "missing-workflow-input",
      `workflow \`${workflowId}\` requires ${missing.map((m) => `\`${m}\``).join(", ")}, which this step does not pass`
    )
  }
}

const lowerParameters = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  scope: Scope,
  context: StepContext,
  path: Path
): StepIR["parameters"] | undefined => {
  const lowered: Array<{ in: ParameterLocation; name: string; value: ValueIR }> = []
  let ok = true
  const parameters = mergeParameters(raw, context, scope, path, false)
  if (parameters === undefined) return undefined
  for (const { parameter, at } of parameters) {
    const name = stringAt(parameter, "name")
    const location = stringAt(parameter, "in")
    if (name === undefined || location === undefined || !LOCATIONS.has(location)) {
      report(
        scope,
        at,
        "error",
        "parameter-in-missing",
        `parameter${name ? ` \`${name}\`` : ""} of an operation step needs \`in\`: path, query, header or cookie`
      )
      ok = false
      continue
    }
    const value = lowerValue(parameter["value"], scope, [...at, "value"])
    if (value === undefined) {
      ok = false
      continue
    }
    if (location === "header" && CREDENTIAL_HEADERS.test(name)) {
      for (const input of inputsIn(value)) context.credentialInputs.add(input)
    }
    lowered.push({ in: location as ParameterLocation, name, value })
  }
  // Names as written, so that a parameter whose value failed is not also reported as missing.
  const given = parameters.flatMap((
    { parameter: p }
  ) => (p["in"] === "path" && typeof p["name"] === "string" ? [p["name"]] : []))
  for (const required of operation?.parameters.filter((p) => p.in === "path") ?? []) {
    if (!given.includes(required.name)) {
      const hint = given.length > 0 ? `; the step gives ${given.map((g) => `\`${g}\``).join(", ")}` : ""
      report(
        scope,
        path,
        "error",
        "missing-path-parameter",
        `path parameter \`${required.name}\` of ${operation!.method} ${operation!.path} is not given${hint}`
      )
      ok = false
    }
  }
  return ok ? lastOfEach(lowered) : undefined
}

/** A parameter given twice (same location and name): the last one, as the request would have it, in the first one's place. */
const lastOfEach = (parameters: ReadonlyArray<StepIR["parameters"][number]>): Array<StepIR["parameters"][number]> => {
  const byKey = new Map<string, StepIR["parameters"][number]>()
  for (const p of parameters) byKey.set(`${p.in}\u0000${p.name}`, p)
  return [...byKey.values()]
}

const encodingOf = (contentType: string): BodyIR["encoding"] => {
  const type = contentType.split(";")[0]!.trim().toLowerCase()
  if (type === "multipart/form-data") return "multipart"
  if (type === "application/x-www-form-urlencoded") return "form"
  if (type === "application/json" || type.endsWith("+json")) return "json"
  if (/^text\//.test(type) || /[/+]xml$/.test(type) || type === "application/javascript") return "text"
  return "binary"
}

/** `undefined`: no body; `null`: a body that could not be lowered (reported). */
const lowerBody = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  scope: Scope,
  context: StepContext,
  path: Path
): BodyIR | undefined | null => {
  const requestBody = raw["requestBody"]
  if (!isObject(requestBody)) return undefined
  const at = [...path, "requestBody"]
  const declared = Object.keys(operation?.requestBody?.content ?? {})
  const contentType = stringAt(requestBody, "contentType") ?? declared[0] ?? "application/json"
  const encoding = encodingOf(contentType)
  const xml = /[/+]xml\b/i.test(contentType)
  const value = lowerValue(requestBody["payload"], scope, [...at, "payload"])
  const replacements = lowerReplacements(requestBody, xml, scope, at)
  if (value === undefined || replacements === undefined) return null
  // A string payload is the body's text as written (a form or JSON text with embedded expressions).
  if (
    (value.kind === "template" || (value.kind === "literal" && typeof value.value === "string")) &&
    encoding !== "multipart"
  ) {
    return { encoding: "text", contentType, value, replacements, xml }
  }
  if (encoding === "multipart") markBinaryParts(value, operation, contentType, context)
  if (encoding === "binary") {
    // A whole input sent as a file's bytes is a binary input (Blob or bytes), as a multipart file part is.
    if (value.kind === "input" && value.path.length === 0) context.binaryInputs.add(value.name)
    // An object or array for a non-text media type has no encoding but JSON: send it as such.
    if (value.kind === "object" || value.kind === "array" || value.kind === "literal") {
      return { encoding: "json", contentType, value, replacements, xml }
    }
  }
  // A whole value from an input or an earlier step is checked when the request is built.
  if (
    (encoding === "multipart" || encoding === "form") &&
    (value.kind === "literal" || value.kind === "array" || value.kind === "template")
  ) {
    report(scope, [...at, "payload"], "error", "payload-shape", `a ${contentType} payload must be an object of fields`)
    return null
  }
  return { encoding, contentType, value, replacements, xml }
}

/**
 * `replacements`: each target is checked now (a JSON Pointer, or an XPath for an XML body) and
 * each value lowered like any payload value; they are applied to a copy of the body at run time.
 */
const lowerReplacements = (
  requestBody: Record<string, unknown>,
  xml: boolean,
  scope: Scope,
  at: Path
): BodyIR["replacements"] | undefined => {
  const lowered: Array<BodyIR["replacements"][number]> = []
  let ok = true
  for (const [i, replacement] of arrayAt(requestBody, "replacements").entries()) {
    const where = [...at, "replacements", i]
    if (!isObject(replacement)) continue
    const target = stringAt(replacement, "target") ?? ""
    const problem = xml
      ? xpathSyntaxError(target)
      : target === "" || target.startsWith("/")
      ? undefined
      : "a JSON Pointer starts with `/`"
    if (problem !== undefined) {
      report(
        scope,
        [...where, "target"],
        "error",
        "replacement-target",
        `\`${target}\` is not ${xml ? "an XPath expression" : "a JSON Pointer"}: ${problem}`
      )
      ok = false
      continue
    }
    const value = lowerValue(replacement["value"], scope, [...where, "value"])
    if (value === undefined) ok = false
    else lowered.push({ target, value })
  }
  return ok ? lowered : undefined
}

const markBinaryParts = (
  value: ValueIR,
  operation: ApiOperation | undefined,
  contentType: string,
  context: StepContext
) => {
  if (value.kind !== "object") return
  const media = operation?.requestBody?.content[contentType] ?? operation?.requestBody?.content["multipart/form-data"]
  for (const [field, part] of value.entries) {
    const schema = schemaAtPointer(media?.schema, [field])
    if (part.kind === "input" && part.path.length === 0 && typeOfSchema(schema).kind === "binary") {
      context.binaryInputs.add(part.name)
    }
  }
}

/** The response whose schema types the outputs: the status the success criteria require, else the first 2xx. */
/** The response schema outputs are typed by; `certain` when the step can only succeed with that response. */
interface ResponseSchema {
  readonly schema: JsonSchema | undefined
  readonly certain: boolean
}

const NO_SCHEMA: ResponseSchema = { schema: undefined, certain: false }

const successResponseSchema = (
  operation: ApiOperation | undefined,
  criteria: ReadonlyArray<CriterionIR | undefined>
): ResponseSchema => {
  if (operation === undefined) return NO_SCHEMA
  const required = criteria.flatMap((c) =>
    c?.test.kind === "compare" && c.test.op === "==" && c.test.left.kind === "statusCode" &&
      c.test.right.kind === "literal"
      ? [String(c.test.right.value)]
      : []
  )
  const statuses = Object.keys(operation.responses)
  const status = required.find((s) => s in operation.responses) ??
    (required[0] ? statuses.find((s) => s.toUpperCase() === `${required[0]![0]}XX`) : undefined) ??
    statuses.filter((s) => /^2/.test(s)).sort()[0] ?? (statuses.includes("default") ? "default" : undefined)
  if (status === undefined) return NO_SCHEMA
  // Certain: a criterion requires exactly this declared status, or (no status required) it is
  // the only 2xx response the operation declares, so the default 2xx criterion admits only it.
  const twoHundreds = statuses.filter((s) => /^2/i.test(s))
  const certain = required.length > 0
    ? required.includes(status)
    : twoHundreds.length === 1 && twoHundreds[0] === status && /^2\d\d$/.test(status)
  const content = operation.responses[status]?.content ?? {}
  const json = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content)[0]
  return { schema: json === undefined ? undefined : content[json]?.schema, certain }
}

const lowerOutputs = (
  raw: Record<string, unknown>,
  operation: ApiOperation | undefined,
  criteria: ReadonlyArray<CriterionIR | undefined>,
  scope: Scope,
  path: Path,
  typeOptions: TypeOptions
): Array<StepOutputIR> | undefined => {
  const outputs = raw["outputs"]
  if (!isObject(outputs)) return []
  const response = successResponseSchema(operation, criteria)
  const lowered: Array<StepOutputIR> = []
  let ok = true
  for (const [name, expression] of Object.entries(outputs)) {
    const at = [...path, "outputs", name]
    const value = typeof expression === "string" ? lowerString(expression, scope, at) : undefined
    if (typeof expression !== "string") {
      report(scope, at, "error", "output-invalid", "an output must be a runtime expression")
    }
    if (value === undefined) {
      ok = false
      continue
    }
    lowered.push({
      name,
      value,
      ...outputType(value, response, typeOptions),
      secret: issuedSecret(name, value, response)
    })
  }
  return ok ? lowered : undefined
}

/**
 * A credential the API issues: an output named like one, a body member named like one, or a
 * member the response schema marks `format: password` or `writeOnly`.
 */
const issuedSecret = (name: string, value: ValueIR, response: ResponseSchema): boolean => {
  if (isCredentialName(name)) return true
  if (value.kind !== "responseBody") return false
  const last = value.path[value.path.length - 1]
  if (typeof last === "string" && isCredentialName(last)) return true
  const schema = schemaAtPointer(response.schema, value.path.map(String))
  return isObject(schema) && (schema["format"] === "password" || schema["writeOnly"] === true)
}

/**
 * An output's type, and whether it may be absent. A body member is certain only when the
 * response schema certainly applies (the criteria name its status) and requires every member
 * on the way; headers may always be absent.
 */
const outputType = (
  value: ValueIR,
  response: ResponseSchema,
  options: TypeOptions
): { readonly type: TypeIR; readonly optional: boolean } => {
  switch (value.kind) {
    case "responseBody": {
      const pointer = value.path.map(String)
      const type = typeOfSchema(schemaAtPointer(response.schema, pointer), options)
      const certain = response.certain && response.schema !== undefined &&
        (pointer.length === 0 || requiredAtPointer(response.schema, pointer))
      return { type, optional: !certain }
    }
    case "responseHeader":
      return { type: { kind: "string" }, optional: true }
    case "statusCode":
      return { type: { kind: "integer" }, optional: false }
    case "requestLine":
      return { type: { kind: "string" }, optional: false }
    case "literal":
      return {
        type: value.value === null
          ? { kind: "null" }
          : typeof value.value === "string"
          ? { kind: "string" }
          : typeof value.value === "number"
          ? { kind: "number" }
          : { kind: "boolean" },
        optional: false
      }
    default:
      return { type: UNKNOWN, optional: false }
  }
}

/** An action as written, resolved when it is a reusable reference, with where it is written. */
interface PlacedAction {
  readonly action: Record<string, unknown>
  readonly at: Path
}

/** `{ reference: $components.failureActions.x }` → the component; reported when it does not exist. */
const resolveAction = (
  action: unknown,
  kind: "successActions" | "failureActions",
  context: StepContext,
  scope: Scope,
  at: Path
): Record<string, unknown> | undefined => {
  if (!isObject(action)) return undefined
  if (!("reference" in action)) return action
  const reference = String(action["reference"])
  const match = new RegExp(`^\\$components\\.${kind}\\.(.+)$`).exec(reference)
  const table = isObject(context.components[kind]) ? (context.components[kind] as Record<string, unknown>) : {}
  const found = match ? table[match[1]!] : undefined
  if (!isObject(found)) {
    report(
      scope,
      [...at, "reference"],
      "error",
      "unknown-component",
      `\`${reference}\` does not name one of components.${kind} (${
        Object.keys(table).map((k) => `\`${k}\``).join(", ") || "there are none"
      })`
    )
    return undefined
  }
  return found
}

/** The step's own actions, then the workflow's that the step does not override by name. */
const mergeActions = (
  raw: Record<string, unknown>,
  own: "onSuccess" | "onFailure",
  kind: "successActions" | "failureActions",
  context: StepContext,
  scope: Scope,
  path: Path
): Array<PlacedAction> | undefined => {
  const inheritedList = kind === "successActions" ? context.workflowSuccessActions : context.workflowFailureActions
  const place = (list: ReadonlyArray<unknown>, base: Path) =>
    list.map((a, i) => ({ action: resolveAction(a, kind, context, scope, [...base, i]), at: [...base, i] as Path }))
  const mine = place(arrayAt(raw, own), [...path, own])
  const inherited = place(inheritedList, [...path.slice(0, -2), kind])
  if ([...mine, ...inherited].some((p) => p.action === undefined)) return undefined
  const names = new Set(mine.map((p) => p.action!["name"]))
  return [...mine, ...inherited.filter((p) => !names.has(p.action!["name"]))] as Array<PlacedAction>
}

/** The workflow an action names, as written (`id`, or `$sourceDescriptions.name.id` for another document's). */
const workflowTarget = (
  workflowId: string,
  context: StepContext,
  scope: Scope,
  at: Path
): WorkflowRefIR | undefined => {
  const found = context.findWorkflow(workflowId)
  if ("raw" in found) {
    reportShorthand(found, workflowId, scope, at)
    return found.ref
  }
  report(scope, at, "error", found.code, found.message)
  return undefined
}

const stepTarget = (stepId: string, context: StepContext, scope: Scope, at: Path): string | undefined => {
  if (context.order.includes(stepId)) return stepId
  report(
    scope,
    at,
    "error",
    "unknown-goto-target",
    `\`goto\` names step \`${stepId}\`, which workflow ${scope.workflowId} does not have`
  )
  return undefined
}

const lowerFailureActions = (
  raw: Record<string, unknown>,
  scope: Scope,
  context: StepContext,
  path: Path
): Array<FailureActionIR> | undefined => {
  const merged = mergeActions(raw, "onFailure", "failureActions", context, scope, path)
  if (merged === undefined) return undefined
  const lowered: Array<FailureActionIR> = []
  let ok = true
  for (const [position, { action, at }] of merged.entries()) {
    const name = stringAt(action, "name") ?? `failure${position}`
    const criteria = arrayAt(action, "criteria")
    const criterion = criteria.length > 0 ? lowerCriteria(criteria, scope, [...at, "criteria"]) : undefined
    if (criteria.length > 0 && criterion === undefined) {
      ok = false
      continue
    }
    const type = stringAt(action, "type")
    const stepId = stringAt(action, "stepId")
    const workflowId = stringAt(action, "workflowId")
    const step = stepId === undefined ? undefined : stepTarget(stepId, context, scope, [...at, "stepId"])
    const workflow = workflowId === undefined
      ? undefined
      : workflowTarget(workflowId, context, scope, [...at, "workflowId"])
    if ((stepId !== undefined && step === undefined) || (workflowId !== undefined && workflow === undefined)) {
      ok = false
      continue
    }
    if (scope.calledOutputs !== undefined && criterion !== undefined) {
      report(
        scope,
        [...at, "criteria"],
        "error",
        "unsupported-call-step-actions",
        "criteria on the failure actions of a step that runs a workflow are not supported yet (there is no response to test)"
      )
      ok = false
      continue
    }
    if (type === "end") {
      lowered.push({ kind: "end", name, criterion })
    } else if (type === "retry") {
      const retryAfter = typeof action["retryAfter"] === "number" ? action["retryAfter"] : 0
      const retryLimit = typeof action["retryLimit"] === "number" ? action["retryLimit"] : 1
      lowered.push({ kind: "retry", name, criterion, retryAfter, retryLimit, stepId: step, workflow })
    } else if (type === "goto" && step !== undefined) {
      lowered.push({ kind: "goto", name, criterion, target: step })
    } else if (type === "goto" && workflow !== undefined) {
      lowered.push({ kind: "gotoWorkflow", name, criterion, target: workflow })
    } else if (type === "goto") {
      report(scope, at, "error", "action-target-missing", "a `goto` action needs a `stepId` or a `workflowId`")
      ok = false
    } else {
      report(scope, [...at, "type"], "error", "action-type", "a failure action's type is `end`, `goto` or `retry`")
      ok = false
    }
  }
  return ok ? lowered : undefined
}

const lowerSuccessActions = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  context: StepContext,
  path: Path
): { poll: StepIR["poll"]; actions: Array<ActionIR> } | undefined => {
  const stepId = context.order[index]!
  const merged = mergeActions(raw, "onSuccess", "successActions", context, scope, path)
  if (merged === undefined) return undefined
  let poll: StepIR["poll"]
  const actions: Array<ActionIR> = []
  let ok = true
  for (const [position, { action, at }] of merged.entries()) {
    const name = stringAt(action, "name") ?? `action${position}`
    const type = stringAt(action, "type")
    const criteria = arrayAt(action, "criteria")
    const criterion = criteria.length > 0 ? lowerCriteria(criteria, scope, [...at, "criteria"]) : undefined
    if (criteria.length > 0 && criterion === undefined) {
      ok = false
      continue
    }
    if (type === "end") {
      actions.push({ name, kind: "end", criterion })
      continue
    }
    if (type !== "goto") {
      report(scope, [...at, "type"], "error", "action-type", "a success action's type is `end` or `goto`")
      ok = false
      continue
    }
    const target = stringAt(action, "stepId")
    const workflowId = stringAt(action, "workflowId")
    if (target === undefined && workflowId !== undefined) {
      const workflow = workflowTarget(workflowId, context, scope, [...at, "workflowId"])
      if (workflow === undefined) ok = false
      else actions.push({ name, kind: "gotoWorkflow", target: workflow, criterion })
    } else if (target === undefined) {
      report(scope, at, "error", "action-target-missing", "a `goto` action needs a `stepId` or a `workflowId`")
      ok = false
    } else if (stepTarget(target, context, scope, [...at, "stepId"]) === undefined) {
      ok = false
    } else if (target === stepId && position === 0 && criterion !== undefined) {
      poll = { action: name, criterion }
    } else if (target === context.order[index + 1]) {
      actions.push({ name, kind: "next", target, criterion })
    } else {
      actions.push({ name, kind: "goto", target, criterion })
    }
  }
  return ok ? { poll, actions: decisiveActions(actions) } : undefined
}

/** Actions as they decide control flow: up to the first that always matches, without trailing "go on" ones. */
const decisiveActions = (actions: ReadonlyArray<ActionIR>): Array<ActionIR> => {
  const firstUnconditional = actions.findIndex((a) => a.criterion === undefined)
  const reachable = firstUnconditional === -1 ? [...actions] : actions.slice(0, firstUnconditional + 1)
  while (reachable.length > 0 && reachable[reachable.length - 1]!.kind === "next") reachable.pop()
  return reachable
}
