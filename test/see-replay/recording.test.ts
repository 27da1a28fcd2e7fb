/**
 * Record and replay at the library level: the generated img2img workflow runs against the local
 * Civitai mock over real HTTP through `Recorder.layer`; the mock is stopped; the same workflow
 * runs again from `MockApi.fromRecording` and returns the same result. Then the ways a replay
 * can drift, each reported with the step, what was expected and what was sent, and a behaviour
 * document (failure retries that go to another step) recorded and replayed the same way.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import {
  decodeRecording,
  encodeRecording,
  MockApi,
  Recorder,
  type Recording,
  RecordingDrift,
  Replay
} from "arazzo-effect/testing"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type { ServerResponse } from "node:http"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import { findInvoice } from "../../generated/order-control-flow.js"
import { startCivitaiMock } from "../mock/civitai-orchestration.js"
import { quickPoll, randomImage } from "../support/img2img.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

const TOKEN = "recording-test-token-3f9a"
const inputs = (apiKey = TOKEN, prompt = "a lighthouse at dusk") => ({
  apiKey,
  file: randomImage(2048),
  engine: "flux2",
  prompt,
  moderate: true
})

const policies = Arazzo.Policies.layer({ poll: quickPoll })

/** Records one img2img run against a fresh mock, then stops the mock. */
const recordImg2img = Effect.gen(function*() {
  const mock = yield* Effect.promise(() => startCivitaiMock({ token: TOKEN, pollsUntilDone: 2 }))
  const client = Layer.provide(Recorder.layer({ secrets: [TOKEN] }), NodeHttpClient.layerUndici)
  const run = Effect.gen(function*() {
    const result = yield* blobUploadImg2img(inputs())
    const recorder = yield* Recorder
    return { result, recording: recorder.recording() }
  }).pipe(
    Effect.provide(Layer.mergeAll(client, policies, Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url })))
  )
  const recorded = yield* Effect.ensuring(run, Effect.promise(() => mock.close()))
  return { ...recorded, url: mock.url }
})

const replay = (recording: Recording, url: string, apiKey = TOKEN, prompt?: string) =>
  Effect.gen(function*() {
    const result = yield* blobUploadImg2img(inputs(apiKey, prompt))
    return { result, replay: yield* Replay, api: yield* MockApi }
  }).pipe(
    Effect.provide(Layer.mergeAll(
      MockApi.fromRecording(recording, { secrets: [apiKey] }),
      policies,
      Arazzo.Servers.layer({ civitaiOrchestrationApi: url })
    ))
  )

const driftOf = (exit: Exit.Exit<unknown, unknown>): RecordingDrift => {
  if (Exit.isSuccess(exit)) throw new Error("the replay should have drifted")
  const defect = Cause.squash(exit.cause)
  if (!(defect instanceof RecordingDrift)) throw new Error(`expected a RecordingDrift, got ${String(defect)}`)
  return defect
}

