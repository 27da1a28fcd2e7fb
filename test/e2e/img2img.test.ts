/**
 * The generated Civitai img2img workflow, end to end over real HTTP on 127.0.0.1 against the
 * local Orchestration mock: upload, submit, poll, read.
 */
import { blobUploadImg2img } from "#generated/civitai-blob-upload-img2img-workflow.js"
import { clientSpanName, fork, itLive, itScoped, recordingTracer, spacedTimes, TestClock, withLogLines } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { createHash } from "node:crypto"
import { civitaiMock } from "../mock/civitai-orchestration.js"
import { environment, eventually, randomImage, realSleep, runImg2img, TOKEN } from "../support/img2img.js"

describe("blob-upload-img2img against the local Civitai mock", () => {
  itLive(
    "uploads the exact bytes, references the blob, polls to completion and returns the output URL",
    () =>
      Effect.gen(function*() {
        const mock = yield* civitaiMock({ pollsUntilDone: 3 })
        const image = randomImage(256 * 1024)
        const result = yield* runImg2img(mock, { file: image })

        const [blob] = [...mock.blobs.values()]
        expect(blob?.bytes).toEqual(image)
        expect(blob?.sha256).toBe(createHash("sha256").update(image).digest("hex"))
        expect(blob?.moderate).toBe(true)

        const [workflow] = [...mock.workflows.values()]
        expect(workflow?.request).toMatchObject({
          steps: [{ $type: "imageGen", name: "img2img", input: { engine: "flux2", images: [blob?.id] } }]
        })
        // 3 polls still running, the 4th terminal, then readResult reads once more.
        expect(mock.calls("getWorkflow")).toBe(5)
        expect(mock.requests.every((r) => r.headers["authorization"] === `Bearer ${TOKEN}`)).toBe(true)

        expect(result._tag).toBe("Completed")
        expect(result.outputs).toEqual({
          sourceBlobId: blob?.id,
          workflowId: workflow?.id,
          outputBlobUrl: `${mock.url}/blobs/out_${workflow?.id}`
        })
        expect(result.steps.pollWorkflow?.status).toBe("succeeded")
        expect(result.steps.readResult?.cost).toBe(25)
      })
  )

  itLive("accepts a Blob as the file input and sends it as a file part", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ pollsUntilDone: 0 })
      const bytes = randomImage(1000)
      yield* runImg2img(mock, {
        file: new File([bytes as Uint8Array<ArrayBuffer>], "source.png", { type: "image/png" })
      })
      const [blob] = [...mock.blobs.values()]
      expect(blob?.bytes).toEqual(bytes)
      expect(blob?.mimeType).toBe("image/png")
      expect(blob?.filename).toBe("source.png")
    }))

  for (const outcome of ["failed", "expired", "canceled"] as const) {
    itLive(`tells the caller the workflow ended at pollWorkflow when it is ${outcome}`, () =>
      Effect.gen(function*() {
        const mock = yield* civitaiMock({ pollsUntilDone: 1, outcome })
        const result = yield* runImg2img(mock)
        expect(result._tag).toBe("Ended")
        if (result._tag !== "Ended") return
        expect(result.stepId).toBe("pollWorkflow")
        expect(result.action).toBe("failed")
        expect(result.steps.pollWorkflow?.status).toBe(outcome)
        expect(result.outputs.outputBlobUrl).toBeUndefined()
        expect(result.outputs.workflowId).toMatch(/^wf_/)
        // readResult never ran: two polls, no extra read.
        expect(mock.calls("getWorkflow")).toBe(2)
      }))
  }

  itScoped("waits between polls on the policy's schedule (TestClock)", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ pollsUntilDone: 2 })
      const polls = () => mock.requests.filter((r) => r.operation === "getWorkflow" && r.status !== undefined).length
      const fiber = yield* runImg2img(mock, {
        policy: { poll: spacedTimes("10 seconds", 5) }
      }).pipe(fork)

      yield* eventually(() => polls() === 1)
      yield* realSleep(150)
      expect(polls()).toBe(1) // nothing happens until the clock moves
      yield* TestClock.adjust("9 seconds")
      yield* realSleep(150)
      expect(polls()).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* eventually(() => polls() === 2)
      yield* realSleep(50)
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)

      expect(polls()).toBe(4) // preparing, processing, succeeded; then readResult
      expect(result._tag).toBe("Completed")
      expect(result.outputs.outputBlobUrl).toMatch(/\/blobs\/out_wf_/)
    }))

  itLive(
    "fails with PollExhausted, not a response still processing, when the poll schedule runs out",
    () =>
      Effect.gen(function*() {
        const mock = yield* civitaiMock({ pollsUntilDone: 100 })
        const error = yield* runImg2img(mock, {
          policy: { poll: spacedTimes("1 millis", 3) }
        }).pipe(Effect.flip)
        expect(error._tag).toBe("PollExhausted")
        if (error._tag !== "PollExhausted") return
        expect(error.stepId).toBe("pollWorkflow")
        expect(error.attempts).toBe(4)
        expect(mock.calls("getWorkflow")).toBe(4)
        expect(error.lastBody).toMatchObject({ status: "processing" })
        expect(error.stepOutputs).toMatchObject({
          uploadSource: { blobId: "blob_1" },
          submitImg2Img: { workflowId: "wf_1" }
        })
      })
  )

  itLive("retries a 503 after the Retry-After the server asks for", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({
        pollsUntilDone: 0,
        unavailable: { submitWorkflow: { times: 1, retryAfter: "1" } }
      })
      const started = Date.now()
      const result = yield* runImg2img(mock)
      const elapsed = Date.now() - started
      expect(result._tag).toBe("Completed")
      expect(mock.calls("submitWorkflow")).toBe(2)
      expect(mock.workflows.size).toBe(1)
      // The default retry delay is 200 ms; waiting about a second means Retry-After was honoured.
      expect(elapsed).toBeGreaterThanOrEqual(950)
    }))

  itLive("retries 429 and 503 on every operation, then judges the last response", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({
        pollsUntilDone: 0,
        unavailable: { uploadBlob: { times: 5, status: 429, retryAfter: "0" } }
      })
      const error = yield* runImg2img(mock).pipe(Effect.flip)
      // Three retries by default: four attempts, all 429, so the success criterion fails on 429.
      expect(mock.calls("uploadBlob")).toBe(4)
      expect(error._tag).toBe("StepFailed")
      if (error._tag === "StepFailed") expect(error.status).toBe(429)
    }))

  itLive(
    "a wrong token is a StepFailed at uploadSource with status 401; the token is in no error, log or span",
    () =>
      Effect.gen(function*() {
        const secret = "sk-live-0123456789abcdef"
        const mock = yield* civitaiMock()
        const { spans, tracer } = recordingTracer()
        const error = yield* runImg2img(mock, { apiKey: secret }).pipe(Effect.withTracer(tracer), Effect.flip)
        expect(error._tag).toBe("StepFailed")
        if (error._tag !== "StepFailed") return
        expect(error.stepId).toBe("uploadSource")
        expect(error.status).toBe(401)
        expect(error.criterion).toBe("$statusCode == 201")
        expect(error.request).toEqual({ method: "POST", url: `${mock.url}/v2/consumer/blobs` })
        expect(error.message).toContain("uploadSource")
        for (const text of [error.message, String(error), JSON.stringify(error), JSON.stringify(error.body)]) {
          expect(text).not.toContain(secret)
        }
        const logged: Array<string> = []
        const toLog = withLogLines((line) => logged.push(line))
        yield* Effect.logError("workflow failed", error).pipe(toLog)
        yield* Effect.logError(Cause.fail(error)).pipe(toLog)
        expect(logged.join("\n")).toContain("uploadSource")
        expect(logged.join("\n")).not.toContain(secret)
        const spanText = JSON.stringify(spans.map((s) => [s.name, [...s.attributes]]))
        expect(spanText).toContain("arazzo.step uploadSource")
        expect(spanText).toContain(JSON.stringify(clientSpanName("POST")))
        expect(spanText).not.toContain(secret)
      })
  )

  itLive(
    "a step slower than its timeout is StepTimeout, and keeps the outputs gathered so far",
    () =>
      Effect.gen(function*() {
        const mock = yield* civitaiMock({ delayMs: { getWorkflow: 5_000 } })
        const error = yield* runImg2img(mock, {
          policy: { workflows: { "blob-upload-img2img": { steps: { pollWorkflow: { stepTimeout: "200 millis" } } } } }
        }).pipe(Effect.flip)
        expect(error._tag).toBe("StepTimeout")
        if (error._tag !== "StepTimeout") return
        expect(error.stepId).toBe("pollWorkflow")
        expect(error.stepOutputs).toMatchObject({
          uploadSource: { blobId: "blob_1" },
          submitImg2Img: { workflowId: "wf_1" }
        })
      })
  )

  itLive("a workflow slower than its timeout is WorkflowTimeout", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ delayMs: { submitWorkflow: 5_000 } })
      const error = yield* runImg2img(mock, { policy: { workflowTimeout: "300 millis" } }).pipe(Effect.flip)
      expect(error._tag).toBe("WorkflowTimeout")
      if (error._tag === "WorkflowTimeout") expect(error.stepOutputs).toHaveProperty("uploadSource")
    }))

  itLive("an unreachable server is RequestFailed after the retries", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock()
      const url = mock.url
      yield* Effect.promise(() => mock.close())
      const error = yield* runImg2img({ ...mock, url }, {
        policy: { retry: spacedTimes("1 millis", 2) }
      }).pipe(Effect.flip)
      expect(error._tag).toBe("RequestFailed")
      if (error._tag !== "RequestFailed") return
      expect(error.stepId).toBe("uploadSource")
      expect(error.attempts).toBe(3) // a refused connection is safe to retry, even for a POST
      expect(error.detail).toContain("ECONNREFUSED")
    }))

  itLive(
    "inputs that do not match the schema are InputsInvalid naming the field, before any request",
    () =>
      Effect.gen(function*() {
        const mock = yield* civitaiMock()
        const error = yield* blobUploadImg2img({
          apiKey: TOKEN,
          file: "not bytes" as unknown as Uint8Array,
          engine: "flux2",
          prompt: "x"
        }).pipe(Effect.provide(environment(mock)), Effect.flip)
        expect(error._tag).toBe("InputsInvalid")
        if (error._tag !== "InputsInvalid") return
        expect(error.issues.map((i) => i.path)).toEqual(["file"])
        expect(error.message).toContain("file")
        expect(mock.requests).toHaveLength(0)
      })
  )
})
