/**
 * Runtime overhead of the generated img2img workflow against two hand-written equivalents
 * (bench/lib/img2img.ts), over real HTTP to the Civitai mock running in a child process.
 *
 * For each variant and each mode (1000 runs one after another; 1000 runs at most 100 at once)
 * it measures wall time per run, this process's CPU time per run (process.cpuUsage, user +
 * system) and the mock's CPU time per run (the child's own process.cpuUsage). Each
 * measurement is repeated 3 times, variants in rotating order, and the median is reported.
 * Before measuring, every variant is warmed up and the mock's request log is compared: all
 * three must send the same number of requests per operation, with the same methods, media
 * types and body lengths, or the benchmark stops.
 *
 *   npx tsx bench/runtime.ts [--quick] [--out results.json]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import type { ChildProcess } from "node:child_process"
import { performance } from "node:perf_hooks"
import { ask, nextMessage, spawnTs, stop } from "./lib/child.js"
import { fetchRun, generatedRun, handEffectRun, type Img2imgInput, pool, sourceImage } from "./lib/img2img.js"
import { benchArgs, cpuMicros, emit, gc, isMain, log, median, round } from "./lib/stats.js"

export const VARIANTS = ["generated", "handEffect", "fetch"] as const
export type VariantName = (typeof VARIANTS)[number]
export const MODES = ["sequential", "concurrent"] as const
export type Mode = (typeof MODES)[number]

export interface RuntimeOptions {
  readonly runs: number
  readonly concurrency: number
  readonly warmupRuns: number
  readonly repeats: number
  readonly pollsUntilDone: number
  readonly imageBytes: number
}

export const defaultRuntimeOptions: RuntimeOptions = {
  runs: 1000,
  concurrency: 100,
  warmupRuns: 100,
  repeats: 3,
  pollsUntilDone: 3,
  imageBytes: 4 * 1024
}

interface Variant {
  readonly name: VariantName
  /** Runs the flow `runs` times, at most `concurrency` at once; rejects on the first failed run. */
  readonly run: (runs: number, concurrency: number) => Promise<void>
  readonly dispose: () => Promise<void>
}

const TOKEN = "bench-token"

/** No wait between polls, at most 50 repeats (the brief's policy). */
const noWaitPoll = Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50)))

const effectBatch = <E>(once: Effect.Effect<unknown, E, any>, runs: number, concurrency: number) =>
  Effect.forEach(
    Array.from({ length: runs }),
    () => once,
    concurrency > 1 ? { concurrency, discard: true } : { discard: true }
  )

const makeVariant = (name: VariantName, url: string, input: Img2imgInput): Variant => {
  switch (name) {
    case "generated": {
      // One runtime per Effect variant for the whole benchmark, so its undici Agent and its
      // keep-alive connections live as long as fetch's global dispatcher does.
      const runtime = ManagedRuntime.make(Layer.mergeAll(
        NodeHttpClient.layerUndici,
        Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
        Arazzo.Policies.layer({ poll: noWaitPoll })
      ))
      return {
        name,
        run: (runs, concurrency) => runtime.runPromise(effectBatch(generatedRun(input), runs, concurrency)),
        dispose: () => runtime.dispose()
      }
    }
    case "handEffect": {
      const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
      return {
        name,
        run: (runs, concurrency) => runtime.runPromise(effectBatch(handEffectRun(url, input), runs, concurrency)),
        dispose: () => runtime.dispose()
      }
    }
    case "fetch":
      return {
        name,
        run: (runs, concurrency) => pool(runs, concurrency, () => fetchRun(url, input)),
        dispose: async () => {}
      }
  }
}

interface MockStats {
  readonly counts: Record<string, number>
  readonly statuses: Record<string, number>
  readonly first: Record<
    string,
    { method: string; headerNames: Array<string>; contentType?: string; contentLength?: string }
  >
  readonly sample: unknown
  readonly bodyBytes: Record<string, number>
  readonly requests: number
  readonly cpu: NodeJS.CpuUsage
  readonly rss: number
}

export const startMockChild = async (pollsUntilDone: number): Promise<{ child: ChildProcess; url: string }> => {
  const child = spawnTs(new URL("./mock-server.ts", import.meta.url), [String(pollsUntilDone), TOKEN])
  const ready = await nextMessage<{ url: string }>(child, (m) => m?.type === "ready")
  return { child, url: ready.url }
}

