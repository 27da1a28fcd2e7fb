/**
 * An AsyncAPI step (Arazzo 1.1) lowered: the channel it sends to or receives from, the message
 * headers (`in: header` parameters) and payload it sends, the correlation id it receives by, and
 * criteria and outputs on `$message…`, which read the message as a response is read (headers,
 * body). Its outputs are typed by the message's payload schema. `messageParts` reports as it
 * resolves, so validation (validate/message-step.ts) and lowering say the same.
 */
import type { HttpMethod } from "../../runtime/core/body.js"
import type { AsyncApiMessage } from "../load/asyncapi.js"
import type { LoadedSource } from "../load/document.js"
import type { ApiOperation } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { messageOf, type ResolvedMessageStep, resolveMessageStep } from "../resolve/asyncapi-operations.js"
import { mergeParameters, type Reusables } from "../resolve/components.js"
import { arrayAt, isObject, report, type Scope, stringAt } from "../resolve/context.js"
import { lowerCriterion } from "../resolve/criteria.js"
import { lowerValue } from "../resolve/values.js"
import type { BodyIR, ChannelIR, CriterionIR, ValueIR } from "./ir.js"
import {
  failureGotos,
  type LoweredStep,
  lowerFailureActions,
  lowerOutputs,
  lowerSuccessActions,
  type StepContext,
  type StepDraft,
  stepTimeout
} from "./step.js"

/** Protocols the runtime has a transport for (runtime/effect3/internal/transports.ts). */
export const MESSAGE_PROTOCOLS: ReadonlyArray<string> = ["mqtt", "nats"]

export interface MessageParts {
  readonly resolved: ResolvedMessageStep | undefined
  readonly action: "send" | "receive"
  readonly headers: ReadonlyArray<readonly [string, ValueIR]>
  readonly body: BodyIR | undefined
  readonly correlationId: ValueIR | undefined
  readonly successCriteria: ReadonlyArray<CriterionIR>
  /** Whether every part lowered (what did not was reported). */
  readonly ok: boolean
}

/** The channel's key in the IR: its source, the step's direction and the address. */
export const channelKey = (resolved: ResolvedMessageStep, action: "send" | "receive") =>
  `${resolved.source.name} ${action.toUpperCase()} ${resolved.channel.address ?? resolved.channel.key}`

/** The request and response scopes of a message step: `$message` has a value once it is sent or received. */
export const messageScopes = (scope: Scope) => ({
  request: { ...scope, response: false, message: true } satisfies Scope,
  response: { ...scope, response: true, message: true } satisfies Scope
})

export const messageParts = (
  raw: Record<string, unknown>,
  scope: Scope,
  reusables: Reusables,
  sources: ReadonlyArray<LoadedSource>,
  path: Path
): MessageParts => {
  const resolved = resolveMessageStep(raw, sources, scope, path)
  const action = resolved?.action ?? (raw["action"] === "send" ? "send" : "receive")
  const { request, response } = messageScopes(scope)
  let ok = true
  if (resolved !== undefined) ok = checkChannel(resolved, scope, path) && ok
  const headers: Array<readonly [string, ValueIR]> = []
  for (const { parameter, at } of mergeParameters(raw, reusables, scope, path, false) ?? []) {
    const name = stringAt(parameter, "name")
    const location = stringAt(parameter, "in")
    if (name === undefined) continue
    if (location !== "header") {
      report(
        scope,
        [...at, "in"],
        "error",
        location === "channel" ? "unsupported-channel-parameter" : "message-parameter-location",
        location === "channel"
          ? "channel parameters (`in: channel`) are not compiled yet; give the channel's address in full"
          : `a message step's parameters are its message headers (\`in: header\`), not \`${String(location)}\``
      )
      ok = false
      continue
    }
    if (action === "receive") {
      report(
        scope,
        at,
        "error",
        "message-header-on-receive",
        "a receive step sends nothing: its parameters have no message to go in"
      )
      ok = false
      continue
    }
    const value = lowerValue(parameter["value"], request, [...at, "value"])
    if (value === undefined) ok = false
    else headers.push([name, value])
  }
  let body: BodyIR | undefined
  const requestBody = raw["requestBody"]
  if (isObject(requestBody)) {
    const at = [...path, "requestBody"]
    if (action === "receive") {
      report(scope, at, "error", "message-body-on-receive", "a receive step sends nothing: it has no payload")
      ok = false
    } else {
      if (arrayAt(requestBody, "replacements").length > 0) {
        report(
          scope,
          [...at, "replacements"],
          "error",
          "unsupported-message-replacements",
          "`replacements` in a message payload are not compiled yet"
        )
        ok = false
      }
      const message = resolved === undefined ? undefined : messageOf(resolved)
      const contentType = stringAt(requestBody, "contentType") ?? message?.contentType ?? "application/json"
      const value = lowerValue(requestBody["payload"], request, [...at, "payload"])
      if (value === undefined) ok = false
      else {
        const text = value.kind === "template" || (value.kind === "literal" && typeof value.value === "string")
        body = {
          encoding: text ? "text" : "json",
          contentType,
          value,
          replacements: [],
          xml: false
        }
      }
    }
  }
  let correlationId: ValueIR | undefined
  if (raw["correlationId"] !== undefined) {
    const at = [...path, "correlationId"]
    correlationId = lowerValue(raw["correlationId"], request, at)
    if (correlationId === undefined) ok = false
    const declared = resolved === undefined ? undefined : resolved.messages.some((m) => m.correlation !== undefined)
    if (declared === false) {
      report(
        scope,
        at,
        "error",
        "correlation-id-undeclared",
        `the messages of channel \`${
          resolved!.channel.key
        }\` declare no \`correlationId\` in the AsyncAPI, so a received message has none to match`
      )
      ok = false
    }
  }
  const successCriteria = arrayAt(raw, "successCriteria").map((c, i) =>
    lowerCriterion(c, response, [...path, "successCriteria", i])
  )
  if (successCriteria.some((c) => c === undefined)) ok = false
  return {
    resolved,
    action,
    headers,
    body,
    correlationId,
    successCriteria: successCriteria.filter((c): c is CriterionIR => c !== undefined),
    ok
  }
}

