/** One step lowered: its operation, request, success criteria, outputs and success actions. */
import { isCredentialName } from "../../runtime/core/redact.js"
import type { LoadedSource } from "../load/document.js"
import type { ApiOperation, JsonSchema } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { mergeActions, mergeParameters, type Reusables } from "../resolve/components.js"
import { arrayAt, isObject, type Scope, stringAt } from "../resolve/context.js"
import { lowerCriteria, lowerCriterion } from "../resolve/criteria.js"
import { bodyContentType, encodingOf, isXml } from "../resolve/media.js"
import { isCallStep, operationKey, type ResolvedOperation, stepOperation } from "../resolve/operations.js"
import { isParameterLocation } from "../resolve/parameters.js"
import { replacementTarget } from "../resolve/selectors.js"
import { lowerOutputValue, lowerValue } from "../resolve/values.js"
import type { FoundWorkflow } from "../resolve/workflow-refs.js"
import { lowerActionInputs } from "./action-inputs.js"
import type {
  ActionIR,
  BodyIR,
  ChannelIR,
  CriterionIR,
  FailureActionIR,
  StepIR,
  StepOutputIR,
  ValueIR,
  WorkflowRefIR
} from "./ir.js"
import { requiredAtPointer, schemaAtPointer, type TypeIR, typeOfSchema, type TypeOptions, UNKNOWN } from "./types.js"
import { referencedSteps } from "./walk.js"

/**
 * What lowering a step needs. Lowering runs on a document validation accepted: what it resolves
 * (operations, workflows, components, expressions) resolves, and `undefined` from a resolver is
 * an internal error, never the document's.
 */
export interface StepContext extends Reusables {
  /** The document's workflows, for steps that call one. */
  readonly findWorkflow: (ref: string) => FoundWorkflow | { readonly code: string; readonly message: string }
  readonly sources: ReadonlyArray<LoadedSource>
  /** Step ids in document order. */
  readonly order: ReadonlyArray<string>
  /** The workflow's steps as written, for an operationId the OpenAPI uses for several operations. */
  readonly siblings?: ReadonlyArray<unknown>
  /** Inputs found to be sent as file parts; their type becomes binary. */
  readonly binaryInputs: Set<string>
  /** Inputs sent in credential headers; they are treated as secrets. */
  readonly credentialInputs: Set<string>
  /** How response schemas are typed (enums open unless the user asks for closed ones). */
  readonly typeOptions: TypeOptions
}

/** A step as lowered on its own; whether its result is kept depends on the steps after it (see workflow.ts). */
export type StepDraft = Omit<StepIR, "kept" | "keeps">

export interface LoweredStep {
  readonly step: StepDraft
  readonly operation: ResolvedOperation | undefined
  /** The channel of a message step (Arazzo 1.1). */
  readonly channel?: ChannelIR | undefined
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
    case "select":
      return inputsIn(value.context)
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
  if (isCallStep(raw)) return lowerCallStep(raw, stepId, stringAt(raw, "workflowId")!, scope, context, path)
  const operation = stepOperation(raw, context.sources, scope, path, context.siblings)
  const requestScope: Scope = { ...scope, response: false }
  const responseScope: Scope = { ...scope, response: true }
  const parameters = lowerParameters(raw, requestScope, context, path)
  const body = lowerBody(raw, operation?.operation, requestScope, context, path)
  const successCriteria = arrayAt(raw, "successCriteria").map((c, i) =>
    lowerCriterion(c, responseScope, [...path, "successCriteria", i])
  )
  const outputs = lowerOutputs(raw, operation?.operation, successCriteria, responseScope, path, context.typeOptions)
  // A request that reads the step's own outputs (a pagination cursor) changes on every pass: a
  // goto back to itself is then a loop of the state machine, not a poll that repeats one request.
  const requestValues = [
    ...(parameters ?? []).map((p) => p.value),
    ...(body ? [body.value, ...body.replacements.map((r) => r.value)] : [])
  ]
  const readsItself = requestValues.some((v) => referencedSteps(v).includes(stepId))
  const flow = lowerSuccessActions(raw, index, responseScope, context, path, readsItself)
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
      failureGotos: failureGotos(failureActions),
      timeout: stepTimeout(raw)
    }
  }
}

/** Steps a failure action can go to (a `goto`, or a `retry` that goes to a step first). */
/** The step's `timeout` (milliseconds, a non-negative integer by the 1.1 schema). */
export const stepTimeout = (raw: Record<string, unknown>): number | undefined => {
  const value = raw["timeout"]
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined
}

export const failureGotos = (actions: ReadonlyArray<FailureActionIR>): Array<string> => [
  ...new Set(
    actions.flatMap((a) =>
      a.kind === "goto" ? [a.target] : a.kind === "retry" && a.stepId !== undefined ? [a.stepId] : []
    )
  )
]

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
  if (!("raw" in found)) return undefined
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
  // A step that runs a workflow cannot poll itself (validation says so).
  if (flow?.poll !== undefined) ok = false
  const inputs: Array<readonly [string, ValueIR]> = []
  const parameters = mergeParameters(raw, context, scope, path, true)
  if (parameters === undefined) return undefined
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
    const value = lowerOutputValue(expression, { ...scope, response: false, calledOutputs }, at)
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
      failureGotos: failureGotos(failureActions!),
      timeout: stepTimeout(raw)
    }
  }
}

