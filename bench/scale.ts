/**
 * 10,000 img2img runs at once, in this process (the generated workflow or the hand-written
 * Effect version), the Civitai mock in a child process (its memory and CPU are not counted).
 *
 * 1. A few runs warm the code up; then a full GC and the baseline (RSS, heap, external).
 * 2. A gate in the HttpClient (bench/lib/gate.ts) is closed and all runs start: each uploads,
 *    submits, and parks before its first poll. When every run waits there (all in flight, all
 *    suspended), a full GC, and the heap left is what the runs in flight keep: live heap per run
 *    = (heap used − baseline) / runs, and the same for memory outside the heap (Buffers).
 * 3. The gate opens; the runs poll (every 200 ms, 3 polls until done) and finish.
 * Peak RSS is the process's maximum resident set (`process.resourceUsage().maxRSS`) over the
 * batch; event-loop delay is sampled throughout. The batch has a time limit, and a watchdog ends
 * the process if even that does not stop it.
 *
 *   npx tsx bench/scale.ts [--quick] [--variant generated|handEffect] [--runs N] [--connections N] [--out results.json]
 *                          [--heap-snapshot parked.heapsnapshot]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { writeHeapSnapshot } from "node:v8"
import { stop } from "./lib/child.js"
import { entry } from "./lib/entry.js"
import { makeGate } from "./lib/gate.js"
import { benchInput, generatedRun, handEffectRun } from "./lib/img2img.js"
import { mockReset, mockStats, startMockChild, TOKEN } from "./lib/mock.js"
import { gc, log, round } from "./lib/stats.js"

export interface ScaleOptions {
  readonly variant: "generated" | "handEffect"
  readonly runs: number
  readonly pollSpacingMs: number
  readonly pollsUntilDone: number
  readonly imageBytes: number
  /** Connections per origin of the undici Agent both variants use. */
  readonly connections: number
  /** The batch is interrupted after this long; unfinished runs count as not succeeded. */
  readonly timeLimitMs: number
  /** Where to write a heap snapshot while the runs are parked (to see what each run keeps), if anywhere. */
  readonly heapSnapshot?: string | undefined
}

export const defaultScaleOptions: ScaleOptions = {
  variant: "generated",
  runs: 10_000,
  pollSpacingMs: 200,
  pollsUntilDone: 3,
  imageBytes: 4 * 1024,
  connections: 64,
  timeLimitMs: 600_000
}

const MiB = 1024 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Heap and memory outside it after a full GC. */
const settledMemory = async () => {
  gc()
  await sleep(50)
  gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}

