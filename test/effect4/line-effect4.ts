/**
 * The Effect 4 side of `#line` (see test/support/line-effect3.ts for the contract): the same names,
 * from Effect 4's modules. Resolved from this nested project, so `effect` here is its Effect 4.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
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

export { HttpClient, TestClock }

/** The HTTP client the end-to-end tests run on (undici, as apps use it). */
export const HttpClientLive = NodeHttpClient.layerUndici