/** What the runtime cannot use yet: a protocol without a transport, an address with parameters or none. */
const checkChannel = (resolved: ResolvedMessageStep, scope: Scope, path: Path): boolean => {
  const where = [...path, resolved.operation === undefined ? "channelPath" : "operationId"]
  const server = resolved.source.asyncapi.servers[0]
  if (server !== undefined && !MESSAGE_PROTOCOLS.includes(server.protocol)) {
    report(
      scope,
      where,
      "error",
      "unsupported-protocol",
      `source \`${resolved.source.name}\` speaks \`${server.protocol}\` (server \`${server.name}\`); the runtime has transports for ${
        MESSAGE_PROTOCOLS.map((p) => `\`${p}\``).join(" and ")
      } only. Another protocol plugs in as a transport: Arazzo.Transports.layer({ ${server.protocol}: … }) (docs/asyncapi.md)`
    )
    return false
  }
  if (resolved.channel.address === undefined) {
    report(
      scope,
      where,
      "error",
      "unsupported-channel-address",
      `channel \`${resolved.channel.key}\` has no address (\`address: null\`); it is known only at run time, which is not compiled yet`
    )
    return false
  }
  if (resolved.channel.parameters.length > 0) {
    report(
      scope,
      where,
      "error",
      "unsupported-channel-parameter",
      `channel \`${resolved.channel.key}\` has parameters in its address (\`${resolved.channel.address}\`), which are not compiled yet`
    )
    return false
  }
  return true
}

/** A stand-in operation whose one response is the message, so outputs are typed as a response's are. */
const asOperation = (message: AsyncApiMessage | undefined, method: HttpMethod): ApiOperation => ({
  operationId: undefined,
  method,
  path: "",
  summary: undefined,
  parameters: [],
  requestBody: undefined,
  responses: message?.payload === undefined
    ? {}
    : { "200": { content: { [message.contentType ?? "application/json"]: { schema: message.payload } } } },
  security: [],
  securityScopes: {}
})

export const lowerMessageStep = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  context: StepContext,
  path: Path
): LoweredStep | undefined => {
  const stepId = stringAt(raw, "stepId")!
  const parts = messageParts(raw, scope, context, context.sources, path)
  const { resolved } = parts
  if (!parts.ok || resolved === undefined) return undefined
  const { response } = messageScopes(scope)
  const message = messageOf(resolved)
  const outputs = lowerOutputs(
    raw,
    asOperation(message, "POST"),
    parts.successCriteria,
    response,
    path,
    context.typeOptions
  )
  const flow = lowerSuccessActions(raw, index, response, context, path)
  const failureActions = lowerFailureActions(raw, response, context, path)
  // A message step that goes back to itself is not a poll (validation refuses it).
  if (outputs === undefined || flow === undefined || flow.poll !== undefined || failureActions === undefined) {
    return undefined
  }
  const key = channelKey(resolved, parts.action)
  const correlation = resolved.messages.find((m) => m.correlation !== undefined)?.correlation
  const channel: ChannelIR = {
    key,
    source: resolved.source.name,
    address: resolved.channel.address!,
    operationId: resolved.operation?.operationId,
    correlation,
    contentType: message?.contentType
  }
  const step: StepDraft = {
    stepId,
    description: stringAt(raw, "description") ?? stringAt(raw, "summary"),
    operation: key,
    call: undefined,
    parameters: parts.headers.map(([name, value]) => ({ in: "header" as const, name, value })),
    body: parts.body,
    successCriteria: parts.successCriteria,
    defaultSuccess: false,
    outputs,
    poll: flow.poll,
    actions: flow.actions,
    failureActions,
    failureGotos: failureGotos(failureActions),
    timeout: stepTimeout(raw),
    message: { action: parts.action, correlationId: parts.correlationId }
  }
  return { step, operation: undefined, channel }
}