export const mockStats = (child: ChildProcess) => ask<MockStats>(child, { cmd: "stats" })
export const mockReset = (child: ChildProcess) => ask<{ ok: true }>(child, { cmd: "reset" })

export interface Measurement {
  readonly wallMsPerRun: number
  readonly cpuMsPerRun: number
  readonly serverCpuMsPerRun: number
  readonly runsPerSecond: number
}

const measure = async (
  mock: ChildProcess,
  variant: Variant,
  runs: number,
  concurrency: number,
  expectedRequests: number
) => {
  await mockReset(mock)
  gc()
  const serverBefore = await mockStats(mock)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await variant.run(runs, concurrency)
  const elapsed = performance.now() - started
  const cpu = cpuMicros(cpuBefore, process.cpuUsage())
  const serverAfter = await mockStats(mock)
  if (serverAfter.requests !== expectedRequests) {
    throw new Error(
      `${variant.name} sent ${serverAfter.requests} requests for ${runs} runs, expected ${expectedRequests}`
    )
  }
  return {
    wallMsPerRun: elapsed / runs,
    cpuMsPerRun: cpu / 1000 / runs,
    serverCpuMsPerRun: cpuMicros(serverBefore.cpu, serverAfter.cpu) / 1000 / runs,
    runsPerSecond: runs / (elapsed / 1000)
  } satisfies Measurement
}

/**
 * The proof that all variants send the same requests: each runs `warmupRuns` times against a
 * mock of its own (so blob and workflow ids, and with them the body sizes, are the same), and
 * the mock's logs must agree on requests per operation, statuses, methods, media types, the
 * total body bytes per operation, the uploaded blob (bytes, type, name, moderate flag) and the
 * submitted workflow request.
 */
