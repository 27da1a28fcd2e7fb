/**
 * Handling a workflow's result and its typed errors. `npx tsx examples/errors.ts` runs the
 * img2img workflow offline three times: a success, a generation that fails (an `end` action),
 * and a rejected token (StepFailed). docs/errors.md quotes this file.
 */
import * as Arazzo from "arazzo-effect/runtime"
import { MockApi, type MockRoutes } from "arazzo-effect/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"

// #region handling
const generate = (apiKey: string) =>
  blobUploadImg2img({ apiKey, file: new Uint8Array([1, 2, 3]), engine: "flux2", prompt: "a cat" }).pipe(
    Effect.map((result) => {
      switch (result._tag) {
        case "Completed":
          return `image at ${result.outputs.outputBlobUrl}`
        case "Ended": // an `end` action stopped the run: which step, which action
          return `ended at ${result.stepId} by \`${result.action}\`: generation ${result.steps.pollWorkflow?.status}`
      }
    }),
    Effect.catchTags({
      StepFailed: (e) => Effect.succeed(`${e.stepId} answered ${e.status}: ${JSON.stringify(e.body)}`),
      PollExhausted: (e) => Effect.succeed(`still ${JSON.stringify(e.lastBody)} after ${e.attempts} polls`)
    }),
    // What is left: every other WorkflowError; each has a message naming the workflow and step.
    Effect.catchAll((e: Arazzo.WorkflowError) => Effect.succeed(`${e._tag}: ${e.message}`))
  )
// #endregion handling

const civitai = (status: string): MockRoutes => ({
  "POST /v2/consumer/blobs": (request) =>
    request.headers["authorization"] === "Bearer good-token"
      ? { status: 201, json: { id: "blob_1" } }
      : { status: 401, json: { error: "invalid token" } },
  "POST /v2/consumer/workflows": { status: 202, json: { id: "wf_1" } },
  "GET /v2/consumer/workflows/{workflowId}": {
    json: { id: "wf_1", status, steps: [{ jobs: [{ result: { blobs: [{ url: "https://cdn.test/out.png" }] } }] }] }
  }
})

const attempt = (apiKey: string, status: string) =>
  generate(apiKey).pipe(
    Effect.provide(Layer.mergeAll(MockApi.layer(civitai(status)), Arazzo.Policies.layer({ poll: Schedule.recurs(3) })))
  )

Effect.runPromise(Effect.all([
  attempt("good-token", "succeeded"),
  attempt("good-token", "failed"),
  attempt("bad-token", "succeeded")
])).then((lines) => console.log(lines.join("\n")))
