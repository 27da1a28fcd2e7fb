/**
 * Where the generated version's extra CPU goes: the hand-written Effect flow with the
 * runtime's machinery added back piece by piece (bench/lib/hand-plus.ts), the generated
 * workflow, and both with Effect's tracer disabled. Sequential runs against the mock in a
 * child process; CPU per run of this process, median of the repeats, variants rotated.
 *
 *   npx tsx bench/ablation.ts [--quick] [--out results.json]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { performance } from "node:perf_hooks"
import { stop } from "./lib/child.js"
import { type Extras, handPlusRun } from "./lib/hand-plus.js"
import { generatedRun, handEffectRun, type Img2imgInput, sourceImage } from "./lib/img2img.js"
import { benchArgs, cpuMicros, emit, gc, isMain, log, median, round } from "./lib/stats.js"
import { mockReset, mockStats, startMockChild } from "./runtime.js"

export interface AblationOptions {
  readonly runs: number
  readonly warmupRuns: number
  readonly repeats: number
}

export const defaultAblationOptions: AblationOptions = { runs: 500, warmupRuns: 200, repeats: 3 }

const none: Extras = { spans: false, timeouts: false, stream: false, send: false }

export const ablationBench = async (options: AblationOptions = defaultAblationOptions) => {
  const { child: mock, url } = await startMockChild(3)
  const input: Img2imgInput = {
    apiKey: "bench-token",
    file: sourceImage(4096),
    engine: "flux2",
    prompt: "a lighthouse at dusk, oil painting"
  }
  const runtime = ManagedRuntime.make(Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
    Arazzo.Policies.layer({ poll: Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50))) })
  ))
  const variants: Array<{ name: string; once: Effect.Effect<unknown, unknown, any> }> = [
    { name: "handEffect", once: handEffectRun(url, input) },
    { name: "hand + spans", once: handPlusRun({ ...none, spans: true }, url, input) },
    { name: "hand + timeouts", once: handPlusRun({ ...none, timeouts: true }, url, input) },
    { name: "hand + runtime readBody", once: handPlusRun({ ...none, stream: true }, url, input) },
    { name: "hand + runtime send (retry, readBody)", once: handPlusRun({ ...none, send: true }, url, input) },
    {
      name: "hand + spans + timeouts + send",
      once: handPlusRun({ spans: true, timeouts: true, stream: true, send: true }, url, input)
    },
    { name: "generated", once: generatedRun(input) },
    { name: "handEffect, tracer disabled", once: Effect.withTracerEnabled(handEffectRun(url, input), false) },
    { name: "generated, tracer disabled", once: Effect.withTracerEnabled(generatedRun(input), false) }
  ]
  const batch = (once: Effect.Effect<unknown, unknown, any>, n: number) =>
    runtime.runPromise(Effect.forEach(Array.from({ length: n }), () => once, { discard: true }))
  try {
    for (const v of variants) await batch(v.once, options.warmupRuns)
    const samples = new Map<string, Array<{ cpu: number; wall: number }>>(variants.map((v) => [v.name, []]))
    for (let rep = 0; rep < options.repeats; rep++) {
      const shift = rep % variants.length
      for (const v of [...variants.slice(shift), ...variants.slice(0, shift)]) {
        await mockReset(mock)
        gc()
        const cpu0 = process.cpuUsage()
        const t0 = performance.now()
        await batch(v.once, options.runs)
        const wall = (performance.now() - t0) / options.runs
        const cpu = cpuMicros(cpu0, process.cpuUsage()) / 1000 / options.runs
        const stats = await mockStats(mock)
        if (stats.requests !== options.runs * 7) {
          throw new Error(`${v.name} sent ${stats.requests} requests, expected ${options.runs * 7}`)
        }
        samples.get(v.name)!.push({ cpu, wall })
        log(
          `ablation: rep ${rep + 1} ${v.name.padEnd(40)} ${cpu.toFixed(3)} ms/run cpu, ${wall.toFixed(3)} ms/run wall`
        )
      }
    }
    const base = median(samples.get("handEffect")!.map((s) => s.cpu))
    const rows = variants.map((v) => {
      const s = samples.get(v.name)!
      const cpu = median(s.map((x) => x.cpu))
      return {
        variant: v.name,
        cpuMsPerRun: round(cpu),
        wallMsPerRun: round(median(s.map((x) => x.wall))),
        cpuOverHandEffect: round(cpu / base, 2),
        extraCpuMsPerRun: round(cpu - base)
      }
    })
    return { options, requestsPerRun: 7, rows }
  } finally {
    await runtime.dispose()
    await stop(mock)
  }
}

if (isMain(import.meta.url)) {
  const args = benchArgs()
  const options = args.quick ? { runs: 100, warmupRuns: 50, repeats: 1 } : defaultAblationOptions
  ablationBench(options).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
