/**
 * What the generated workflow's optional machinery costs when it is switched off through public
 * knobs only: Effect's tracer (`Effect.withTracerEnabled(…, false)`: no spans recorded) and the
 * step and workflow timeouts (`Arazzo.Policies.layer({ stepTimeout: Duration.infinity,
 * workflowTimeout: Duration.infinity })`). The hand-written Effect version is the reference.
 * Sequential runs against the mock in a child process, variants interleaved (bench/lib/interleave.ts).
 *
 * The runtime's internals are not imported: this measures whatever the runtime does at the
 * commit the results name, and keeps working while those internals change.
 *
 *   npx tsx bench/ablation.ts [--quick] [--out results.json]
 */
import * as Duration from "effect/Duration"
import { stop } from "./lib/child.js"
import { entry } from "./lib/entry.js"
import { benchInput } from "./lib/img2img.js"
import { pairedRatio, summarise } from "./lib/interleave.js"
import { mockReset, startMockChild, TOKEN } from "./lib/mock.js"
import { generatedVariant, handEffectVariant, type Variant } from "./lib/variants.js"
import { measureMode } from "./runtime.js"

export interface AblationOptions {
  readonly rounds: number
  readonly runsPerBlock: number
  readonly warmupRuns: number
}

export const defaultAblationOptions: AblationOptions = { rounds: 10, runsPerBlock: 50, warmupRuns: 100 }
const quickAblationOptions: AblationOptions = { rounds: 3, runsPerBlock: 25, warmupRuns: 20 }

const noTimeouts = { stepTimeout: Duration.infinity, workflowTimeout: Duration.infinity }

export const ablationBench = async (options: AblationOptions = defaultAblationOptions) => {
  const { child: mock, url } = await startMockChild(3)
  const input = benchInput(TOKEN, 4096)
  const variants: Array<Variant> = [
    handEffectVariant("handEffect", url, input),
    generatedVariant("generated", url, input),
    generatedVariant("generated, tracer off", url, input, { tracer: false }),
    generatedVariant("generated, timeouts off", url, input, { policies: noTimeouts }),
    generatedVariant("generated, tracer and timeouts off", url, input, { tracer: false, policies: noTimeouts })
  ]
  try {
    for (const v of variants) await v.run(options.warmupRuns, 1)
    await mockReset(mock)
    const samples = await measureMode(
      mock,
      variants,
      { rounds: options.rounds, runsPerBlock: options.runsPerBlock, concurrency: 1 },
      7,
      "ablation"
    )
    const summary = summarise(samples)
    const rows = variants.map((v) => ({
      variant: v.name,
      cpuMsPerRun: summary[v.name]!.cpuMsPerRun,
      wallMsPerRun: summary[v.name]!.wallMsPerRun,
      gcMsPerRun: summary[v.name]!.gcMsPerRun,
      cpuOverHandEffect: v.name === "handEffect"
        ? undefined
        : pairedRatio(samples, v.name, "handEffect", "cpuMsPerRun"),
      cpuOverGenerated: v.name === "generated" ? undefined : pairedRatio(samples, v.name, "generated", "cpuMsPerRun")
    }))
    return { options, requestsPerRun: 7, rows }
  } finally {
    for (const v of variants) await v.dispose()
    await stop(mock)
  }
}

entry(import.meta.url, ({ quick }) => ablationBench(quick ? quickAblationOptions : defaultAblationOptions))
