/**
 * A gate in front of an `HttpClient`: while it is closed, the requests it matches wait before
 * they are sent. With it, a batch of runs can be stopped at the same point of the flow (every
 * run parked before its first poll, its upload and submit done) to measure what each run in
 * flight keeps alive. The gate sits in the client the `HttpClient` layer provides, so the
 * generated and the hand-written versions are stopped the same way, through public APIs.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface Gate {
  /** Wraps an `HttpClient` layer so its client passes through the gate. */
  readonly layer: <E, R>(client: Layer.Layer<HttpClient.HttpClient, E, R>) => Layer.Layer<HttpClient.HttpClient, E, R>
  readonly close: () => void
  /** Lets every waiting request go, and the ones after them. */
  readonly open: () => void
  /** How many requests wait at the gate. */
  readonly waiting: () => number
}

export const makeGate = (holds: (request: HttpClientRequest.HttpClientRequest) => boolean): Gate => {
  let closed = false
  let waiters: Array<() => void> = []
  const pass = (request: HttpClientRequest.HttpClientRequest) =>
    closed && holds(request)
      ? Effect.as(Effect.async<void>((resume) => void waiters.push(() => resume(Effect.void))), request)
      : Effect.succeed(request)
  return {
    layer: (client) =>
      Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, HttpClient.mapRequestEffect(pass))).pipe(
        Layer.provide(client)
      ),
    close: () => {
      closed = true
    },
    open: () => {
      closed = false
      const released = waiters
      waiters = []
      for (const resume of released) resume()
    },
    waiting: () => waiters.length
  }
}
