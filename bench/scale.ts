/**
 * 10,000 img2img runs at once: the generated workflow in this process, the Civitai mock in a
 * child process (so its memory and CPU are not counted here). Polls are spaced 200 ms, so runs
 * overlap for several poll rounds.
 *
 * Reports this process's peak RSS (sampled every 50 ms) above the RSS before the runs, that
 * divided by the runs (memory per run), peak heap, event-loop delay while the runs are in
 * flight (perf_hooks.monitorEventLoopDelay: p50/p99/max), total wall time, per-run latency,
 * and how many runs succeeded (failures by error tag). The whole batch is bounded by a time
 * limit (interrupted after it, counted as not finished) and a watchdog ends the process.
 *
 *   npx tsx bench/scale.ts [--quick] [--variant generated|handEffect] [--runs N] [--connections N] [--live-heap-at ms] [--out results.json]
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
import { stop } from "./lib/child.js"
import { generatedRun, handEffectRun, type Img2imgInput, sourceImage } from "./lib/img2img.js"
import { benchArgs, emit, gc, isMain, log, round } from "./lib/stats.js"
import { mockReset, mockStats, startMockChild } from "./runtime.js"

export interface ScaleOptions {
  /** The generated workflow, or the hand-written Effect version (bench/lib/img2img.ts) for reference. */
  readonly variant: "generated" | "handEffect"
  readonly runs: number
  readonly pollSpacingMs: number
  readonly pollsUntilDone: number
  readonly imageBytes: number
  /** The batch is interrupted after this long; unfinished runs count as not succeeded. */
  readonly timeLimitMs: number
  /**
   * Connections per origin of the undici Agent. `undefined` is `NodeHttpClient.layerUndici` as
   * is (no limit: one connection per request in flight).
   */
  readonly connections: number | undefined
  /**
   * When set, one full GC is forced this many ms into the batch and the heap left is recorded
   * (live memory of the runs in flight). It pauses the event loop, so it is off by default.
   */
  readonly liveHeapAtMs: number | undefined
}

export const defaultScaleOptions: ScaleOptions = {
  variant: "generated",
  runs: 10_000,
  pollSpacingMs: 200,
  pollsUntilDone: 3,
  imageBytes: 4 * 1024,
  timeLimitMs: 180_000,
  connections: undefined,
  liveHeapAtMs: undefined
}

const MiB = 1024 * 1024

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

