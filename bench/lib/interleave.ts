/**
 * Interleaved measurement for a loaded, shared machine: the contenders take turns, one block
 * of runs each per round, in an order rotated every round (ABC, BCA, CAB, …), so drifting load
 * hits them alike. Ratios are taken within a round (paired) and then summarised over the
 * rounds: median, middle half (p25–p75), extremes.
 *
 * Each block starts after a full GC (not measured). Measured per run: wall time, this
 * process's CPU (`process.cpuUsage`, user + system, every thread), the GC pauses inside the
 * block (PerformanceObserver `gc` entries: scavenges and any major GC the block triggers), and
 * optionally the CPU of another process (the mock) read before and after.
 */
import { performance, PerformanceObserver } from "node:perf_hooks"
import { cpuMicros, gc, type Spread, spread } from "./stats.js"

export interface Contender {
  readonly name: string
  /** Runs `runs` times; rejects when a run fails. */
  readonly block: (runs: number) => Promise<void>
}

export interface BlockResult {
  readonly wallMsPerRun: number
  readonly cpuMsPerRun: number
  readonly gcMsPerRun: number
  readonly otherCpuMsPerRun: number | undefined
}

export interface InterleaveOptions {
  readonly rounds: number
  readonly runsPerBlock: number
  /** Before each block, outside the measurement (reset the mock). */
  readonly beforeBlock?: () => Promise<void>
  /** After each block, outside the measurement: throws when the block did not do what it should. */
  readonly afterBlock?: (name: string, runs: number) => Promise<void>
  /** The CPU of another process, read before and after each block. */
  readonly otherCpu?: () => Promise<NodeJS.CpuUsage>
  readonly onBlock?: (round: number, name: string, result: BlockResult) => void
}

export type Samples = Record<string, Array<BlockResult>>

const settle = () => new Promise<void>((resolve) => setImmediate(() => setTimeout(resolve, 0)))

export const interleave = async (
  contenders: ReadonlyArray<Contender>,
  options: InterleaveOptions
): Promise<Samples> => {
  const pauses: Array<{ start: number; duration: number }> = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ start: entry.startTime, duration: entry.duration })
  })
  observer.observe({ entryTypes: ["gc"] })
  const samples: Samples = Object.fromEntries(contenders.map((c) => [c.name, []]))
  try {
    for (let round = 0; round < options.rounds; round++) {
      const shift = round % contenders.length
      for (const contender of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
        await options.beforeBlock?.()
        gc()
        await settle()
        pauses.length = 0
        const otherBefore = await options.otherCpu?.()
        const cpuBefore = process.cpuUsage()
        const started = performance.now()
        await contender.block(options.runsPerBlock)
        const ended = performance.now()
        const cpu = cpuMicros(cpuBefore, process.cpuUsage())
        const otherAfter = await options.otherCpu?.()
        await settle()
        const gcMs = pauses
          .filter((p) => p.start >= started && p.start <= ended)
          .reduce((sum, p) => sum + p.duration, 0)
        await options.afterBlock?.(contender.name, options.runsPerBlock)
        const runs = options.runsPerBlock
        const result: BlockResult = {
          wallMsPerRun: (ended - started) / runs,
          cpuMsPerRun: cpu / 1000 / runs,
          gcMsPerRun: gcMs / runs,
          otherCpuMsPerRun: otherBefore === undefined || otherAfter === undefined
            ? undefined
            : cpuMicros(otherBefore, otherAfter) / 1000 / runs
        }
        samples[contender.name]!.push(result)
        options.onBlock?.(round, contender.name, result)
      }
    }
  } finally {
    observer.disconnect()
  }
  return samples
}

export type Metric = "wallMsPerRun" | "cpuMsPerRun"

/** `numerator / denominator` within each round, summarised over the rounds. */
export const pairedRatio = (samples: Samples, numerator: string, denominator: string, metric: Metric): Spread => {
  const a = samples[numerator]!
  const b = samples[denominator]!
  return spread(a.map((x, i) => x[metric] / b[i]![metric]), 3)
}

export interface ContenderSummary {
  readonly wallMsPerRun: Spread
  readonly cpuMsPerRun: Spread
  readonly gcMsPerRun: Spread
  readonly otherCpuMsPerRun: Spread | undefined
}

export const summarise = (samples: Samples): Record<string, ContenderSummary> =>
  Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const other = list.map((s) => s.otherCpuMsPerRun).filter((x): x is number => x !== undefined)
      return [name, {
        wallMsPerRun: spread(list.map((s) => s.wallMsPerRun)),
        cpuMsPerRun: spread(list.map((s) => s.cpuMsPerRun)),
        gcMsPerRun: spread(list.map((s) => s.gcMsPerRun)),
        otherCpuMsPerRun: other.length === list.length ? spread(other) : undefined
      }]
    })
  )
