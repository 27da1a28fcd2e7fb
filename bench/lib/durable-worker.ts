/**
 * A durable worker process for the benchmarks: hosts the generated img2img workflow (as
 * `bench/img2img`) on a store and runs whatever executions the store gives it, until killed. It
 * starts none itself: the benchmark, a client of the same store, starts them. Its requests carry
 * `x-arazzo-worker: <pid>`, so the mock can tell which worker sent what. It says `ready` over IPC
 * once the engine is up (the executions it resumes may already be running by then).
 *
 *   node --import tsx bench/lib/durable-worker.ts <mock-url> <store> [--runner <port>] [--poll-every <ms>]
 *
 * `<store>` is `sqlite:<file>` or a `postgres://` URL; `--runner` joins the other workers on the
 * same PostgreSQL (on 127.0.0.1:<port>) with the failover settings docs/durable.md recommends.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schedule from "effect/Schedule"
import { parseArgs } from "node:util"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../../runtime/durable/index.js"
import * as Arazzo from "../../runtime/effect3/index.js"
import { isMain } from "./stats.js"

/** What docs/durable.md recommends for several workers (and `worker --runner` uses). */
export const FAILOVER: Durable.ClusterSettings = {
  shardLockExpiration: "5 seconds",
  shardLockRefreshInterval: "1 second"
}

/** The workflow's name in the store: the benchmark's client starts executions under it. */
export const BENCH_WORKFLOW = "bench/img2img"

const main = () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { runner: { type: "string" }, "poll-every": { type: "string" } }
  })
  const [mockUrl, store] = positionals
  if (mockUrl === undefined || store === undefined || process.send === undefined) {
    console.error("usage (with an IPC channel): durable-worker.ts <mock-url> <store> [--runner <port>]")
    process.exit(2)
  }
  const engine = store.startsWith("postgres://")
    ? Durable.postgres({
      url: store,
      ...(values.runner !== undefined
        ? { runner: { host: "127.0.0.1", port: Number(values.runner) }, cluster: FAILOVER }
        : {})
    })
    : Durable.sqlite({ filename: store.replace(/^sqlite:/, "") })

  const signed = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.mapRequest(HttpClientRequest.setHeader("x-arazzo-worker", String(process.pid)))
    )
  ).pipe(
    // Fresh connections, as in bench/durable.ts: a durable run pauses between requests long
    // enough for the mock to close an idle kept-alive socket as the client reuses it.
    Layer.provide(NodeHttpClient.layerWithoutAgent),
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: false }))
  )
  const every = values["poll-every"]
  const policies = every === undefined
    ? Layer.empty
    : Arazzo.Policies.layer({ poll: Schedule.spaced(`${Number(every)} millis`).pipe(Schedule.upTo("5 minutes")) })

  const worker = Durable.make(blobUploadImg2img, { name: BENCH_WORKFLOW }).layer.pipe(
    Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: mockUrl })),
    Layer.provide(policies),
    Layer.provide(signed),
    Layer.provideMerge(engine)
  )
  const ready = Layer.effectDiscard(Effect.sync(() => process.send!({ type: "ready", pid: process.pid })))
  Effect.runFork(
    Layer.launch(ready.pipe(Layer.provide(worker))).pipe(
      // The engine warns every few seconds that a single runner has no health checks.
      Effect.provide(Logger.minimumLogLevel(LogLevel.Error)),
      // A worker whose engine fails (e.g. the store unreachable) exits, so the benchmark does not wait for it.
      Effect.catchAllCause((cause) =>
        Effect.sync(() => {
          console.error(String(cause))
          process.exit(1)
        })
      )
    )
  )
  // Killed by the benchmark; also gone when the benchmark is.
  process.on("disconnect", () => process.exit(0))
}

if (isMain(import.meta.url)) main()
