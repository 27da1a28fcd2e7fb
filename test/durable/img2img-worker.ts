/**
 * A worker process for the durable tests: runs the generated img2img workflow durably on a
 * store (`sqlite:<file>` or a `postgres://` URL) against the Civitai mock at the given URL. It starts the execution (or finds the
 * one these inputs started before it was killed), waits for it and prints one JSON line per
 * event on stdout: `started` with the execution id, then `done` with the encoded exit.
 *
 *   node --import tsx test/durable/img2img-worker.ts <mock-url> <store>
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../../runtime/durable/index.js"
import { img2imgInputs, TOKEN } from "./img2img-inputs.js"

const [mockUrl, store] = process.argv.slice(2)
if (mockUrl === undefined || store === undefined) {
  console.error("usage: img2img-worker.ts <mock-url> <store>")
  process.exit(2)
}

const Img2img = Durable.make(blobUploadImg2img, { name: "civitai/blob-upload-img2img" })

const worker = Img2img.layer.pipe(
  Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: mockUrl })),
  Layer.provide(
    Arazzo.Policies.layer({ poll: Schedule.spaced("300 millis").pipe(Schedule.intersect(Schedule.recurs(60))) })
  ),
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provideMerge(
    store.startsWith("postgres://")
      ? Durable.postgres({ url: store })
      : Durable.sqlite({ filename: store.replace(/^sqlite:/, "") })
  )
)

const print = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + "\n")

const ExitSchema = Schema.Exit({ success: Schema.Unknown, failure: Arazzo.WorkflowError, defect: Schema.Defect })

const main = Effect.gen(function*() {
  const executionId = yield* Img2img.start(img2imgInputs(TOKEN))
  print({ event: "started", executionId, pid: process.pid })
  const exit = yield* Effect.exit(Img2img.await(executionId, { every: "100 millis" }))
  print({
    event: "done",
    executionId,
    exit: Schema.encodeSync(ExitSchema)(exit as Exit.Exit<unknown, Arazzo.WorkflowError>)
  })
})

Effect.runPromise(main.pipe(Effect.provide(worker))).then(
  // The engine's graceful shutdown waits for its entities (about 15 s); the work is done and stored.
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
