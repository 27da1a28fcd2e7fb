/**
 * Runtime overhead: the generated img2img workflow against the hand-written Effect version and
 * the floor (raw `node:http`), over real HTTP to the Civitai mock in a child process
 * (bench/lib/img2img.ts, bench/lib/floor.ts).
 *
 * First every variant runs against a mock of its own and the mocks' logs must agree (requests
 * per operation, statuses, methods, media types, bodies), or the benchmark stops. Then, against
 * one mock, the variants take turns in blocks (bench/lib/interleave.ts): sequentially (one run
 * at a time) and at concurrency 100. Reported per run: wall, this process's CPU, GC pauses,
 * the mock's CPU; and the paired ratios generated/handEffect and generated/floor per round.
 *
 *   npx tsx bench/runtime.ts [--quick] [--out results.json]
 */
import type { ChildProcess } from "node:child_process"
import { stop } from "./lib/child.js"
import { entry } from "./lib/entry.js"
import { benchInput, type Img2imgInput } from "./lib/img2img.js"
import { type Contender, interleave, pairedRatio, type Samples, summarise } from "./lib/interleave.js"
import { mockReset, type MockStats, mockStats, startMockChild, TOKEN } from "./lib/mock.js"
import { log, round } from "./lib/stats.js"
import { makeVariant, type Variant, type VariantName, VARIANTS } from "./lib/variants.js"

export interface ModeOptions {
  readonly rounds: number
  readonly runsPerBlock: number
  readonly concurrency: number
}

export interface RuntimeOptions {
  readonly sequential: ModeOptions
  readonly concurrent: ModeOptions
  readonly warmupRuns: number
  readonly verifyRuns: number
  readonly pollsUntilDone: number
  readonly imageBytes: number
}

export const defaultRuntimeOptions: RuntimeOptions = {
  sequential: { rounds: 20, runsPerBlock: 50, concurrency: 1 },
  concurrent: { rounds: 10, runsPerBlock: 200, concurrency: 100 },
  warmupRuns: 100,
  verifyRuns: 50,
  pollsUntilDone: 3,
  imageBytes: 4 * 1024
}

