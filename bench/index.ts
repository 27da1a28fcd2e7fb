/**
 * Runs the benchmarks, each in a fresh child process (`node --expose-gc --import tsx`), one
 * after another, writes bench/results.json and bench/results.md, and prints the targets table
 * (bench/lib/targets.ts): every target of the speed issue beside what this run measured.
 *
 *   npx tsx bench/index.ts [--only runtime,ablation,scale,generator,generator-scale,cli,durable] [--merge] [--quick]
 *
 * --merge keeps the other sections of the existing results file and replaces only the selected
 * ones (meta.ranAt and meta.commits say when and at which commit each section ran).
 * --quick runs everything small (a smoke test of the harness; its numbers mean little) and
 * writes bench/results.quick.{json,md} instead.
 */
import { spawn, spawnSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { renderMarkdown } from "./lib/report.js"
import { log, median, round } from "./lib/stats.js"
import { targetRows, targetTable } from "./lib/targets.js"

const BENCH = fileURLToPath(new URL(".", import.meta.url))
const ROOT = path.resolve(BENCH, "..")
const ALL = ["runtime", "ablation", "scale", "generator", "generator-scale", "cli", "durable"] as const
type Name = (typeof ALL)[number]

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    merge: { type: "boolean", default: false }
  }
})
const selected = (values.only?.split(",") ?? [...ALL]) as Array<Name>
for (const name of selected) {
  if (!ALL.includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL.join(", ")}`)
}
const quick = values.quick ?? false

let current: ReturnType<typeof spawn> | undefined
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    current?.kill("SIGTERM")
    process.exit(130)
  })
}

/** Runs one benchmark entry in a fresh process with --expose-gc and reads the JSON it writes. */
const runChild = (file: string, args: ReadonlyArray<string>, limitMs: number): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const out = path.join(os.tmpdir(), `arazzo-bench-${process.pid}-${path.basename(file, ".ts")}-${Date.now()}.json`)
    const child = spawn(process.execPath, [
      "--expose-gc",
      "--import",
      "tsx",
      path.join(BENCH, file),
      "--out",
      out,
      ...(quick ? ["--quick"] : []),
      ...args
    ], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] })
    current = child
    const timer = setTimeout(() => {
      log(`${file} ran past ${limitMs / 1000} s; stopping it`)
      child.kill("SIGTERM")
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
    }, limitMs)
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      current = undefined
      if (code !== 0) return reject(new Error(`${file} ${args.join(" ")} exited with ${code ?? signal}`))
      try {
        resolve(JSON.parse(readFileSync(out, "utf8")))
      } catch (error) {
        reject(error)
      } finally {
        rmSync(out, { force: true })
      }
    })
  })

const base = quick ? "results.quick" : "results"
const previous = values.merge
  ? JSON.parse(readFileSync(path.join(BENCH, `${base}.json`), "utf8")) as Record<string, any>
  : undefined
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
  platform: `${os.platform()} ${os.release()}`,
  commit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim() ||
    "unknown",
  quick,
  loadAverage: { ...previous?.meta?.loadAverage } as Record<string, Array<number>>,
  durationsS: { ...previous?.meta?.durationsS } as Record<string, number>,
  ranAt: { ...previous?.meta?.ranAt } as Record<string, string>,
  commits: { ...previous?.meta?.commits } as Record<string, string>
}
const results: Record<string, unknown> = { ...previous, meta }
const started = performance.now()

const minutes = (n: number) => n * 60_000

const step = async (key: string, file: string, args: ReadonlyArray<string>, limitMs: number) => {
  meta.loadAverage[key] = os.loadavg().map((x) => round(x, 2))
  meta.ranAt[key] = new Date().toISOString()
  meta.commits[key] = meta.commit
  log(`=== ${key} (load average ${meta.loadAverage[key]!.join(" ")})`)
  const t = performance.now()
  try {
    return await runChild(file, args, limitMs)
  } catch (error) {
    log(`${key} failed: ${String(error)}`)
    return { failed: String(error) }
  } finally {
    meta.durationsS[key] = round((performance.now() - t) / 1000, 1)
  }
}

/** Generated and hand-written in alternating processes (ABAB…); medians per variant. */
const scale = async () => {
  const pairs = quick ? 1 : 2
  const runs: Array<any> = []
  for (let pair = 0; pair < pairs; pair++) {
    for (const variant of ["generated", "handEffect"] as const) {
      runs.push(await step(`scale ${variant} ${pair + 1}`, "scale.ts", ["--variant", variant], minutes(12)))
    }
  }
  const summary = Object.fromEntries((["generated", "handEffect"] as const).flatMap((variant) => {
    const ok = runs.filter((r) => r.failed === undefined && r.options.variant === variant)
    if (ok.length === 0) return []
    return [[variant, {
      processes: ok.length,
      runs: ok[0].runs,
      allSucceeded: ok.every((r) => r.succeeded === r.runs),
      peakRssMiB: round(median(ok.map((r) => r.memory.peakRssMiB)), 1),
      liveHeapKiBPerRun: round(median(ok.map((r) => r.memory.suspended.liveHeapKiBPerRun)), 2),
      liveExternalKiBPerRun: round(median(ok.map((r) => r.memory.suspended.liveExternalKiBPerRun)), 2),
      wallS: round(median(ok.map((r) => r.wallMs / 1000)), 1)
    }]]
  }))
  const failed = runs.find((r) => r.failed !== undefined)
  return { runs, summary, ...(Object.keys(summary).length < 2 && failed ? { failed: failed.failed } : {}) }
}

if (selected.includes("runtime")) results.runtime = await step("runtime", "runtime.ts", [], minutes(15))
if (selected.includes("ablation")) results.ablation = await step("ablation", "ablation.ts", [], minutes(10))
if (selected.includes("scale")) results.scale = await scale()
if (selected.includes("generator")) results.generator = await step("generator", "generator.ts", [], minutes(10))
if (selected.includes("generator-scale")) {
  results.generatorScale = await step("generator-scale", "generator-scale.ts", [], minutes(20))
}
if (selected.includes("cli")) results.cli = await step("cli", "cli.ts", [], minutes(15))
if (selected.includes("durable")) results.durable = await step("durable", "durable.ts", [], minutes(45))
meta.durationsS[values.merge ? "last invocation" : "total"] = round((performance.now() - started) / 1000, 1)

const rows = targetRows(results)
results.targets = rows
writeFileSync(path.join(BENCH, `${base}.json`), JSON.stringify(results, null, 2) + "\n")
writeFileSync(path.join(BENCH, `${base}.md`), renderMarkdown(results))
const loads = Object.values(meta.loadAverage).map((l) => l[0]!)
process.stdout.write(
  `\n${targetTable(rows)}\n\nload average (1 min) at the start of each section: ${
    loads.map((l) => l.toFixed(2)).join(", ")
  }; ${meta.cores} cores\n`
)
log(`wrote bench/${base}.json and bench/${base}.md in ${round((performance.now() - started) / 1000, 1)} s`)