export const scaleBench = async (options: ScaleOptions = defaultScaleOptions) => {
  const watchdog = setTimeout(() => {
    console.error(`scale: watchdog fired after ${options.timeLimitMs + 60_000} ms; exiting`)
    process.exit(3)
  }, options.timeLimitMs + 60_000)
  watchdog.unref()

  const { child: mock, url } = await startMockChild(options.pollsUntilDone)
  const input = benchInput(TOKEN, options.imageBytes)
  const poll = Schedule.spaced(Duration.millis(options.pollSpacingMs)).pipe(Schedule.intersect(Schedule.recurs(50)))
  const gate = makeGate((request) => request.method === "GET" && request.url.includes("/consumer/workflows/"))
  const client = gate.layer(
    NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connections: options.connections })),
        (dispatcher) => Effect.promise(() => dispatcher.destroy())
      )
    )))
  )
  const runtime = ManagedRuntime.make(Layer.mergeAll(
    client,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
    // The gate holds the first poll for as long as the batch takes to park: no step timeout before the batch's own.
    Arazzo.Policies.layer({ poll, stepTimeout: Duration.millis(options.timeLimitMs) })
  ))
  const once: Effect.Effect<unknown, unknown, HttpClient.HttpClient> = options.variant === "generated"
    ? generatedRun(input)
    : handEffectRun(url, input, poll)
  try {
    await runtime.runPromise(Effect.forEach(Array.from({ length: 50 }), () => once, { concurrency: 10, discard: true }))
    await mockReset(mock)
    const baseline = await settledMemory()
    log(
      `scale: ${options.variant}: ${options.runs} runs at once, ${options.connections} connections, polls every ${options.pollSpacingMs} ms; baseline RSS ${
        (baseline.rss / MiB).toFixed(0)
      } MiB`
    )

    const failures: Record<string, number> = {}
    const failureSamples: Array<string> = []
    let succeeded = 0
    const counted = once.pipe(
      Effect.matchEffect({
        onSuccess: () => Effect.sync(() => void succeeded++),
        onFailure: (error) =>
          Effect.sync(() => {
            const { _tag: tag = "Error", stepId, detail, message } = error as Record<string, string | undefined>
            failures[tag] = (failures[tag] ?? 0) + 1
            const why = `${tag}${stepId === undefined ? "" : ` at ${stepId}`}: ${detail ?? message ?? ""}`.slice(0, 300)
            if (failureSamples.length < 5 && !failureSamples.includes(why)) failureSamples.push(why)
          })
      })
    )
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    gate.close()
    const started = performance.now()
    const batch = runtime.runPromise(
      Effect.forEach(Array.from({ length: options.runs }), () => counted, {
        concurrency: "unbounded",
        discard: true
      }).pipe(
        Effect.timeout(Duration.millis(options.timeLimitMs)),
        Effect.match({ onSuccess: () => "finished" as const, onFailure: () => "time limit reached" as const })
      )
    )
    // Wait until every run that has not failed is parked at the gate.
    const ended = () => succeeded + Object.values(failures).reduce((a, b) => a + b, 0)
    while (gate.waiting() + ended() < options.runs && performance.now() - started < options.timeLimitMs * 0.8) {
      await sleep(100)
    }
    const parkedAfterMs = performance.now() - started
    const parked = gate.waiting()
    const suspended = await settledMemory()
    if (options.heapSnapshot !== undefined) writeHeapSnapshot(options.heapSnapshot)
    log(
      `scale: ${parked} runs parked after ${(parkedAfterMs / 1000).toFixed(1)} s; heap ${
        (suspended.heapUsed / MiB).toFixed(0)
      } MiB`
    )
    gate.open()
    const outcome = await batch
    const wallMs = performance.now() - started
    delay.disable()
    const peakRss = Math.max(process.resourceUsage().maxRSS * 1024, suspended.rss)
    const server = await mockStats(mock)
    const result = {
      options,
      outcome,
      runs: options.runs,
      succeeded,
      failures,
      failureSamples,
      notFinished: options.runs - ended(),
      wallMs: Math.round(wallMs),
      runsPerSecond: round(succeeded / (wallMs / 1000), 1),
      memory: {
        baselineRssMiB: round(baseline.rss / MiB, 1),
        peakRssMiB: round(peakRss / MiB, 1),
        suspended: {
          parked,
          afterMs: Math.round(parkedAfterMs),
          rssMiB: round(suspended.rss / MiB, 1),
          heapUsedMiB: round(suspended.heapUsed / MiB, 1),
          externalMiB: round(suspended.external / MiB, 1),
          liveHeapKiBPerRun: round((suspended.heapUsed - baseline.heapUsed) / parked / 1024, 2),
          liveExternalKiBPerRun: round((suspended.external - baseline.external) / parked / 1024, 2)
        }
      },
      eventLoopDelayMs: {
        p50: round(delay.percentile(50) / 1e6, 1),
        p99: round(delay.percentile(99) / 1e6, 1),
        max: round(delay.max / 1e6, 1)
      },
      mock: {
        requests: server.requests,
        counts: server.counts,
        statuses: server.statuses,
        rssMiB: round(server.rss / MiB, 1)
      }
    }
    log(
      `scale: ${options.variant} ${outcome}: ${succeeded}/${options.runs} succeeded in ${
        (wallMs / 1000).toFixed(1)
      } s; peak RSS ${result.memory.peakRssMiB} MiB; live ${result.memory.suspended.liveHeapKiBPerRun} KiB heap per run`
    )
    return result
  } finally {
    gate.open()
    await runtime.dispose()
    await stop(mock)
    clearTimeout(watchdog)
  }
}

entry(import.meta.url, ({ quick }) => {
  const extra = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    options: {
      variant: { type: "string" },
      runs: { type: "string" },
      connections: { type: "string" },
      "heap-snapshot": { type: "string" }
    }
  }).values as { variant?: string; runs?: string; connections?: string; "heap-snapshot"?: string }
  return scaleBench({
    ...defaultScaleOptions,
    ...(quick ? { runs: 1000, timeLimitMs: 120_000 } : {}),
    ...(extra.variant === "handEffect" ? { variant: "handEffect" as const } : {}),
    ...(extra.runs === undefined ? {} : { runs: Number(extra.runs) }),
    ...(extra.connections === undefined ? {} : { connections: Number(extra.connections) }),
    ...(extra["heap-snapshot"] === undefined ? {} : { heapSnapshot: extra["heap-snapshot"] })
  })
})
