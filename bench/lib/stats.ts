/** Small numeric helpers shared by the benchmarks. */
import { writeFileSync } from "node:fs"
import { parseArgs } from "node:util"

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low)
}

/** Median and spread of repeated measurements: the middle half (p25–p75) and the extremes. */
export interface Spread {
  readonly median: number
  readonly p25: number
  readonly p75: number
  readonly min: number
  readonly max: number
  readonly n: number
}

export const spread = (values: ReadonlyArray<number>, digits = 3): Spread => ({
  median: round(median(values), digits),
  p25: round(quantile(values, 0.25), digits),
  p75: round(quantile(values, 0.75), digits),
  min: round(Math.min(...values), digits),
  max: round(Math.max(...values), digits),
  n: values.length
})

export const round = (value: number, digits = 3): number => {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Microseconds of user + system CPU between two `process.cpuUsage()` readings. */
export const cpuMicros = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage): number =>
  after.user - before.user + (after.system - before.system)

export const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect !== undefined) {
    collect()
    collect()
  }
}

/**
 * The common command line of a benchmark entry: `--out file.json` writes the result there
 * (otherwise it is printed), `--quick` asks for a smaller run (a smoke test, not a measurement).
 */
export const benchArgs = () =>
  parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: false,
    options: { out: { type: "string" }, quick: { type: "boolean", default: false } }
  }).values as { out?: string; quick?: boolean }

export const emit = (result: unknown, out: string | undefined): void => {
  const text = JSON.stringify(result, null, 2)
  if (out !== undefined) writeFileSync(out, text + "\n")
  else process.stdout.write(text + "\n")
}

/** Whether this module is the entry point (`tsx bench/x.ts`), not imported by another. */
export const isMain = (moduleUrl: string): boolean => {
  const entry = process.argv[1]
  if (entry === undefined) return false
  const a = new URL(moduleUrl).pathname
  return a === entry || a.replace(/\.ts$/, "") === entry.replace(/\.ts$/, "")
}

export const log = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}
