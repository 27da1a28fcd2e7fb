/**
 * Sending one request with the transport policy: transient failures (connection refused, 429,
 * 503, and for idempotent methods any transport error, a body cut short included) are retried
 * on the policy's schedule, with a server's `Retry-After` taking the place of the scheduled
 * delay. The body is read within the policy's `maxResponseBytes`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { retryAfterMillis } from "../../core/response.js"
import type { Policy } from "./policy.js"
import { type BodyIncomplete, type BodyTooLarge, readBody } from "./read-body.js"
import type { BuiltRequest } from "./request.js"

/** A response as it came off the wire, before its body is decoded. */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
}

/** The outcome of an attempt that may deserve another. */
class Transient extends Data.TaggedError("Transient")<{
  /** Present when the server answered (429/503); absent for transport failures. */
  readonly response: RawResponse | undefined
  readonly retryAfter: Duration.Duration | undefined
  readonly retriable: boolean
  readonly reason: "Transport" | "Encode" | "InvalidUrl"
  readonly detail: string
}> {}

/** What `send` fails with when no whole response could be had. */
export interface TransportFailure {
  readonly _tag: "TransportFailure"
  readonly reason: "Transport" | "Encode" | "InvalidUrl"
  readonly detail: string
  readonly attempts: number
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
const RETRY_STATUS = new Set([429, 503])

/** Messages and error codes along a cause chain (`fetch failed` → `connect ECONNREFUSED …`). */
const causeChain = (error: unknown) => {
  const messages: Array<string> = []
  const codes: Array<string> = []
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof message === "string" && message !== "" && !messages.includes(message)) messages.push(message)
    if (typeof code === "string" && !codes.includes(code)) codes.push(code)
    e = cause
  }
  return { messages, codes }
}

/** A refused connection never reached the server, so even a POST is safe to send again. */
const neverSent = (error: HttpClientError.HttpClientError | BodyIncomplete) =>
  error._tag !== "BodyIncomplete" && causeChain(error.cause).codes.includes("ECONNREFUSED")

/** `connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)`; `reading the body of the 200 response failed: …`. */
const describe = (error: HttpClientError.HttpClientError | BodyIncomplete): string => {
  if (error._tag === "BodyIncomplete") return `reading the body of the ${error.status} response failed: ${error.detail}`
  const { codes, messages } = causeChain(error.cause)
  const why = [messages.join(": ") || error.message, codes.length > 0 ? `(${codes.join(", ")})` : ""].join(" ").trim()
  if (error._tag === "RequestError") return why
  return `reading the body of the ${error.response.status} response failed: ${why}`
}

const attemptOnce = (
  client: HttpClient.HttpClient,
  built: BuiltRequest,
  maxBytes: number
): Effect.Effect<RawResponse, Failure> =>
  client.execute(built.request).pipe(
    Effect.flatMap((response) =>
      Effect.map(readBody(response, maxBytes), (bytes): RawResponse => ({
        status: response.status,
        headers: response.headers,
        bytes
      }))
    ),
    Effect.catchIf((error) => error._tag !== "BodyTooLarge", (error) =>
      Effect.fail(
        new Transient({
          response: undefined,
          retryAfter: undefined,
          retriable: IDEMPOTENT.has(built.request.method) || neverSent(error),
          reason: error._tag === "RequestError" ? error.reason : "Transport",
          detail: describe(error)
        })
      )),
    Effect.flatMap((raw) => {
      if (!RETRY_STATUS.has(raw.status)) return Effect.succeed(raw)
      const after = retryAfterMillis(raw.headers["retry-after"], Date.now())
      return Effect.fail(
        new Transient({
          response: raw,
          retryAfter: after === undefined ? undefined : Duration.millis(after),
          retriable: true,
          reason: "Transport",
          detail: `status ${raw.status}`
        })
      )
    })
  )

type Failure = Transient | BodyTooLarge

/** The policy's retry schedule, with `Retry-After` overriding each delay it applies to. */
const retrySchedule = (policy: Policy): Schedule.Schedule<Failure, Failure> => {
  const base: Schedule.Schedule<unknown, Failure> = policy.retry
  return Schedule.passthrough(base).pipe(
    Schedule.modifyDelay((failure, delay) => (failure._tag === "Transient" ? failure.retryAfter : undefined) ?? delay)
  )
}

/**
 * Sends a request, retrying transient failures. A 429/503 still failing after the last retry
 * is returned as the response it is, for the step's criteria to judge. A body over the limit
 * is not retried: the next answer would be as large.
 */
export const send = (
  client: HttpClient.HttpClient,
  built: BuiltRequest,
  policy: Policy
): Effect.Effect<RawResponse, TransportFailure | BodyTooLarge> =>
  Effect.suspend(() => {
    let attempts = 0
    const maxRetryAfter = Duration.decode(policy.maxRetryAfter)
    const retriable = (failure: Failure) =>
      failure._tag === "Transient" && failure.retriable &&
      (failure.retryAfter === undefined || Duration.lessThanOrEqualTo(failure.retryAfter, maxRetryAfter))
    const once = Effect.suspend(() => {
      attempts++
      return attemptOnce(client, built, policy.maxResponseBytes)
    })
    // The retry schedule is set up only once an attempt has failed (most requests never do): the
    // retry first replays that failure, so the schedule sees the same failures, in the same order,
    // and waits the same delays as `Effect.retry(once, ...)` would.
    const retried = (first: Failure) => {
      let replay: Failure | undefined = first
      const again = Effect.suspend(() => {
        if (replay === undefined) return once
        const failure = replay
        replay = undefined
        return Effect.fail(failure)
      })
      return Effect.retry(again, { schedule: retrySchedule(policy), while: retriable })
    }
    return once.pipe(
      Effect.catchAll((failure) => (retriable(failure) ? retried(failure) : Effect.fail(failure))),
      Effect.catchTag("Transient", (t) =>
        t.response !== undefined
          ? Effect.succeed(t.response)
          : Effect.fail<TransportFailure>({ _tag: "TransportFailure", reason: t.reason, detail: t.detail, attempts }))
    )
  })
