/**
 * Durable execution (issue #15), in one process on a SQLite store (`Durable.sqlite`, one worker,
 * `Durable.defaultSettings`: entityMessagePollInterval and entityReplyPollInterval 500 ms; the
 * other cluster settings at @effect/cluster's defaults), against the Civitai mock in a child
 * process (bench/mock-server.ts):
 *
 * - journaling cost per step: the generated img2img workflow (no poll wait: 4 step attempts)
 *   run one at a time in memory and durably, the difference per step attempt;
 * - throughput: N short workflows started at once on one worker, until all are done;
 * - memory per suspended workflow: N executions suspended in a durable poll wait (a 10-minute
 *   poll), live heap before and after, per execution.
 *
 * Then, with real worker processes (bench/lib/durable-processes.ts) and a real PostgreSQL
 * started by scripts/postgres.ts: throughput on one and on two workers sharing one database,
 * resume latency after a SIGKILL mid-poll (SQLite and PostgreSQL), and failover time when one of
 * two workers is killed, with the settings docs/durable.md recommends.
 *
 *   npx tsx bench/durable.ts [--quick] [--out results.json]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schedule from "effect/Schedule"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../runtime/durable/index.js"
import * as Arazzo from "../runtime/effect3/index.js"
import { startPostgres } from "../scripts/postgres.js"
import { stop } from "./lib/child.js"
import { runProcessBench } from "./lib/durable-processes.js"
import { entry } from "./lib/entry.js"
import { benchInput } from "./lib/img2img.js"
import { mockStats, startMockChild, TOKEN } from "./lib/mock.js"
import { gc, log, median, round } from "./lib/stats.js"

const STEPS_PER_RUN = 4 // uploadSource, submitImg2Img, pollWorkflow (done at once), readResult

const options = (quick: boolean) => ({
  sequentialRuns: quick ? 10 : 50,
  throughputRuns: quick ? 100 : 1000,
  suspendedRuns: quick ? 50 : 500,
  processRounds: quick ? 1 : 2,
  throughputCapMs: (quick ? 2 : 5) * 60_000,
  imageBytes: 4 * 1024
})

/**
 * Fresh connections, no keep-alive, for both the in-memory and the durable runs: a durable run
 * pauses between requests (journal writes, wake-ups), long enough for the mock to close an idle
 * kept-alive socket just as the client reuses it.
 */
const client = NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: false })))

/** The engine warns every few seconds that it sees no healthy runners (a single runner has no health checks). */
const quiet = Logger.minimumLogLevel(LogLevel.Error)

const heapUsed = () => {
  gc()
  return process.memoryUsage().heapUsed
}

