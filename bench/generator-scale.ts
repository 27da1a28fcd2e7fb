/**
 * How the generator scales: synthetic inputs written by code to a temporary directory
 * (bench/lib/synthetic.ts), each generated in a fresh process (`node --expose-gc --import tsx`)
 * after a small warm-up document, so the time is what that input costs, not loading the generator:
 *
 * - documents of 1, 10 and 100 workflows over a 100-operation description;
 * - one workflow over descriptions of 1,000 and 10,000 operations.
 *
 * Per input: wall and CPU time of `generate` (process.cpuUsage: user + system, every thread),
 * peak RSS above the RSS before it (`process.resourceUsage().maxRSS`), and the heap still held
 * after a full GC (what the process keeps, such as cached descriptions). Repeated in rounds,
 * inputs in rotating order; medians and spread.
 *
 *   npx tsx bench/generator-scale.ts [--quick] [--out results.json]
 *   (child) node --expose-gc --import tsx bench/generator-scale.ts --point <document> --warm-up <document> --out <file>
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { entry } from "./lib/entry.js"
import { cpuMicros, gc, log, round, spread } from "./lib/stats.js"
import { type SyntheticInput, writeSyntheticInputs } from "./lib/synthetic.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const MiB = 1024 * 1024

export interface GeneratorScaleOptions {
  readonly rounds: number
  /** Per process. */
  readonly timeLimitMs: number
}

export const defaultGeneratorScaleOptions: GeneratorScaleOptions = { rounds: 3, timeLimitMs: 180_000 }

interface PointResult {
  readonly ok: boolean
  readonly error?: string
  readonly wallMs: number
  readonly cpuMs: number
  readonly baselineRssMiB: number
  readonly peakRssMiB: number
  readonly peakAboveBaselineMiB: number
  readonly heapHeldAfterMiB: number
  readonly modules: number
  readonly generatedBytes: number
}

/** In the child: one measured `generate` of `document`, after `warmUp`. */
const measurePoint = async (document: string, warmUp: string): Promise<PointResult> => {
  const { generate } = await import("../generator/index.js")
  const outDir = path.dirname(document)
  const errors = (r: Awaited<ReturnType<typeof generate>>) => r.diagnostics.filter((d) => d.severity === "error")
  const warm = await generate([warmUp], { outDir })
  if (errors(warm).length > 0) throw new Error(`warm-up document has errors: ${JSON.stringify(errors(warm)[0])}`)
  gc()
  const before = process.memoryUsage()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await generate([document], { outDir })
  const wallMs = performance.now() - t0
  const cpuMs = cpuMicros(cpu0, process.cpuUsage()) / 1000
  const peak = process.resourceUsage().maxRSS * 1024
  const failures = errors(result)
  gc()
  const after = process.memoryUsage()
  return {
    ok: failures.length === 0 && result.documents.length === 1,
    ...(failures.length === 0 ? {} : { error: failures.slice(0, 3).map((d) => `${d.code} ${d.message}`).join("; ") }),
    wallMs: round(wallMs, 1),
    cpuMs: round(cpuMs, 1),
    baselineRssMiB: round(before.rss / MiB, 1),
    peakRssMiB: round(peak / MiB, 1),
    peakAboveBaselineMiB: round((peak - before.rss) / MiB, 1),
    heapHeldAfterMiB: round(after.heapUsed / MiB, 1),
    modules: result.files.length,
    generatedBytes: result.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0)
  }
}

const runPoint = (input: SyntheticInput, warmUp: SyntheticInput, limitMs: number): Promise<PointResult> =>
  new Promise((resolve, reject) => {
    const out = path.join(tmpdir(), `arazzo-bench-gen-scale-${process.pid}-${input.name}-${Date.now()}.json`)
    const child = spawn(process.execPath, [
      "--expose-gc",
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--point",
      input.document,
      "--warm-up",
      warmUp.document,
      "--out",
      out
    ], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] })
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      try {
        if (code !== 0) throw new Error(`${input.name}: the child exited with ${code ?? signal}`)
        resolve(JSON.parse(readFileSync(out, "utf8")) as PointResult)
      } catch (error) {
        reject(error)
      } finally {
        rmSync(out, { force: true })
      }
    })
  })

export const generatorScaleBench = async (options: GeneratorScaleOptions = defaultGeneratorScaleOptions) => {
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-bench-synthetic-"))
  try {
    const all = writeSyntheticInputs(dir)
    const warmUp = all.find((i) => i.name === "warm-up")!
    const inputs = all.filter((i) => i !== warmUp)
    const results = new Map<string, Array<PointResult>>(inputs.map((i) => [i.name, []]))
    for (let round_ = 0; round_ < options.rounds; round_++) {
      const shift = round_ % inputs.length
      for (const input of [...inputs.slice(shift), ...inputs.slice(0, shift)]) {
        const r = await runPoint(input, warmUp, options.timeLimitMs)
        if (!r.ok) throw new Error(`${input.name} did not generate: ${r.error}`)
        results.get(input.name)!.push(r)
        log(
          `generator-scale: round ${round_ + 1} ${
            input.name.padEnd(17)
          } ${r.cpuMs} ms CPU, ${r.wallMs} ms wall, peak RSS +${r.peakAboveBaselineMiB} MiB`
        )
      }
    }
    return {
      options,
      points: inputs.map((input) => {
        const list = results.get(input.name)!
        return {
          name: input.name,
          workflows: input.workflows,
          operations: input.operations,
          descriptionKiB: round(input.descriptionBytes / 1024, 1),
          cpuMs: spread(list.map((r) => r.cpuMs), 1),
          wallMs: spread(list.map((r) => r.wallMs), 1),
          peakAboveBaselineMiB: spread(list.map((r) => r.peakAboveBaselineMiB), 1),
          peakRssMiB: spread(list.map((r) => r.peakRssMiB), 1),
          heapHeldAfterMiB: spread(list.map((r) => r.heapHeldAfterMiB), 1),
          generatedKiB: round(list[0]!.generatedBytes / 1024, 1)
        }
      })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

entry(import.meta.url, ({ quick }) => {
  const point = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    options: { point: { type: "string" }, "warm-up": { type: "string" } }
  }).values as { point?: string; "warm-up"?: string }
  return point.point !== undefined
    ? measurePoint(point.point, point["warm-up"] ?? point.point)
    : generatorScaleBench(quick ? { ...defaultGeneratorScaleOptions, rounds: 1 } : defaultGeneratorScaleOptions)
})