const verify = async (input: Img2imgInput, options: RuntimeOptions) => {
  const seen: Partial<Record<VariantName, MockStats>> = {}
  for (const name of VARIANTS) {
    const { child, url } = await startMockChild(options.pollsUntilDone)
    const variant = makeVariant(name, url, input)
    try {
      await variant.run(options.warmupRuns, 1)
      seen[name] = await mockStats(child)
    } finally {
      await variant.dispose()
      await stop(child)
    }
  }
  const reference = seen.generated!
  const problems: Array<string> = []
  const perRun = Object.fromEntries(Object.entries(reference.counts).map(([op, n]) => [op, n / options.warmupRuns]))
  const expected = { uploadBlob: 1, submitWorkflow: 1, getWorkflow: options.pollsUntilDone + 2 }
  for (const [op, n] of Object.entries(expected)) {
    if (perRun[op] !== n) problems.push(`generated sent ${perRun[op]} ${op} per run, expected ${n}`)
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
  for (const [name, stats] of Object.entries(seen)) {
    if (!same(stats.counts, reference.counts)) {
      problems.push(
        `${name} counts ${JSON.stringify(stats.counts)} differ from generated ${JSON.stringify(reference.counts)}`
      )
    }
    if (!same(stats.bodyBytes, reference.bodyBytes)) {
      problems.push(
        `${name} body bytes ${JSON.stringify(stats.bodyBytes)} differ from generated ${
          JSON.stringify(reference.bodyBytes)
        }`
      )
    }
    if (!same(stats.sample, reference.sample)) {
      problems.push(`${name} sent ${JSON.stringify(stats.sample)}, generated ${JSON.stringify(reference.sample)}`)
    }
    if (Object.keys(stats.statuses).some((s) => !/^20[012]$/.test(s))) {
      problems.push(`${name} got statuses ${JSON.stringify(stats.statuses)}`)
    }
    for (const [op, first] of Object.entries(stats.first)) {
      const ref = reference.first[op]
      for (const key of ["method", "contentType"] as const) {
        if (first[key] !== ref?.[key]) {
          problems.push(`${name} ${op} ${key} ${first[key]} differs from generated ${ref?.[key]}`)
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`the variants do not send the same requests:\n  ${problems.join("\n  ")}`)
  log(`runtime: verified: every variant sent ${JSON.stringify(perRun)} per run, same bodies`)
  return {
    requestsPerRun: perRun,
    countsInVerification: Object.fromEntries(Object.entries(seen).map(([name, stats]) => [name, stats.counts])),
    bodyBytesInVerification: reference.bodyBytes,
    sample: reference.sample,
    headerNames: Object.fromEntries(
      Object.entries(seen).map((
        [name, stats]
      ) => [name, Object.fromEntries(Object.entries(stats.first).map(([op, f]) => [op, f.headerNames]))])
    )
  }
}

export const runtimeBench = async (options: RuntimeOptions = defaultRuntimeOptions) => {
  const { child: mock, url } = await startMockChild(options.pollsUntilDone)
  const input: Img2imgInput = {
    apiKey: TOKEN,
    file: sourceImage(options.imageBytes),
    engine: "flux2",
    prompt: "a lighthouse at dusk, oil painting"
  }
  const variants = VARIANTS.map((name) => makeVariant(name, url, input))
  try {
    const verification = await verify(input, options)
    log(
      `runtime: mock at ${url} (pid ${mock.pid}); warm-up ${options.warmupRuns} sequential + ${options.warmupRuns} concurrent runs per variant`
    )
    for (const variant of variants) {
      await variant.run(options.warmupRuns, 1)
      await variant.run(options.warmupRuns, options.concurrency)
    }
    const requestsPerRun = Object.values(verification.requestsPerRun).reduce((a, b) => a + b, 0)
    const samples: Record<Mode, Record<VariantName, Array<Measurement>>> = {
      sequential: { generated: [], handEffect: [], fetch: [] },
      concurrent: { generated: [], handEffect: [], fetch: [] }
    }
    for (let rep = 0; rep < options.repeats; rep++) {
      for (const mode of MODES) {
        const concurrency = mode === "sequential" ? 1 : options.concurrency
        // Rotate the order each repetition so drift (other load, the mock's heap) spreads evenly.
        const order = [...variants.slice(rep % variants.length), ...variants.slice(0, rep % variants.length)]
        for (const variant of order) {
          const m = await measure(mock, variant, options.runs, concurrency, options.runs * requestsPerRun)
          samples[mode][variant.name].push(m)
          log(
            `runtime: rep ${rep + 1} ${mode.padEnd(10)} ${variant.name.padEnd(10)} ${
              m.wallMsPerRun.toFixed(3)
            } ms/run wall, ${m.cpuMsPerRun.toFixed(3)} ms/run cpu, mock ${m.serverCpuMsPerRun.toFixed(3)} ms/run cpu`
          )
        }
      }
    }
    const medians = Object.fromEntries(MODES.map((mode) => [
      mode,
      Object.fromEntries(VARIANTS.map((name) => {
        const s = samples[mode][name]
        const m: Measurement = {
          wallMsPerRun: round(median(s.map((x) => x.wallMsPerRun))),
          cpuMsPerRun: round(median(s.map((x) => x.cpuMsPerRun))),
          serverCpuMsPerRun: round(median(s.map((x) => x.serverCpuMsPerRun))),
          runsPerSecond: round(median(s.map((x) => x.runsPerSecond)), 1)
        }
        return [name, m]
      }))
    ])) as Record<Mode, Record<VariantName, Measurement>>
    const ratio = (a: number, b: number) => round(a / b, 2)
    const ratios = Object.fromEntries(MODES.map((mode) => {
      const g = medians[mode].generated, h = medians[mode].handEffect, f = medians[mode].fetch
      return [mode, {
        wall: {
          generatedOverHandEffect: ratio(g.wallMsPerRun, h.wallMsPerRun),
          generatedOverFetch: ratio(g.wallMsPerRun, f.wallMsPerRun)
        },
        cpu: {
          generatedOverHandEffect: ratio(g.cpuMsPerRun, h.cpuMsPerRun),
          generatedOverFetch: ratio(g.cpuMsPerRun, f.cpuMsPerRun)
        }
      }]
    }))
    return {
      options,
      mockInChildProcess: true,
      verification,
      medians,
      ratios,
      samples: Object.fromEntries(
        MODES.map((mode) => [
          mode,
          Object.fromEntries(VARIANTS.map((name) => [
            name,
            samples[mode][name].map((m) => ({
              wallMsPerRun: round(m.wallMsPerRun),
              cpuMsPerRun: round(m.cpuMsPerRun),
              serverCpuMsPerRun: round(m.serverCpuMsPerRun)
            }))
          ]))
        ])
      )
    }
  } finally {
    for (const variant of variants) await variant.dispose()
    await stop(mock)
  }
}

if (isMain(import.meta.url)) {
  const args = benchArgs()
  const options = args.quick
    ? { ...defaultRuntimeOptions, runs: 100, warmupRuns: 20, repeats: 1 }
    : defaultRuntimeOptions
  runtimeBench(options).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
