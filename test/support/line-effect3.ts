/**
 * The Effect 3 side of `#line`: what differs between the two Effect lines, for test files that run
 * on both (test/lines/, and any suite test/effect4/vitest.config.ts lists). Its twin is
 * test/effect4/line-effect4.ts; both export the same names with the same meaning.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import type { DurationInput } from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

/** Which line this is. */
export const major = 3 as const

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
export const fork = Effect.fork

/** A callback-driven Effect (`Effect.async` in 3, `Effect.callback` in 4). */
export const callback = Effect.async

/** A schedule of `times` recurrences `every` apart. */
export const spacedTimes = (every: DurationInput, times: number): Schedule.Schedule<unknown, unknown> =>
  Schedule.spaced(every).pipe(Schedule.intersect(Schedule.recurs(times)))

/** A schedule `every` apart for at most `total`. */
export const spacedUpTo = (every: DurationInput, total: DurationInput): Schedule.Schedule<unknown, unknown> =>
  Schedule.spaced(every).pipe(Schedule.upTo(total))

/** Runs `effect` with every log line (message and cause, pretty-printed) handed to `line` instead of the console. */
export const withLogLines = (line: (text: string) => void) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(
    effect,
    Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ cause, message }) => line(`${String(message)} ${Cause.pretty(cause)}`))
    )
  )

/** `it.scoped`: a test with a Scope, on the TestClock. */
export const itScoped = it.scoped

/** `it.scopedLive`: a test with a Scope, on the real clock. */
export const itLive = it.scopedLive

/** Whether an HttpClient error is a transport failure (no response). */
export const isTransportError = (error: HttpClientError.HttpClientError): boolean =>
  error._tag === "RequestError" && error.reason === "Transport"

/** A fiber's exit if it has ended, else `null`, without waiting. */
export const pollNow = <A, E>(fiber: Fiber.Fiber<A, E>): Exit.Exit<A, E> | null =>
  Option.getOrNull(Effect.runSync(fiber.poll))

export { type RecordedSpan, recordingTracer } from "./recording-tracer.js"

/** The name of the HTTP client's span for a request: `http.client POST` (@effect/platform names its client spans so). */
export const clientSpanName = (method: string): string => `http.client ${method}`
