/**
 * A generated workflow inside an Effect application: the README's example. It runs against
 * the real Civitai API when run (`CIVITAI_TOKEN=… npx tsx examples/app.ts`), or any server set
 * with ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import { Config, Effect, Layer, Redacted, Schedule } from "effect"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"

// #region app
const program = Effect.gen(function*() {
  const apiKey = Redacted.value(yield* Config.redacted("CIVITAI_TOKEN"))
  const bytes = new Uint8Array(yield* Effect.promise(() => new Blob(["source image"]).arrayBuffer()))
  const result = yield* blobUploadImg2img({ apiKey, file: bytes, engine: "flux2", prompt: "a cat" })
  if (result._tag === "Ended") {
    // an `end` action stopped it: result.stepId === "pollWorkflow", result.action === "failed"
    return yield* Effect.fail(`generation ${result.steps.pollWorkflow?.status}`)
  }
  return result.outputs.outputBlobUrl
}).pipe(
  Effect.catchTags({ StepFailed: (e) => Effect.fail(`${e.stepId} got ${e.status}`) }),
  Effect.provide(Layer.mergeAll(
    NodeHttpClient.layerUndici, // any @effect/platform HttpClient
    Arazzo.Servers.layerConfig(["civitaiOrchestrationApi"]), // default: the OpenAPI `servers` URL
    Arazzo.Policies.layer({
      poll: Schedule.spaced("2 seconds").pipe(Schedule.upTo("10 minutes")),
      workflows: { "blob-upload-img2img": { steps: { pollWorkflow: { stepTimeout: "5 seconds" } } } }
    })
  ))
)
// #endregion app

Effect.runPromise(program).then(console.log, (error) => {
  console.error(String(error))
  process.exitCode = 1
})
