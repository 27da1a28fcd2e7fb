/**
 * Sending one request with the transport policy: transient failures (connection refused, 429,
 * 503, and for idempotent methods any transport error) are retried on the policy's schedule,
 * with a server's `Retry-After` taking the place of the scheduled delay.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { Policy } from "./policy.js"
import type { BuiltRequest } from "./request.js"
import { retryAfterMillis } from "./response.js"

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

/** What `send` fails with when no response could be had. */
export interface TransportFailure {
  readonly reason: "Transport" | "Encode" | "InvalidUrl"
  readonly detail: string
  readonly attempts: number
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
const RETRY_STATUS = new Set([429, 503])

const causeCodes = (error: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  for (let e: unknown = error, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === "string") codes.push(code)
    e = (e as { cause?: unknown }).cause
  }
  return codes
}

/** A refused connection never reached the server, so even a POST is safe to send again. */
const neverSent = (error: HttpClientError.HttpClientError) => causeCodes(error.cause).includes("ECONNREFUSED")

const describe = (error: HttpClientError.HttpClientError): string => {
  const codes = causeCodes(error.cause)
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return [error.reason, cause, codes.length > 0 ? `(${codes.join(", ")})` : undefined].filter(Boolean).join(": ")
}

const attemptOnce = (
  client: HttpClient.HttpClient,
  built: BuiltRequest
): Effect.Effect<RawResponse, Transient> =>
  client.execute(built.request).pipe(
    Effect.flatMap((response) =>
      Effect.map(response.arrayBuffer, (buffer): RawResponse => ({
        status: response.status,
        headers: response.headers,
        bytes: new Uint8Array(buffer)
      }))
    ),
    Effect.mapError((error) =>
      new Transient({
        response: undefined,
        retryAfter: undefined,
        retriable: IDEMPOTENT.has(built.request.method) || neverSent(error),
        reason: error._tag === "RequestError" ? error.reason : "Transport",
        detail: describe(error)
      })
    ),
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

/** The policy's retry schedule, with `Retry-After` overriding each delay it applies to. */
const retrySchedule = (policy: Policy): Schedule.Schedule<Transient, Transient> => {
  const base: Schedule.Schedule<unknown, Transient> = policy.retry
  return Schedule.passthrough(base).pipe(
    Schedule.modifyDelay((transient, delay) => transient.retryAfter ?? delay)
  )
}

/**
 * Sends a request, retrying transient failures. A 429/503 still failing after the last retry
 * is returned as the response it is, for the step's criteria to judge.
 */
export const send = (
  client: HttpClient.HttpClient,
  built: BuiltRequest,
  policy: Policy
): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.suspend(() => {
    let attempts = 0
    const maxRetryAfter = Duration.decode(policy.maxRetryAfter)
    return Effect.suspend(() => {
      attempts++
      return attemptOnce(client, built)
    }).pipe(
      Effect.retry({
        schedule: retrySchedule(policy),
        while: (t) => t.retriable && (t.retryAfter === undefined || Duration.lessThanOrEqualTo(t.retryAfter, maxRetryAfter))
      }),
      Effect.catchTag("Transient", (t) =>
        t.response !== undefined
          ? Effect.succeed(t.response)
          : Effect.fail({ reason: t.reason, detail: t.detail, attempts }))
    )
  })
