/**
 * Sending one step request with the transport policy: transient failures (connection refused,
 * 429, 503, and for idempotent methods any transport error, a body cut short included) are
 * retried on the policy's schedule, never sooner than a server's `Retry-After` asks; redirects
 * are followed here, within the same origin only (the client is never left to follow one); the
 * body is read within the policy's `maxResponseBytes`.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import { concatBytes, readBlobs } from "../../core/multipart.js"
import type { RequestParts } from "../../core/request.js"
import { retryAfterMillis } from "../../core/response.js"
import { type RawResponse, type StepAttempt, stepOfRequest } from "./execution.js"
import type { ResolvedPolicy } from "./policy.js"
import { type BodyIncomplete, type BodyTooLarge, readBody } from "./read-body.js"

/** The outcome of an attempt that may deserve another. */
class Transient extends Data.TaggedError("Transient")<{
  /** Present when the server answered (429/503); absent for transport failures. */
  readonly response: RawResponse | undefined
  readonly retryAfterMillis: number | undefined
  readonly retriable: boolean
  readonly reason: TransportFailure["reason"]
  readonly detail: string
}> {}

/** What `send` fails with when no whole response could be had. */
export interface TransportFailure {
  readonly _tag: "TransportFailure"
  readonly reason: "Transport" | "Encode" | "InvalidUrl" | "Redirect"
  readonly detail: string
  readonly attempts: number
}

/** Effect 4's request-side failure reasons, as the runtime's `RequestFailed` names them. */
const REQUEST_REASON: Partial<Record<string, TransportFailure["reason"]>> = {
  TransportError: "Transport",
  EncodeError: "Encode",
  InvalidUrlError: "InvalidUrl"
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
const RETRY_STATUS = new Set([429, 503])
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5

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
  error._tag !== "BodyIncomplete" && causeChain(error.reason.cause).codes.includes("ECONNREFUSED")

/** `connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)`; `reading the body of the 200 response failed: …`. */
const describe = (error: HttpClientError.HttpClientError | BodyIncomplete): string => {
  if (error._tag === "BodyIncomplete") return `reading the body of the ${error.status} response failed: ${error.detail}`
  const { codes, messages } = causeChain(error.reason.cause)
  const why = [messages.join(": ") || error.message, codes.length > 0 ? `(${codes.join(", ")})` : ""].join(" ").trim()
  const response = error.response
  if (response === undefined) return why
  return `reading the body of the ${response.status} response failed: ${why}`
}

/**
 * The client request for built parts, or `undefined` when a `Blob` in the body must be read
 * first (`readClientRequest`): most requests are made without an asynchronous step.
 */
const clientRequestNow = (parts: RequestParts): HttpClientRequest.HttpClientRequest | undefined => {
  const request = HttpClientRequest.make(parts.method)(parts.url, { headers: parts.headers })
  const body = parts.body
  if (body === undefined) return request
  const contentType = contentTypeOf(parts.headers)
  switch (body._tag) {
    case "Text":
      return HttpClientRequest.bodyText(request, body.text, contentType ?? body.contentType)
    case "Bytes":
      return HttpClientRequest.bodyUint8Array(request, body.bytes, contentType ?? body.contentType)
    case "Blob":
      return undefined
    case "Multipart":
      return body.multipart.hasBlobs
        ? undefined
        : HttpClientRequest.bodyUint8Array(
          request,
          concatBytes(body.multipart.pieces as Array<Uint8Array>),
          contentType ?? body.multipart.contentType
        )
  }
}

/** The client request for parts whose body holds a `Blob`: its bytes read first. */
const readClientRequest = (parts: RequestParts): Effect.Effect<HttpClientRequest.HttpClientRequest> => {
  const request = HttpClientRequest.make(parts.method)(parts.url, { headers: parts.headers })
  const body = parts.body!
  const contentType = contentTypeOf(parts.headers)
  return body._tag === "Blob"
    ? Effect.map(
      Effect.promise(() => body.blob.arrayBuffer()),
      (buffer) => HttpClientRequest.bodyUint8Array(request, new Uint8Array(buffer), contentType ?? body.contentType)
    )
    : body._tag === "Multipart"
    ? Effect.map(
      Effect.promise(() => readBlobs(body.multipart)),
      (bytes) => HttpClientRequest.bodyUint8Array(request, bytes, contentType ?? body.multipart.contentType)
    )
    : Effect.die(new Error(`no Blob to read in a ${body._tag} body`))
}

/** The client request for built parts (a body with `Blob`s read first). */
export const clientRequest = (parts: RequestParts): Effect.Effect<HttpClientRequest.HttpClientRequest> => {
  const now = clientRequestNow(parts)
  return now === undefined ? readClientRequest(parts) : Effect.succeed(now)
}

/** Runs `f` with the client request for built parts, noted as belonging to `step` (see `stepOfRequest`). */
export const withClientRequest = <A, E>(
  parts: RequestParts,
  step: StepAttempt,
  f: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  const noted = (request: HttpClientRequest.HttpClientRequest) => {
    stepOfRequest.set(request, step)
    return f(request)
  }
  const now = clientRequestNow(parts)
  return now === undefined ? Effect.flatMap(readClientRequest(parts), noted) : Effect.suspend(() => noted(now))
}

const contentTypeOf = (headers: Readonly<Record<string, string>>): string | undefined => {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === "content-type") return headers[name]
  return undefined
}