export const quickRuntimeOptions: RuntimeOptions = {
  sequential: { rounds: 4, runsPerBlock: 25, concurrency: 1 },
  concurrent: { rounds: 4, runsPerBlock: 100, concurrency: 100 },
  warmupRuns: 20,
  verifyRuns: 10,
  pollsUntilDone: 3,
  imageBytes: 4 * 1024
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** What differs between one variant's mock log and the generated one's. */
const differences = (name: string, stats: MockStats, reference: MockStats): Array<string> => {
  const problems: Array<string> = []
  if (!same(stats.counts, reference.counts)) {
    problems.push(
      `${name} counts ${JSON.stringify(stats.counts)} differ from generated ${JSON.stringify(reference.counts)}`
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
    // Multipart bodies differ by the boundary each encoder picks; the parts are compared through `sample`.
    if (first.contentType !== "multipart/form-data" && stats.bodyBytes[op] !== reference.bodyBytes[op]) {
      problems.push(`${name} sent ${stats.bodyBytes[op]} body bytes to ${op}, generated ${reference.bodyBytes[op]}`)
    }
  }
  return problems
}

/**
 * The proof that all variants send the same requests: each runs against a mock of its own (so
 * blob and workflow ids, and with them the body sizes, are the same) and the logs must agree.
 */
const verify = async (input: Img2imgInput, options: RuntimeOptions) => {
  const seen: Partial<Record<VariantName, MockStats>> = {}
  for (const name of VARIANTS) {
    const { child, url } = await startMockChild(options.pollsUntilDone)
    const variant = makeVariant(name, url, input)
    try {
      await variant.run(options.verifyRuns, 1)
      seen[name] = await mockStats(child)
    } finally {
      await variant.dispose()
      await stop(child)
    }
  }
  const reference = seen.generated!
  const perRun = Object.fromEntries(Object.entries(reference.counts).map(([op, n]) => [op, n / options.verifyRuns]))
  const expected = { uploadBlob: 1, submitWorkflow: 1, getWorkflow: options.pollsUntilDone + 2 }
  const problems = Object.entries(expected)
    .filter(([op, n]) => perRun[op] !== n)
    .map(([op, n]) => `generated sent ${perRun[op]} ${op} per run, expected ${n}`)
  for (const [name, stats] of Object.entries(seen)) problems.push(...differences(name, stats, reference))
  if (problems.length > 0) throw new Error(`the variants do not send the same requests:\n  ${problems.join("\n  ")}`)
  log(`runtime: verified: every variant sent ${JSON.stringify(perRun)} per run, the same requests`)
  return {
    requestsPerRun: perRun,
    bodyBytesPerRun: Object.fromEntries(
      Object.entries(seen).map((
        [name, stats]
      ) => [name, Object.fromEntries(Object.entries(stats.bodyBytes).map(([op, n]) => [op, n / options.verifyRuns]))])
    ),
    sample: reference.sample,
    headerNames: Object.fromEntries(
      Object.entries(seen).map((
        [name, stats]
      ) => [name, Object.fromEntries(Object.entries(stats.first).map(([op, f]) => [op, f.headerNames]))])
    )
  }
}

/** Blocks of each variant in turn against one mock; every block must send exactly its requests. */
export const measureMode = (
  mock: ChildProcess,
  variants: ReadonlyArray<Variant>,
  mode: ModeOptions,
  requestsPerRun: number,
  label: string
): Promise<Samples> => {
  const contenders: Array<Contender> = variants.map((v) => ({
    name: v.name,
    block: (runs) => v.run(runs, mode.concurrency)
  }))
  return interleave(contenders, {
    rounds: mode.rounds,
    runsPerBlock: mode.runsPerBlock,
    beforeBlock: () => mockReset(mock).then(() => undefined),
    otherCpu: () => mockStats(mock).then((s) => s.cpu),
    afterBlock: async (name, runs) => {
      const { requests } = await mockStats(mock)
      if (requests !== runs * requestsPerRun) {
        throw new Error(`${name} sent ${requests} requests for ${runs} runs, expected ${runs * requestsPerRun}`)
      }
    },
    onBlock: (r, name, b) =>
      log(
        `${label}: round ${r + 1} ${name.padEnd(28)} ${b.cpuMsPerRun.toFixed(3)} ms/run CPU, ${
          b.wallMsPerRun.toFixed(3)
        } wall, GC ${b.gcMsPerRun.toFixed(3)}, mock ${b.otherCpuMsPerRun?.toFixed(3)}`
      )
  })
}

const ratios = (samples: Samples, pairs: ReadonlyArray<readonly [string, string]>) =>
  Object.fromEntries(pairs.map(([a, b]) => [
    `${a}/${b}`,
    { cpu: pairedRatio(samples, a, b, "cpuMsPerRun"), wall: pairedRatio(samples, a, b, "wallMsPerRun") }
  ]))

export const runtimeBench = async (options: RuntimeOptions = defaultRuntimeOptions) => {
  const input = benchInput(TOKEN, options.imageBytes)
  const verification = await verify(input, options)
  const requestsPerRun = Object.values(verification.requestsPerRun).reduce((a, b) => a + b, 0)
  const { child: mock, url } = await startMockChild(options.pollsUntilDone)
  const variants = VARIANTS.map((name) => makeVariant(name, url, input))
  try {
    log(`runtime: mock at ${url} (pid ${mock.pid}); warm-up ${options.warmupRuns} sequential + concurrent runs each`)
    for (const variant of variants) {
      await variant.run(options.warmupRuns, 1)
      await variant.run(options.warmupRuns, options.concurrent.concurrency)
      await mockReset(mock)
    }
    const pairs = [
      ["generated", "handEffect"],
      ["generated", "floor"],
      ["handEffect", "floor"],
      // The same code on other transports (bench/lib/variants.ts): what the client costs.
      ["generatedNodeHttp", "floor"],
      ["generatedArazzoNode", "floor"],
      ["generatedArazzoNode", "generated"],
      ["handEffectArazzoNode", "floor"],
      ["generatedArazzoNode", "handEffectArazzoNode"]
    ] as const
    const modes = {} as Record<"sequential" | "concurrent", unknown>
    for (const mode of ["sequential", "concurrent"] as const) {
      const samples = await measureMode(mock, variants, options[mode], requestsPerRun, `runtime ${mode}`)
      modes[mode] = {
        ...options[mode],
        runsPerVariant: options[mode].rounds * options[mode].runsPerBlock,
        variants: summarise(samples),
        ratios: ratios(samples, pairs),
        blocks: Object.fromEntries(
          Object.entries(samples).map(([name, list]) => [
            name,
            list.map((b) => ({ cpu: round(b.cpuMsPerRun), wall: round(b.wallMsPerRun), gc: round(b.gcMsPerRun) }))
          ])
        )
      }
    }
    return { options, mockInChildProcess: true, verification, ...modes }
  } finally {
    for (const variant of variants) await variant.dispose()
    await stop(mock)
  }
}

entry(import.meta.url, ({ quick }) => runtimeBench(quick ? quickRuntimeOptions : defaultRuntimeOptions))
