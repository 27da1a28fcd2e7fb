/**
 * Policies: how polls wait, how transient failures are retried, and how long steps and
 * workflows may take, set globally, per workflow and per step. `npx tsx examples/policies.ts`
 * runs the img2img workflow offline against a poll that never finishes, to show the policy
 * at work. docs/policies.md quotes this file.
 */
import * as Arazzo from "arazzo-effect/runtime"
import { MockApi } from "arazzo-effect/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"

// #region policies
export const policies = Arazzo.Policies.layer({
  // Every workflow: poll every 2 seconds for at most 10 minutes, retry transient failures 5 times.
  poll: Schedule.spaced("2 seconds").pipe(Schedule.upTo("10 minutes")),
  retry: Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(5))),
  maxRetryAfter: "30 seconds",
  stepTimeout: "20 seconds",
  workflowTimeout: "15 minutes",
  maxResponseBytes: 4 * 1024 * 1024,
  workflows: {
    // One workflow, by workflowId...
    "blob-upload-img2img": {
      workflowTimeout: "30 minutes",
      // ...and single steps of it, by stepId.
      steps: {
        uploadSource: { stepTimeout: "2 minutes" },
        pollWorkflow: { poll: Schedule.spaced("5 seconds").pipe(Schedule.upTo("25 minutes")) }
      }
    }
  }
})
// #endregion policies

// #region stacking
// Layers stack: each merges onto the policy already in context, so a test can start from
// the application's policies and change only the polls. The most specific setting wins
// whichever layer made it: pollWorkflow's own poll above beats a later global `poll`.
export const fastPolls = Arazzo.Policies.layer({
  poll: Schedule.recurs(3), // three more polls, no waiting
  workflows: { "blob-upload-img2img": { steps: { pollWorkflow: { poll: Schedule.recurs(3) } } } }
}).pipe(Layer.provide(policies))
// #endregion stacking

// #region exhausted
const stillProcessing = MockApi.layer({
  "POST /v2/consumer/blobs": { status: 201, json: { id: "blob_1" } },
  "POST /v2/consumer/workflows": { status: 202, json: { id: "wf_1" } },
  "GET /v2/consumer/workflows/{workflowId}": { json: { id: "wf_1", status: "processing" } }
})

const program = blobUploadImg2img({
  apiKey: "demo-token",
  file: new Uint8Array([1, 2, 3]),
  engine: "flux2",
  prompt: "a cat"
}).pipe(
  Effect.map((result) => `finished: ${result._tag}`),
  Effect.catchTag(
    "PollExhausted",
    (e) => Effect.succeed(`${e.stepId} gave up after ${e.attempts} polls: ${e.condition} still holds`)
  ),
  Effect.provide(Layer.mergeAll(stillProcessing, fastPolls))
)
// #endregion exhausted

Effect.runPromise(program).then(console.log)
