/**
 * Example: testing a generated workflow offline with `arazzo-effect/testing`. The Civitai
 * img2img workflow (upload, submit, poll, read) runs against a table of mock responses; no
 * socket is opened, and the TestClock stands in for the time between polls.
 * docs/testing.md quotes this file.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import { MockApi, type MockRoutes } from "arazzo-effect/testing"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"

const TOKEN = "sk-offline-0123456789"
const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])

// #region routes
const finished = {
  id: "wf_1",
  status: "succeeded",
  cost: { total: 25 },
  steps: [{ jobs: [{ result: { blobs: [{ url: "https://cdn.test/out_wf_1.png" }] } }] }]
}

/** The Civitai Orchestration API as the workflow sees it; `overrides` replace routes. */
const civitai = (overrides: MockRoutes = {}) =>
  MockApi.layer({
    "POST /v2/consumer/blobs": (request) =>
      request.headers["authorization"] === `Bearer ${TOKEN}`
        ? { status: 201, json: { id: "blob_1", nsfwLevel: 1 } }
        : { status: 401, json: { error: "invalid token" } },
    "POST /v2/consumer/workflows": { status: 202, json: { id: "wf_1", status: "unassigned" } },
    // Polled twice while processing, then succeeded; the last reply repeats for readResult.
    "GET /v2/consumer/workflows/{workflowId}": [
      { json: { id: "wf_1", status: "processing" } },
      { json: { id: "wf_1", status: "processing" } },
      { json: finished }
    ],
    ...overrides
  })
// #endregion routes

const run = (apiKey = TOKEN) =>
  blobUploadImg2img({ apiKey, file: image, engine: "flux2", prompt: "a lighthouse", moderate: true })

describe("blob-upload-img2img, offline", () => {
  // #region happy-path
  it.effect("uploads, submits, polls until succeeded and reads the output", () =>
    Effect.gen(function*() {
      // The default poll schedule waits between polls; the TestClock makes that instant.
      const fiber = yield* Effect.fork(run())
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)

      expect(result._tag).toBe("Completed")
      expect(result.outputs).toEqual({
        sourceBlobId: "blob_1",
        workflowId: "wf_1",
        outputBlobUrl: "https://cdn.test/out_wf_1.png"
      })
      expect(result.steps.readResult?.cost).toBe(25)

      const api = yield* MockApi
      expect(api.requests.map((r) => r.target)).toEqual([
        "POST /v2/consumer/blobs",
        "POST /v2/consumer/workflows",
        "GET /v2/consumer/workflows/wf_1", // processing
        "GET /v2/consumer/workflows/wf_1", // processing
        "GET /v2/consumer/workflows/wf_1", // succeeded
        "GET /v2/consumer/workflows/wf_1" // readResult
      ])
      expect(api.requests.every((r) => r.headers["authorization"] === `Bearer ${TOKEN}`)).toBe(true)
      // No Servers layer: the OpenAPI server URL is used, and nothing leaves the process.
      expect(api.requests[0]?.url.origin).toBe("https://orchestration.civitai.com")

      const upload = yield* api.requests[0]!.formData
      const file = upload.get("file")
      expect(file).toBeInstanceOf(Blob)
      expect(new Uint8Array(yield* Effect.promise(() => (file as Blob).arrayBuffer()))).toEqual(image)
      expect(upload.get("moderate")).toBe("true")

      expect(api.requests[1]?.json()).toEqual({
        steps: [{
          $type: "imageGen",
          name: "img2img",
          input: { engine: "flux2", prompt: "a lighthouse", images: ["blob_1"] }
        }]
      })
    }).pipe(Effect.provide(civitai())))
  // #endregion happy-path

  // #region policy
  it.effect("polls without waiting under a poll policy of plain recurrences", () =>
    Effect.gen(function*() {
      const result = yield* run()
      expect(result.outputs.outputBlobUrl).toBe("https://cdn.test/out_wf_1.png")
      expect((yield* MockApi).calls("GET /v2/consumer/workflows/{workflowId}")).toHaveLength(4)
    }).pipe(Effect.provide(Layer.mergeAll(
      civitai(),
      Arazzo.Policies.layer({ poll: Schedule.recurs(10) }) // no delay between polls, at most 10
    ))))
  // #endregion policy

  // #region failure
  it.effect("a rejected token is StepFailed at uploadSource with status 401, and nothing else is sent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run("sk-wrong-token"))
      expect(error._tag).toBe("StepFailed")
      if (error._tag !== "StepFailed") return
      expect(error.stepId).toBe("uploadSource")
      expect(error.status).toBe(401)
      expect(error.criterion).toBe("$statusCode == 201")
      expect(error.body).toEqual({ error: "invalid token" })
      expect(error.request).toEqual({ method: "POST", url: "https://orchestration.civitai.com/v2/consumer/blobs" })
      expect(error.message).not.toContain("sk-wrong-token")
      expect((yield* MockApi).requests).toHaveLength(1)
    }).pipe(Effect.provide(civitai())))
  // #endregion failure

  it.effect("a generation that fails ends the workflow at pollWorkflow instead of reading a result", () =>
    Effect.gen(function*() {
      const result = yield* run()
      expect(result._tag).toBe("Ended")
      if (result._tag !== "Ended") return
      expect(result.stepId).toBe("pollWorkflow")
      expect(result.action).toBe("failed")
      expect(result.steps.pollWorkflow?.status).toBe("failed")
      expect(result.outputs.outputBlobUrl).toBeUndefined()
      expect((yield* MockApi).calls("GET /v2/consumer/workflows/{workflowId}")).toHaveLength(1)
    }).pipe(Effect.provide(Layer.mergeAll(
      civitai({ "GET /v2/consumer/workflows/{workflowId}": { json: { id: "wf_1", status: "failed" } } }),
      Arazzo.Policies.layer({ poll: Schedule.recurs(10) })
    ))))

  it.effect("a poll that never finishes is PollExhausted once the schedule runs out", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(run())
      expect(error._tag).toBe("PollExhausted")
      if (error._tag !== "PollExhausted") return
      expect(error.attempts).toBe(4)
      expect(error.lastBody).toEqual({ id: "wf_1", status: "processing" })
      expect(error.stepOutputs).toMatchObject({ submitImg2Img: { workflowId: "wf_1" } })
    }).pipe(Effect.provide(Layer.mergeAll(
      civitai({ "GET /v2/consumer/workflows/{workflowId}": { json: { id: "wf_1", status: "processing" } } }),
      Arazzo.Policies.layer({ poll: Schedule.recurs(3) })
    ))))
})