/** An output of a step that runs a workflow: that workflow's output as it is, or a value read out of it. */
const calledOutputType = (value: ValueIR, workflow: WorkflowRefIR): { type: TypeIR; optional: boolean } =>
  value.kind === "calledOutput" && value.path.length === 0
    ? { type: { kind: "workflowOutput", workflow, name: value.name }, optional: false }
    : value.kind === "select"
    ? selectedType(value)
    : { type: UNKNOWN, optional: false }

const lowerParameters = (
  raw: Record<string, unknown>,
  scope: Scope,
  context: StepContext,
  path: Path
): StepIR["parameters"] | undefined => {
  const lowered: Array<StepIR["parameters"][number]> = []
  let ok = true
  const parameters = mergeParameters(raw, context, scope, path, false)
  if (parameters === undefined) return undefined
  for (const { parameter, at } of parameters) {
    const name = stringAt(parameter, "name")
    const location = stringAt(parameter, "in")
    if (name === undefined || !isParameterLocation(location)) {
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
    lowered.push({ in: location, name, value })
  }
  return ok ? lastOfEach(lowered) : undefined
}

/** A parameter given twice (same location and name): the last one, as the request would have it, in the first one's place. */
const lastOfEach = (parameters: ReadonlyArray<StepIR["parameters"][number]>): Array<StepIR["parameters"][number]> => {
  const byKey = new Map<string, StepIR["parameters"][number]>()
  for (const p of parameters) byKey.set(`${p.in}\u0000${p.name}`, p)
  return [...byKey.values()]
}

/** `undefined`: no body; `null`: a body that could not be lowered (validation reported why). */
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
  const contentType = bodyContentType(requestBody, operation)
  const encoding = encodingOf(contentType)
  const xml = isXml(contentType)
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
    return null
  }
  return { encoding, contentType, value, replacements, xml }
}

/**
 * `replacements`: each target (a JSON Pointer, a JSONPath query, or an XPath for an XML body,
 * checked by validation) with its value lowered like any payload value; applied to a copy of
 * the body at run time.
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
    const target = replacementTarget(replacement, xml, scope, where)
    const value = lowerValue(replacement["value"], scope, [...where, "value"])
    if (value === undefined || target === undefined) ok = false
    else lowered.push({ ...target, value })
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

export const lowerOutputs = (
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
    const value = lowerOutputValue(expression, scope, at)
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
    case "select":
      return selectedType(value)
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

/**
 * What a Selector Object evaluated at run time yields: a JSONPath query that is not singular, the
 * list of what it selects (items untyped); anything else, one value of any type, or none.
 */
export const selectedType = (
  value: Extract<ValueIR, { kind: "select" }>
): { readonly type: TypeIR; readonly optional: boolean } =>
  value.selector.type === "jsonpath" && !value.selector.singular
    ? { type: { kind: "array", items: UNKNOWN }, optional: false }
    : { type: UNKNOWN, optional: false }

/** The workflow an action names, as written (`id`, or `$sourceDescriptions.name.id` for another document's). */
const workflowTarget = (workflowId: string, context: StepContext): WorkflowRefIR | undefined => {
  const found = context.findWorkflow(workflowId)
  return "raw" in found ? found.ref : undefined
}

const stepTarget = (stepId: string, context: StepContext): string | undefined =>
  context.order.includes(stepId) ? stepId : undefined

export const lowerFailureActions = (
  raw: Record<string, unknown>,
  scope: Scope,
  context: StepContext,
  path: Path
): Array<FailureActionIR> | undefined => {
  const merged = mergeActions(raw, "onFailure", context, scope, path)
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
    const step = stepId === undefined ? undefined : stepTarget(stepId, context)
    const workflow = workflowId === undefined ? undefined : workflowTarget(workflowId, context)
    if ((stepId !== undefined && step === undefined) || (workflowId !== undefined && workflow === undefined)) {
      ok = false
      continue
    }
    // Criteria on a called workflow's failure actions are not supported yet (validation says so).
    if (scope.calledOutputs !== undefined && criterion !== undefined) {
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
      const inputs = lowerActionInputs(action, at, scope, context)
      if (inputs === null) ok = false
      else lowered.push({ kind: "gotoWorkflow", name, criterion, target: workflow, inputs })
    } else {
      ok = false
    }
  }
  return ok ? lowered : undefined
}

export const lowerSuccessActions = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  context: StepContext,
  path: Path,
  readsItself = false
): { poll: StepIR["poll"]; actions: Array<ActionIR> } | undefined => {
  const stepId = context.order[index]!
  const merged = mergeActions(raw, "onSuccess", context, scope, path)
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
      ok = false
      continue
    }
    const target = stringAt(action, "stepId")
    const workflowId = stringAt(action, "workflowId")
    if (target === undefined && workflowId !== undefined) {
      const workflow = workflowTarget(workflowId, context)
      const inputs = lowerActionInputs(action, at, scope, context)
      if (workflow === undefined || inputs === null) ok = false
      else actions.push({ name, kind: "gotoWorkflow", target: workflow, criterion, inputs })
    } else if (target === undefined || stepTarget(target, context) === undefined) {
      ok = false
    } else if (target === stepId && position === 0 && criterion !== undefined && !readsItself) {
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
