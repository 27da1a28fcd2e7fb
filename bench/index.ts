/**
 * Runs the benchmarks, each in a fresh child process (`node --expose-gc --import tsx`), one
 * after another, and writes bench/results.json and bench/results.md.
 *
 *   npx tsx bench/index.ts [--only runtime,ablation,scale,generator,respect] [--merge] [--quick]
 *
 * --merge keeps the other sections of the existing results file and replaces only the selected
 * ones (meta.ranAt says when each section ran).
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
import { log, round } from "./lib/stats.js"

const BENCH = fileURLToPath(new URL(".", import.meta.url))
const ROOT = path.resolve(BENCH, "..")
const ALL = ["runtime", "ablation", "scale", "generator", "respect"] as const
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

/** Runs one benchmark entry in a fresh process and reads the JSON it writes. */
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
    ], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"]
    })
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
  loadAverage: {} as Record<string, Array<number>>,
  durationsS: {} as Record<string, number>
}

const base = quick ? "results.quick" : "results"
const previous = values.merge
  ? JSON.parse(readFileSync(path.join(BENCH, `${base}.json`), "utf8")) as Record<string, any>
  : undefined
const results: Record<string, unknown> = { ...previous, meta }
if (previous !== undefined) {
  meta.loadAverage = { ...previous.meta?.loadAverage }
  meta.durationsS = { ...previous.meta?.durationsS }
}
const ranAt: Record<string, string> = previous?.meta?.ranAt ??
  Object.fromEntries(Object.keys(previous?.meta?.loadAverage ?? {}).map((key) => [key, previous?.meta?.date as string]))
const commits: Record<string, string> = previous?.meta?.commits ??
  Object.fromEntries(
    Object.keys(previous?.meta?.loadAverage ?? {}).map((key) => [key, previous?.meta?.commit as string])
  )
Object.assign(meta, { ranAt, commits })
const started = performance.now()
const step = async (key: string, file: string, args: ReadonlyArray<string>, limitMs: number) => {
  meta.loadAverage[key] = os.loadavg().map((x) => round(x, 2))
  ranAt[key] = new Date().toISOString()
  commits[key] = meta.commit
  log(`=== ${key} (load average ${meta.loadAverage[key]!.join(" ")})`)
  const t = performance.now()
  try {
    const value = await runChild(file, args, limitMs)
    meta.durationsS[key] = round((performance.now() - t) / 1000, 1)
    return value
  } catch (error) {
    meta.durationsS[key] = round((performance.now() - t) / 1000, 1)
    log(`${key} failed: ${String(error)}`)
    return { failed: String(error) }
  }
}

if (selected.includes("runtime")) results.runtime = await step("runtime", "runtime.ts", [], 10 * 60_000)
if (selected.includes("ablation")) results.ablation = await step("ablation", "ablation.ts", [], 10 * 60_000)
if (selected.includes("scale")) {
  results.scale = [
    await step("scale generated (layerUndici)", "scale.ts", [], 6 * 60_000),
    await step("scale generated (64 connections)", "scale.ts", [
      "--connections",
      "64",
      ...(quick ? [] : ["--live-heap-at", "60000"])
    ], 6 * 60_000),
    await step(
      "scale handEffect (64 connections)",
      "scale.ts",
      ["--variant", "handEffect", "--connections", "64"],
      6 * 60_000
    )
  ]
}
if (selected.includes("generator")) results.generator = await step("generator", "generator.ts", [], 10 * 60_000)
if (selected.includes("respect")) results.respect = await step("respect", "respect.ts", [], 10 * 60_000)
meta.durationsS[values.merge ? "last invocation" : "total"] = round((performance.now() - started) / 1000, 1)

writeFileSync(path.join(BENCH, `${base}.json`), JSON.stringify(results, null, 2) + "\n")
const { renderMarkdown } = await import("./lib/report.js")
writeFileSync(path.join(BENCH, `${base}.md`), renderMarkdown(results))
log(`wrote bench/${base}.json and bench/${base}.md in ${round((performance.now() - started) / 1000, 1)} s`)