export const scaleBench = async (options: ScaleOptions = defaultScaleOptions) => {
  // A watchdog in case the time limit itself does not stop everything.
  const watchdog = setTimeout(() => {
    console.error(`scale: watchdog fired after ${options.timeLimitMs + 60_000} ms; exiting`)
    process.exit(3)
  }, options.timeLimitMs + 60_000)
  watchdog.unref()

  const { child: mock, url } = await startMockChild(options.pollsUntilDone)
  const input: Img2imgInput = {
    apiKey: "bench-token",
    file: sourceImage(options.imageBytes),
    engine: "flux2",
    prompt: "a lighthouse at dusk, oil painting"
  }
  const pollSchedule = Schedule.spaced(Duration.millis(options.pollSpacingMs)).pipe(
    Schedule.intersect(Schedule.recurs(50))
  )
  const client = options.connections === undefined
    ? NodeHttpClient.layerUndici
    : NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connections: options.connections ?? null })),
        (dispatcher) => Effect.promise(() => dispatcher.destroy())
      )
    )))
  const runtime = ManagedRuntime.make(Layer.mergeAll(
    client,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
    Arazzo.Policies.layer({ poll: pollSchedule })
  ))
  try {
    // A few runs first so code is loaded and compiled before the baseline is taken.
    await runtime.runPromise(
      Effect.forEach(Array.from({ length: 50 }), () => generatedRun(input), { concurrency: 10, discard: true })
    )
    await mockReset(mock)
    gc()
    await new Promise((r) => setTimeout(r, 200))
    gc()
    const baseline = process.memoryUsage()
    let peakRss = baseline.rss
    let peakHeap = baseline.heapUsed
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      if (m.rss > peakRss) peakRss = m.rss
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
    }, 50)
    const delay = monitorEventLoopDelay({ resolution: 10 })
    const latencies: Array<number> = []
    const failures: Record<string, number> = {}
    const failureSamples: Array<string> = []
    let succeeded = 0
    let inFlight = 0
    let peakInFlight = 0
    log(
      `scale: ${options.variant}: ${options.runs} concurrent runs, ${
        options.connections ?? "unlimited"
      } connections, polls every ${options.pollSpacingMs} ms, mock at ${url} (pid ${mock.pid}); baseline RSS ${
        (baseline.rss / MiB).toFixed(0)
      } MiB`
    )

    const one = Effect.suspend(() => {
      const started = performance.now()
      inFlight++
      if (inFlight > peakInFlight) peakInFlight = inFlight
      const run: Effect.Effect<unknown, unknown, HttpClient.HttpClient> = options.variant === "generated"
        ? generatedRun(input)
        : handEffectRun(url, input, pollSchedule)
      return run.pipe(
        Effect.matchEffect({
          onSuccess: () =>
            Effect.sync(() => {
              succeeded++
              latencies.push(performance.now() - started)
            }),
          onFailure: (error) =>
            Effect.sync(() => {
              const { _tag: tag = "Error", stepId, detail, message } = error as {
                _tag?: string
                stepId?: string
                detail?: string
                message?: string
              }
              failures[tag] = (failures[tag] ?? 0) + 1
              // A few distinct reasons, for the report (the mock's URL and the bench token only).
              const why = `${tag}${stepId === undefined ? "" : ` at ${stepId}`}: ${detail ?? message ?? ""}`.slice(
                0,
                300
              )
              if (failureSamples.length < 5 && !failureSamples.includes(why)) failureSamples.push(why)
            })
        }),
        Effect.ensuring(Effect.sync(() => inFlight--))
      )
    })

    let liveHeap: { atMs: number; heapUsedMiB: number; inFlight: number } | undefined
    const liveTimer = options.liveHeapAtMs === undefined ? undefined : setTimeout(() => {
      gc()
      liveHeap = { atMs: options.liveHeapAtMs!, heapUsedMiB: round(process.memoryUsage().heapUsed / MiB, 1), inFlight }
    }, options.liveHeapAtMs)
    delay.enable()
    const started = performance.now()
    const outcome = await runtime.runPromise(
      Effect.forEach(Array.from({ length: options.runs }), () => one, { concurrency: "unbounded", discard: true }).pipe(
        Effect.timeout(Duration.millis(options.timeLimitMs)),
        Effect.match({ onSuccess: () => "finished" as const, onFailure: () => "time limit reached" as const })
      )
    )
    const wallMs = performance.now() - started
    delay.disable()
    clearInterval(sampler)
    if (liveTimer !== undefined) clearTimeout(liveTimer)
    const after = process.memoryUsage()
    const server = await mockStats(mock)
    latencies.sort((a, b) => a - b)
    const notFinished = options.runs - succeeded - Object.values(failures).reduce((a, b) => a + b, 0)
    const peakAboveBaseline = peakRss - baseline.rss
    const result = {
      options,
      outcome,
      runs: options.runs,
      succeeded,
      failures,
      failureSamples,
      notFinished,
      peakInFlight,
      wallMs: Math.round(wallMs),
      runsPerSecond: round(succeeded / (wallMs / 1000), 1),
      latencyMs: {
        p50: round(percentile(latencies, 50), 1),
        p99: round(percentile(latencies, 99), 1),
        max: round(latencies[latencies.length - 1] ?? Number.NaN, 1)
      },
      memory: {
        baselineRssMiB: round(baseline.rss / MiB, 1),
        peakRssMiB: round(peakRss / MiB, 1),
        peakRssAboveBaselineMiB: round(peakAboveBaseline / MiB, 1),
        perRunKiB: round(peakAboveBaseline / options.runs / 1024, 1),
        peakHeapUsedMiB: round(peakHeap / MiB, 1),
        rssAfterMiB: round(after.rss / MiB, 1),
        liveHeap
      },
      eventLoopDelayMs: {
        p50: round(delay.percentile(50) / 1e6, 1),
        p99: round(delay.percentile(99) / 1e6, 1),
        max: round(delay.max / 1e6, 1),
        mean: round(delay.mean / 1e6, 1)
      },
      mock: {
        requests: server.requests,
        counts: server.counts,
        statuses: server.statuses,
        rssMiB: round(server.rss / MiB, 1)
      }
    }
    log(
      `scale: ${outcome}: ${succeeded}/${options.runs} succeeded in ${
        (wallMs / 1000).toFixed(1)
      } s; peak RSS ${result.memory.peakRssMiB} MiB; event-loop delay p99 ${result.eventLoopDelayMs.p99} ms`
    )
    return result
  } finally {
    await runtime.dispose()
    await stop(mock)
    clearTimeout(watchdog)
  }
}

if (isMain(import.meta.url)) {
  const args = benchArgs()
  const extra = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    options: {
      variant: { type: "string" },
      runs: { type: "string" },
      connections: { type: "string" },
      "live-heap-at": { type: "string" }
    }
  }).values as { variant?: string; runs?: string; connections?: string; "live-heap-at"?: string }
  const options: ScaleOptions = {
    ...defaultScaleOptions,
    ...(args.quick ? { runs: 1000 } : {}),
    ...(extra.variant === "handEffect" ? { variant: "handEffect" as const } : {}),
    ...(extra.runs === undefined ? {} : { runs: Number(extra.runs) }),
    ...(extra.connections === undefined ? {} : { connections: Number(extra.connections) }),
    ...(extra["live-heap-at"] === undefined ? {} : { liveHeapAtMs: Number(extra["live-heap-at"]) })
  }
  scaleBench(options).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
