/**
 * A step that sends or receives an AsyncAPI message. Its exchange gives what an HTTP exchange
 * gives (a `RawResponse`), so success criteria, outputs, failure actions and a durable journal
 * treat it as they treat a response: the message's headers are the response's headers
 * (`$message.header.x`), its payload the body (`$message.payload#/a`). A message has no status:
 * it is 0. A send step's message is the one it sent; a receive step's the one it took.
 */
import * as Effect from "effect/Effect"
import type { Body } from "../../core/body.js"
import type { Criterion } from "../../core/criteria.js"
import {
  decodeMessage,
  encodeMessage,
  matchesMessage,
  messageHeaders,
  type StepMessage,
  type TransportMessage
} from "../../core/messages.js"
import type { Secrets } from "../../core/redact.js"
import { RequestFailed, type RequestSummary } from "./errors.js"
import type { RawResponse } from "./execution.js"
import type { Channel, MessageSession } from "./messaging.js"
import type { OutputsFor } from "./outputs.js"
import type { FailureAction } from "./run.js"

/** A step that sends a message to a channel, or receives one from it. */
export interface MessageStep<K extends string, S, G extends string> {
  readonly stepId: K
  readonly operation: Channel
  readonly action: "send" | "receive"
  /** Message headers (`in: header` parameters) of a send step. */
  readonly parameters?: { readonly header?: Readonly<Record<string, unknown>> }
  /** The payload of a send step. */
  readonly body?: Body
  /** A receive step takes only the message whose correlation id (where the channel says) is this. */
  readonly correlationId?: unknown
  readonly successCriteria: ReadonlyArray<Criterion>
  readonly outputs: OutputsFor<S>
  readonly onFailure?: ReadonlyArray<FailureAction<G>>
  /** How long a receive step waits for its message, in milliseconds (else the policy's `stepTimeout`). */
  readonly timeout?: number
}

type Where = () => {
  readonly workflowId: string
  readonly stepId: string
  readonly request: RequestSummary
  readonly stepOutputs: Record<string, unknown>
}

const lowerCased = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

const asRaw = (headers: Readonly<Record<string, string>>, payload: Uint8Array, contentType: string): RawResponse => {
  const lower = lowerCased(headers)
  if (lower["content-type"] === undefined && contentType !== "") lower["content-type"] = contentType
  return { status: 0, headers: lower, bytes: payload }
}

/** The exchange of one attempt, or why the message cannot be built. */
export const messageExchange = <K extends string, S, G extends string>(
  spec: MessageStep<K, S, G>,
  session: MessageSession | undefined,
  where: Where,
  secrets: Secrets
): { readonly run: Effect.Effect<RawResponse, RequestFailed> } | { readonly invalid: string } => {
  const channel = spec.operation
  if (session === undefined) return { invalid: "the run has no message session (the workflow declares no channels)" }
  const failed = (detail: string) =>
    new RequestFailed({ ...where(), reason: "Transport", detail: secrets.text(detail), attempts: 1 })
  if (spec.action === "send") {
    const encoded = encodeMessage(spec.body, channel.contentType)
    if ("error" in encoded) return { invalid: encoded.error }
    const headers = messageHeaders(spec.parameters?.header, encoded.contentType)
    const message: TransportMessage = { address: channel.address, headers, payload: encoded.payload }
    return {
      run: Effect.as(
        Effect.mapError(session.publish(channel, message), (f) => failed(f.detail)),
        asRaw(headers, encoded.payload, encoded.contentType)
      )
    }
  }
  const location = channel.correlation
  const correlation = spec.correlationId === undefined || location === undefined
    ? undefined
    : { location, id: spec.correlationId }
  let taken: TransportMessage | undefined
  const take = (message: TransportMessage): StepMessage | undefined => {
    const decoded = decodeMessage(message, channel.contentType)
    if ("error" in decoded || !matchesMessage(decoded, channel.address, correlation)) return undefined
    taken = message
    return decoded
  }
  return {
    run: Effect.map(
      Effect.mapError(session.receive(channel, take), (f) => failed(f.detail)),
      () => asRaw(taken!.headers, taken!.payload, channel.contentType)
    )
  }
}
