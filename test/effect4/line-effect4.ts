/**
 * The Effect 4 side of `#line` (see test/support/line-effect3.ts for the contract): the same names,
 * from Effect 4's modules. Resolved from this nested project, so `effect` here is its Effect 4.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/testing/TestClock"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

/** Which line this is. */
export const major = 4 as const

/** The version of the `effect` this line's files resolve. */
export const effectVersion: string = (JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("effect/package.json"), "utf8")
) as { version: string }).version

/** The `effect/Effect` module as this helper resolves it, so a test can check it got the same copy. */
export { Effect }

export { HttpClient, HttpClientRequest, TestClock }

/** The HTTP client the end-to-end tests run on (undici, as apps use it). */
export const HttpClientLive = NodeHttpClient.layerUndici

/** `Effect.fork` of this line: a fiber that is the caller's child. */
export const fork = Effect.forkChild

/** A callback-driven Effect (`Effect.async` in 3, `Effect.callback` in 4). */
export const callback = Effect.callback

/** A schedule of `times` recurrences `every` apart. */
export const spacedTimes = (every: Duration.Input, times: number): Schedule.Schedule<unknown, unknown> =>
  Schedule.max([Schedule.spaced(every), Schedule.recurs(times)])

/** A schedule `every` apart for at most `total`. */
export const spacedUpTo = (every: Duration.Input, total: Duration.Input): Schedule.Schedule<unknown, unknown> =>
  Schedule.spaced(every).pipe(Schedule.upTo({ duration: total }))

/** Runs `effect` with every log line (message and cause, pretty-printed) handed to `line` instead of the console. */
export const withLogLines = (line: (text: string) => void) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(
    effect,
    Logger.layer([
      Logger.make(({ cause, message }) =>
        line(`${(Array.isArray(message) ? message : [message]).map(String).join(" ")} ${Cause.pretty(cause)}`)
      )
    ])
  )

/** `it.scoped` of Effect 3: `it.effect` has a Scope in @effect/vitest 4. */
export const itScoped = it.effect

/** `it.scopedLive` of Effect 3: `it.live` has a Scope in @effect/vitest 4. */
export const itLive = it.live

/** Whether an HttpClient error is a transport failure (no response). */
export const isTransportError = (error: HttpClientError.HttpClientError): boolean =>
  error.reason._tag === "TransportError"

/** A fiber's exit if it has ended, else `null`, without waiting. */
export const pollNow = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | null => fiber.pollUnsafe() ?? null

export { type RecordedSpan, recordingTracer } from "./recording-tracer.js"

/** The name of the HTTP client's span for a request: `POST` (Effect 4 names a client span by the method alone). */
export const clientSpanName = (method: string): string => method
