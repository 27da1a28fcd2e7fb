/** Shared set-up for running the generated img2img workflow against the local Civitai mock. */
import { blobUploadImg2img } from "#generated/civitai-blob-upload-img2img-workflow.js"
import { HttpClientLive, spacedTimes } from "#line"
import * as Arazzo from "#runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CivitaiMock } from "../mock/civitai-orchestration.js"
import { randomImage } from "./image.js"

export { randomImage }

export const TOKEN = "test-token"

/** Polls every 5 ms, at most 50 times: real waiting, but quick. */
export const quickPoll = spacedTimes("5 millis", 50)

/** The workflow's environment: a real HTTP client, the mock as the server, and policies. */
export const environment = (mock: CivitaiMock, policy: Arazzo.PolicySettings = {}) =>
  Layer.mergeAll(
    HttpClientLive,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url }),
    Arazzo.Policies.layer({ poll: quickPoll, ...policy })
  )

export const runImg2img = (
  mock: CivitaiMock,
  options: { readonly file?: Uint8Array | Blob; readonly apiKey?: string; readonly policy?: Arazzo.PolicySettings } = {}
) =>
  blobUploadImg2img({
    apiKey: options.apiKey ?? TOKEN,
    file: options.file ?? randomImage(),
    engine: "flux2",
    prompt: "a lighthouse at dusk, oil painting",
    moderate: true
  }).pipe(Effect.provide(environment(mock, options.policy)))

/** Waits, on the real clock, until a condition holds (for tests that drive the TestClock). */
export const eventually = (condition: () => boolean, timeoutMs = 5_000): Effect.Effect<void> =>
  Effect.promise(() =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now()
      const check = () => {
        if (condition()) resolve()
        else if (Date.now() - started > timeoutMs) reject(new Error("condition not met in time"))
        else setTimeout(check, 5)
      }
      check()
    })
  )

/** Sleeps on the real clock. */
export const realSleep = (ms: number): Effect.Effect<void> =>
  Effect.promise(() => new Promise((r) => setTimeout(r, ms)))
