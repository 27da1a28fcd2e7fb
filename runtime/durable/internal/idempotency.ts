/**
 * `Idempotency-Key` on the requests a durable workflow sends that are not idempotent by method.
 * The key is a digest of the execution id and the step attempt's activity name, so a request
 * sent again after a crash (the journal had not recorded its response) carries the same key:
 * an API that honours the header does the work once. A key the step sets itself is kept.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { createHash } from "node:crypto"
import { currentActivity } from "./execution.js"

export const IDEMPOTENCY_HEADER = "idempotency-key"

/** Which requests get a key: those whose method is not idempotent (POST, PATCH), or none. */
export type IdempotencyKeys = "non-idempotent" | "off"

const NOT_IDEMPOTENT = new Set(["POST", "PATCH"])

/** The key of one step attempt of one execution: stable across crashes and restarts. */
export const idempotencyKeyOf = (executionId: string, activity: string): string =>
  createHash("sha256").update(`${executionId}\u0000${activity}`).digest("hex").slice(0, 32)

/** `client`, adding the key to the requests of step attempts in `executionId`. */
export const withIdempotencyKeys = (
  client: HttpClient.HttpClient,
  executionId: string,
  policy: IdempotencyKeys
): HttpClient.HttpClient =>
  policy === "off" ?
    client :
    HttpClient.mapRequestEffect(client, (request) =>
      Effect.map(FiberRef.get(currentActivity), (activity) =>
        activity === undefined || !NOT_IDEMPOTENT.has(request.method) || IDEMPOTENCY_HEADER in request.headers
          ? request
          : HttpClientRequest.setHeader(request, IDEMPOTENCY_HEADER, idempotencyKeyOf(executionId, activity))))