/** The request a redirect leads to, or why it is not followed (`undefined`: the 3xx is the answer). */
const redirected = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  policy: ResolvedPolicy
): HttpClientRequest.HttpClientRequest | undefined => {
  if (policy.redirects === "none" || !REDIRECT_STATUS.has(response.status)) return undefined
  const location = response.headers["location"]
  if (location === undefined) return undefined
  let from: URL
  let to: URL
  try {
    from = new URL(request.url)
    to = new URL(location, from)
  } catch {
    return undefined
  }
  // Another origin never gets the step's request: its headers carry the step's credentials.
  if (to.origin !== from.origin) return undefined
  const becomesGet = response.status === 303 ||
    ((response.status === 301 || response.status === 302) && request.method === "POST")
  const next = HttpClientRequest.setUrl(request, to.href)
  return becomesGet ? HttpClientRequest.setMethod(HttpClientRequest.setBody(next, HttpBody.empty), "GET") : next
}

type Failure = Transient | BodyTooLarge

const attemptOnce = (
  client: HttpClient.HttpClient,
  first: HttpClientRequest.HttpClientRequest,
  policy: ResolvedPolicy
): Effect.Effect<RawResponse, Failure> => {
  const maxBytes = policy.maxResponseBytes
  const transportFailure = (error: HttpClientError.HttpClientError | BodyIncomplete) =>
    new Transient({
      response: undefined,
      retryAfterMillis: undefined,
      retriable: IDEMPOTENT.has(first.method) || neverSent(error),
      reason: error._tag === "BodyIncomplete" ? "Transport" : REQUEST_REASON[error.reason._tag] ?? "Transport",
      detail: describe(error)
    })
  const retryStatus = (raw: RawResponse): Effect.Effect<RawResponse, Failure> =>
    RETRY_STATUS.has(raw.status)
      ? Effect.fail(
        new Transient({
          response: raw,
          retryAfterMillis: retryAfterMillis(raw.headers["retry-after"], Date.now()),
          retriable: true,
          reason: "Transport",
          detail: `status ${raw.status}`
        })
      )
      : Effect.succeed(raw)
  const hop = (request: HttpClientRequest.HttpClientRequest, hops: number): Effect.Effect<RawResponse, Failure> =>
    Effect.matchEffect(client.execute(request), {
      onFailure: (error) => Effect.fail(transportFailure(error)),
      onSuccess: (response) => {
        const next = redirected(request, response, policy)
        if (next !== undefined && hops >= MAX_REDIRECTS) {
          return Effect.fail(
            new Transient({
              response: undefined,
              retryAfterMillis: undefined,
              retriable: false,
              reason: "Redirect",
              detail: `more than ${MAX_REDIRECTS} redirects in a row (last to ${next.url})`
            })
          )
        }
        return Effect.matchEffect(readBody(response, maxBytes), {
          onFailure: (error) => Effect.fail(error._tag === "BodyTooLarge" ? error : transportFailure(error)),
          onSuccess: (bytes) => {
            if (next === undefined) return retryStatus({ status: response.status, headers: response.headers, bytes })
            // The redirect's own body was read (and dropped) so the connection can be reused.
            const step = stepOfRequest.get(request)
            if (step !== undefined) stepOfRequest.set(next, step)
            return hop(next, hops + 1)
          }
        })
      }
    })
  return hop(first, 0)
}

/** The policy's retry schedule, a server's usable `Retry-After` taking the place of each delay. */
const retrySchedule = (policy: ResolvedPolicy): Schedule.Schedule<Failure, Failure> => {
  const base: Schedule.Schedule<unknown, Failure> = policy.retry
  return Schedule.passthrough(base).pipe(
    Schedule.modifyDelay(({ duration, input }) => {
      const asked = input._tag === "Transient" ? input.retryAfterMillis : undefined
      return Effect.succeed(asked === undefined ? duration : Duration.millis(asked))
    })
  )
}

/**
 * Sends a request, retrying transient failures. A 429/503 still failing after the last retry
 * (or asking for longer than `maxRetryAfter`) is returned as the response it is, for the step's
 * criteria to judge. A body over the limit is not retried: the next answer would be as large.
 */
export const send = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  policy: ResolvedPolicy
): Effect.Effect<RawResponse, TransportFailure | BodyTooLarge> =>
  Effect.suspend(() => {
    let attempts = 0
    const retriable = (failure: Failure) =>
      failure._tag === "Transient" && failure.retriable &&
      (failure.retryAfterMillis === undefined || failure.retryAfterMillis <= policy.maxRetryAfterMillis)
    const once = Effect.suspend(() => {
      attempts++
      return attemptOnce(client, request, policy)
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
    const settle = (failure: Failure): Effect.Effect<RawResponse, TransportFailure | BodyTooLarge> =>
      failure._tag === "BodyTooLarge"
        ? Effect.fail(failure)
        : failure.response !== undefined
        ? Effect.succeed(failure.response)
        : Effect.fail({ _tag: "TransportFailure", reason: failure.reason, detail: failure.detail, attempts })
    return Effect.catch(
      once,
      (failure) => (retriable(failure) ? Effect.catch(retried(failure), settle) : settle(failure))
    )
  })
