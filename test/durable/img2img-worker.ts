/**
 * A worker process for the durable tests: runs the generated img2img workflow durably on a
 * store (`sqlite:<file>` or a `postgres://` URL) against the Civitai mock at the given URL. It
 * starts its executions (or finds those it started before it was killed), waits for them and
 * prints one JSON line per event on stdout: `started` with each execution id, `done` with each
 * encoded exit, then `all-done`. Its requests carry `x-arazzo-worker: <pid>`, so the mock can
 * tell which worker sent what.
 *
 *   node --import tsx test/durable/img2img-worker.ts <mock-url> <store> [--runner <port>] [--keys a,b]
 *
 * `--runner` joins the other workers on the same PostgreSQL (listening on 127.0.0.1:<port>);
 * `--keys` starts one execution per key (by default one, keyed by its inputs). With
 * `ARAZZO_DURABLE_KEY` in its environment the store is sealed with that key (docs/durable.md).
 * `--wait` loads everything, prints `loaded`, and opens the store only when a line arrives on
 * stdin: a test starts the replacement of a worker it will kill while the first one runs.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { parseArgs } from "node:util"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../../runtime/durable/index.js"
import { img2imgInputs, TOKEN } from "./img2img-inputs.js"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { runner: { type: "string" }, keys: { type: "string" }, wait: { type: "boolean" } }
})
const [mockUrl, store] = positionals
if (mockUrl === undefined || store === undefined) {
  console.error("usage: img2img-worker.ts <mock-url> <store> [--runner <port>] [--keys a,b]")
  process.exit(2)
}
const keys: ReadonlyArray<string | undefined> = values.keys?.split(",") ?? [undefined]

const Img2img = Durable.make(blobUploadImg2img, { name: "civitai/blob-upload-img2img" })

/** Settings for several workers: a worker that stops refreshing its locks loses its shards after 5 s. */
const failover: Durable.ClusterSettings = { shardLockExpiration: "5 seconds", shardLockRefreshInterval: "1 second" }

const key = process.env["ARAZZO_DURABLE_KEY"]

const engine = store.startsWith("postgres://")
  ? Durable.postgres({
    url: store,
    key,
    ...(values.runner !== undefined
      ? { runner: { host: "127.0.0.1", port: Number(values.runner) }, cluster: failover }
      : {})
  })
  : Durable.sqlite({ filename: store.replace(/^sqlite:/, ""), key })

const signed = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    HttpClient.mapRequest(HttpClientRequest.setHeader("x-arazzo-worker", String(process.pid)))
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const worker = Img2img.layer.pipe(
  Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: mockUrl })),
  Layer.provide(
    Arazzo.Policies.layer({ poll: Schedule.spaced("300 millis").pipe(Schedule.intersect(Schedule.recurs(60))) })
  ),
  Layer.provide(signed),
  Layer.provideMerge(engine)
)

const print = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + "\n")

const ExitSchema = Schema.Exit({ success: Schema.Unknown, failure: Arazzo.WorkflowError, defect: Schema.Defect })

const main = Effect.gen(function*() {
  const ids = yield* Effect.forEach(keys, (key) =>
    Effect.tap(
      Img2img.start(img2imgInputs(TOKEN), key === undefined ? {} : { key }),
      (executionId) => print({ event: "started", key, executionId, pid: process.pid })
    ))
  yield* Effect.forEach(
    ids,
    (executionId) =>
      Effect.flatMap(
        Effect.exit(Img2img.await(executionId, { every: "100 millis" })),
        (exit) =>
          Effect.sync(() =>
            print({
              event: "done",
              executionId,
              exit: Schema.encodeSync(ExitSchema)(exit as Exit.Exit<unknown, Arazzo.WorkflowError>)
            })
          )
      ),
    { concurrency: "unbounded" }
  )
  print({ event: "all-done" })
})

if (values.wait === true) {
  print({ event: "loaded", pid: process.pid })
  await new Promise((resolve) => process.stdin.once("data", resolve))
}

Effect.runPromise(main.pipe(Effect.provide(worker))).then(
  // The engine's graceful shutdown waits for its entities (about 15 s); the work is done and stored.
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