describe("record a run, replay it offline", () => {
  it.live("img2img: the exchanges in order, per step and poll attempt, secrets redacted", () =>
    Effect.gen(function*() {
      const { recording, url } = yield* recordImg2img
      const steps = recording.exchanges.map((e) => `${e.stepId}#${e.attempt} ${e.request.method} ${e.response?.status}`)
      expect(steps).toEqual([
        "uploadSource#1 POST 201",
        "submitImg2Img#1 POST 202",
        "pollWorkflow#1 GET 200",
        "pollWorkflow#2 GET 200",
        "pollWorkflow#3 GET 200",
        "readResult#1 GET 200"
      ])
      expect(recording.exchanges.every((e) => e.workflowId === "blob-upload-img2img")).toBe(true)
      const first = recording.exchanges[0]!
      expect(first.request.url).toBe(`${url}/v2/consumer/blobs`)
      expect(first.request.headers["authorization"]).toBe("Bearer <redacted>")
      expect(first.request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
      expect(first.response?.body.json).toMatchObject({ id: "blob_1" })
      // The submitted JSON is kept as JSON, readable in a diff.
      expect(recording.exchanges[1]!.request.body.json).toMatchObject({
        steps: [{ input: { prompt: "a lighthouse at dusk" } }]
      })
      const text = encodeRecording(recording)
      expect(text).not.toContain(TOKEN)
      // The file round-trips through its schema.
      expect(Either.getOrThrow(decodeRecording(text))).toEqual(JSON.parse(text))
    }))

  it.live("img2img: replayed with the mock stopped, the same result; every exchange used", () =>
    Effect.gen(function*() {
      const { result, recording, url } = yield* recordImg2img
      // Nothing listens there any more: only the recording can answer.
      const refused = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/v2/consumer/blobs`)))
      expect(Either.isLeft(refused)).toBe(true)

      const again = yield* replay(recording, url)
      expect(again.result).toEqual(result)
      expect(JSON.stringify(again.result.outputs)).toBe(JSON.stringify(result.outputs))
      expect(again.replay.remaining()).toEqual([])
      expect(again.api.calls("blob-upload-img2img/pollWorkflow")).toHaveLength(3)
    }))

  it.live("a redacted secret matches whatever the replay sends in its place (a CI run has no real key)", () =>
    Effect.gen(function*() {
      const { result, recording, url } = yield* recordImg2img
      const again = yield* replay(recording, url, "a-different-ci-key")
      expect(again.result.outputs).toEqual(result.outputs)
    }))

  it.live("drift: a different request body names the step, the request and the difference", () =>
    Effect.gen(function*() {
      const { recording, url } = yield* recordImg2img
      const exit = yield* Effect.exit(replay(recording, url, TOKEN, "a lighthouse at dawn"))
      const drift = driftOf(exit)
      expect(drift).toMatchObject({ stepId: "submitImg2Img", workflowId: "blob-upload-img2img", attempt: 1, index: 1 })
      expect(drift.differences.map((d) => d.what)).toEqual(["body"])
      expect(drift.message).toContain(
        "recording drift: step submitImg2Img of workflow blob-upload-img2img (attempt 1) sent a request that differs from request 1 of 1 recorded for it"
      )
      expect(drift.message).toContain("a lighthouse at dawn")
      expect(drift.message).toContain(`expected: POST ${url}/v2/consumer/workflows`)
    }))

  it.live("drift: a step that sends more requests than were recorded for it", () =>
    Effect.gen(function*() {
      const { recording, url } = yield* recordImg2img
      // Drop the terminal poll: the replay's third poll has nothing to be answered with.
      const shorter: Recording = {
        ...recording,
        exchanges: recording.exchanges.filter((e) => !(e.stepId === "pollWorkflow" && e.attempt === 3))
      }
      const drift = driftOf(yield* Effect.exit(replay(shorter, url)))
      expect(drift).toMatchObject({ stepId: "pollWorkflow", attempt: 3, index: 3, recorded: 2, expected: undefined })
      expect(drift.message).toBe(
        `recording drift: step pollWorkflow of workflow blob-upload-img2img (attempt 3) sent request 3 of the step, but the recording has 2 for it\n` +
          `  sent:     GET ${url}/v2/consumer/workflows/wf_1`
      )
    }))

  it.live("drift: another server URL is a drift on the url, and the secret stays out of the message", () =>
    Effect.gen(function*() {
      const { recording } = yield* recordImg2img
      const drift = driftOf(yield* Effect.exit(replay(recording, "http://127.0.0.1:9")))
      expect(drift.stepId).toBe("uploadSource")
      expect(drift.differences.map((d) => d.what)).toEqual(["url"])
      expect(drift.message).not.toContain(TOKEN)
    }))

  it.live("an unusable recording fails the layer with RecordingInvalid naming the field", () =>
    Effect.gen(function*() {
      const bad = decodeRecording(JSON.stringify({ format: "arazzo-effect/recording", version: 1, exchanges: [{}] }))
      expect(Either.isLeft(bad)).toBe(true)
      if (Either.isLeft(bad)) {
        expect(bad.left.message).toMatch(/^recording is not a usable recording: redacted: is missing/)
      }
      const missing = yield* Effect.either(
        Layer.build(MockApi.fromRecording("/nonexistent/run.json")).pipe(Effect.scoped)
      )
      expect(Either.isLeft(missing) && missing.left._tag).toBe("RecordingInvalid")
    }))
})

describe("record and replay a behaviour document", () => {
  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { "content-type": "application/json" })
    res.end(body === undefined ? "" : JSON.stringify(body))
  }

  it.live("find-invoice: a failure retry that goes to another step first, replayed to the same result", () =>
    Effect.gen(function*() {
      let invoiceCalls = 0
      const { result, recording } = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* misbehavingServer({
          "GET /orders/o1": (_req, res) => json(res, 200, { id: "o1", status: "paid" }),
          "GET /orders/o1/invoice": (_req, res) => (++invoiceCalls < 3 ? json(res, 404) : json(res, 200, { total: 42 }))
        })
        return yield* Effect.gen(function*() {
          const result = yield* findInvoice({ orderId: "o1" })
          return { result, recording: (yield* Recorder).recording() }
        }).pipe(Effect.provide(Layer.mergeAll(
          Layer.provide(Recorder.layer(), NodeHttpClient.layerUndici),
          Arazzo.Servers.layer({ orders: server.url })
        )))
      }))
      expect(recording.exchanges.map((e) => `${e.stepId} ${e.response?.status}`)).toEqual([
        "readOrder 200",
        "readInvoice 404",
        "readOrder 200",
        "readInvoice 404",
        "readOrder 200",
        "readInvoice 200"
      ])
      const url = new URL(recording.exchanges[0]!.request.url).origin
      const again = yield* findInvoice({ orderId: "o1" }).pipe(
        Effect.provide(Layer.mergeAll(MockApi.fromRecording(recording), Arazzo.Servers.layer({ orders: url })))
      )
      expect(again).toEqual(result)
      expect(result).toMatchObject({ _tag: "Ended", stepId: "readInvoice", action: "done" })
    }))
})
