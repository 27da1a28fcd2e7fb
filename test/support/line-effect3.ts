/**
 * The Effect 3 side of `#line`: what differs between the two Effect lines, for test files that run
 * on both (test/lines/, and any suite test/effect4/vitest.config.ts lists). Its twin is
 * test/effect4/line-effect4.ts; both export the same names with the same meaning.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
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

export { HttpClient, TestClock }

/** The HTTP client the end-to-end tests run on (undici, as apps use it). */
export const HttpClientLive = NodeHttpClient.layerUndici
