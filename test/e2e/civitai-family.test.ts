/**
 * Other Civitai documents against the same local mock: optional inputs, query parameters,
 * a JSON payload built from many inputs, and `end` actions that are the normal finish.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { imageGenerationPoll } from "../../generated/civitai-image-generation-poll-workflow.js"
import { presignedBlobGenerate } from "../../generated/civitai-presigned-blob-generate-workflow.js"
import { civitaiMock } from "../mock/civitai-orchestration.js"
import { environment, TOKEN } from "../support/img2img.js"

describe("presigned-blob-generate", () => {
  const inputs = {
    apiKey: TOKEN,
    mimeType: "image/png",
    engine: "sdxl",
    prompt: "a fox",
    callbackUrl: "https://example.com/hook"
  }

  it.scopedLive("leaves an absent optional input out of the query, and sends it when given", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ pollsUntilDone: 1 })
      yield* presignedBlobGenerate(inputs).pipe(Effect.provide(environment(mock)))
      yield* presignedBlobGenerate({ ...inputs, sizeBytes: 2048 }).pipe(Effect.provide(environment(mock)))
      const [without, withSize] = mock.requests.filter((r) => r.operation === "getBlobUploadUrl")
      expect([...(without?.query.keys() ?? [])]).toEqual(["mimeType"])
      expect(without?.query.get("mimeType")).toBe("image/png")
      expect(withSize?.query.get("sizeBytes")).toBe("2048")
    }))

  it.scopedLive("references the presigned blob, configures callbacks, and ends at `done` with the output", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ pollsUntilDone: 2 })
      const result = yield* presignedBlobGenerate(inputs).pipe(Effect.provide(environment(mock)))
      const [workflow] = [...mock.workflows.values()]
      expect(workflow?.request).toMatchObject({
        callbackUrl: "https://example.com/hook",
        callbackEvents: ["workflow:succeeded", "workflow:failed"],
        steps: [{ $type: "imageGen", input: { engine: "sdxl", prompt: "a fox", images: [result.outputs.blobId] } }]
      })
      expect(result).toMatchObject({ _tag: "Ended", stepId: "pollWorkflow", action: "done" })
      expect(result.outputs.uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/uploads\//)
      expect(result.outputs.outputBlobUrl).toBe(`${mock.url}/blobs/out_${workflow?.id}`)
    }))
})

describe("image-generation-poll", () => {
  it.scopedLive("sends only the inputs given, polls and reads status, URL and cost", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ pollsUntilDone: 2 })
      const result = yield* imageGenerationPoll({
        apiKey: TOKEN,
        engine: "flux2",
        prompt: "a boat",
        width: 512,
        quantity: 2
      }).pipe(Effect.provide(environment(mock)))
      const [workflow] = [...mock.workflows.values()]
      expect((workflow?.request as { steps: Array<{ input: unknown }> }).steps[0]?.input).toEqual({
        engine: "flux2",
        prompt: "a boat",
        width: 512,
        quantity: 2
      })
      expect(result._tag).toBe("Completed")
      expect(result.outputs).toEqual({
        workflowId: workflow?.id,
        status: "succeeded",
        firstBlobUrl: `${mock.url}/blobs/out_${workflow?.id}`,
        cost: 25
      })
    }))
})