export const runDurableBench = async (quick: boolean) => {
  const o = options(quick)
  const scratch = mkdtempSync(path.join(tmpdir(), "arazzo-bench-durable-"))
  const mock = await startMockChild(0)
  try {
    const servers = Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url })
    const input = { ...benchInput(TOKEN, o.imageBytes), moderate: true }
    const Img2img = Durable.make(blobUploadImg2img, { name: "bench/img2img" })

    // In memory, one at a time.
    const memory: Array<number> = []
    await Effect.runPromise(
      Effect.gen(function*() {
        for (let i = 0; i < o.sequentialRuns + 5; i++) {
          const t = performance.now()
          yield* blobUploadImg2img(input)
          if (i >= 5) memory.push(performance.now() - t)
        }
      }).pipe(Effect.provide(Layer.mergeAll(servers, client)))
    )

    const durably = <A>(file: string, program: Effect.Effect<A, unknown, Durable.WorkflowEngine>) =>
      Effect.runPromise(
        program.pipe(
          Effect.provide(
            Img2img.layer.pipe(
              Layer.provide(servers),
              Layer.provide(client),
              Layer.provideMerge(Durable.sqlite({ filename: path.join(scratch, file) }))
            )
          ),
          Effect.scoped,
          Effect.provide(quiet)
        )
      )

    // Durably, one at a time: start, await (the reply poll is 500 ms, so `await` checks every 5 ms
    // itself and the figure is the execution's, not the poll interval's).
    const durable: Array<number> = []
    await durably(
      "sequential.sqlite",
      Effect.gen(function*() {
        for (let i = 0; i < o.sequentialRuns + 5; i++) {
          const t = performance.now()
          const id = yield* Img2img.start(input, { key: `seq-${i}` })
          yield* Img2img.await(id, { every: "5 millis" }).pipe(Effect.orDie)
          if (i >= 5) durable.push(performance.now() - t)
        }
      })
    )
    const perStepMs = (median(durable) - median(memory)) / STEPS_PER_RUN
    log(`durable: in memory ${round(median(memory), 1)} ms a run, durable ${round(median(durable), 1)} ms`)

    // Throughput: all started at once, on one worker.
    const throughput = await durably(
      "throughput.sqlite",
      Effect.gen(function*() {
        const t = performance.now()
        const ids = yield* Effect.forEach(
          Array.from({ length: o.throughputRuns }, (_, i) => i),
          (i) => Img2img.start(input, { key: `tp-${i}` }),
          { concurrency: 50 }
        )
        // Awaited in the order started (they finish about in that order): a few readers, not one
        // per execution, whose polls would compete with the worker for the one SQLite writer.
        const exits = yield* Effect.forEach(ids, (id) => Effect.exit(Img2img.await(id, { every: "50 millis" })), {
          concurrency: 4
        })
        return { wallMs: performance.now() - t, succeeded: exits.filter(Exit.isSuccess).length }
      })
    )
    log(`durable: ${o.throughputRuns} workflows in ${round(throughput.wallMs / 1000, 1)} s`)

    const waitSuspended = (id: string) =>
      Effect.repeat(Img2img.status(id), {
        until: (s) => s._tag === "Suspended",
        schedule: Schedule.spaced("50 millis")
      })

    // Memory per suspended execution: each waits 10 minutes between polls, so it suspends.
    const suspendedMock = await startMockChild(1_000_000)
    let suspendedKiB = 0
    try {
      const slowPoll = Arazzo.Policies.layer({ poll: Schedule.spaced("10 minutes") })
      const slow = Img2img.layer.pipe(
        Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: suspendedMock.url })),
        Layer.provide(slowPoll),
        Layer.provide(client),
        Layer.provideMerge(Durable.sqlite({ filename: path.join(scratch, "suspended.sqlite") }))
      )
      suspendedKiB = await Effect.runPromise(
        Effect.gen(function*() {
          // One first, so the engine's own start-up is not counted.
          const warm = yield* Img2img.start(input, { key: "warm" })
          yield* waitSuspended(warm)
          const before = heapUsed()
          const ids = yield* Effect.forEach(
            Array.from({ length: o.suspendedRuns }, (_, i) => i),
            (i) => Img2img.start(input, { key: `susp-${i}` }),
            { concurrency: 50 }
          )
          yield* Effect.forEach(ids, waitSuspended, { concurrency: 50 })
          return (heapUsed() - before) / 1024 / o.suspendedRuns
        }).pipe(Effect.provide(slow), Effect.scoped, Effect.provide(quiet))
      )
    } finally {
      await stop(suspendedMock.child)
    }

    const stats = await mockStats(mock.child)

    const postgres = await startPostgres()
    const processes = await runProcessBench(postgres, scratch, {
      input,
      token: TOKEN,
      throughputRuns: o.throughputRuns,
      throughputCapMs: o.throughputCapMs,
      rounds: o.processRounds
    }).finally(() => postgres.stop())

    return {
      store: "sqlite (one worker)",
      settings: { ...Durable.defaultSettings, others: "@effect/cluster defaults" },
      options: o,
      journaling: {
        inMemoryMsPerRun: round(median(memory), 2),
        durableMsPerRun: round(median(durable), 2),
        stepsPerRun: STEPS_PER_RUN,
        costMsPerStep: round(perStepMs, 2)
      },
      throughput: {
        workflows: o.throughputRuns,
        succeeded: throughput.succeeded,
        wallS: round(throughput.wallMs / 1000, 2),
        perSecond: round(throughput.succeeded / (throughput.wallMs / 1000), 1)
      },
      suspended: { executions: o.suspendedRuns, liveHeapKiBPerExecution: round(suspendedKiB, 2) },
      processes,
      mockRequests: stats.requests
    }
  } finally {
    await stop(mock.child)
    rmSync(scratch, { recursive: true, force: true })
  }
}

entry(import.meta.url, ({ quick }) => runDurableBench(quick))
