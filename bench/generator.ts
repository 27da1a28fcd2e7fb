/**
 * Generator speed, through its public API (`generate`, `findDocuments` from generator/index.ts)
 * and its CLI, so it measures whatever the generator's internals are at the commit named:
 *
 * - cold: a fresh process per run of `generate specs --out <tmp>`, from source under tsx and
 *   from the built CLI (dist/, when it is there); median wall time.
 * - warm: `generate` over specs/ in this process, after one pass that loads everything
 *   (median of the passes: documents/s, the target), and over /work/shared/corpus/real when it
 *   exists (documents that generate without errors count toward documents/s).
 * - profile: one more warm pass over specs/ (and the corpus) under the V8 sampling profiler:
 *   self time by package, by function, and by generator stage (bench/profile.ts `byStage`).
 *
 *   npx tsx bench/generator.ts [--quick] [--out results.json]
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { findDocuments, generate } from "../generator/index.js"
import { entry } from "./lib/entry.js"
import { log, round, spread } from "./lib/stats.js"
import { summarize } from "./profile.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const SPECS = path.join(ROOT, "specs")
const BUILT_CLI = path.join(ROOT, "dist/cli/arazzo-effect.js")
const CORPUS = "/work/shared/corpus/real"

export interface GeneratorOptions {
  readonly coldRuns: number
  readonly warmRuns: number
  readonly corpusRuns: number
  readonly corpus: boolean
}

export const defaultGeneratorOptions: GeneratorOptions = { coldRuns: 3, warmRuns: 10, corpusRuns: 2, corpus: true }
const quickGeneratorOptions: GeneratorOptions = { coldRuns: 1, warmRuns: 3, corpusRuns: 1, corpus: false }

const cold = (label: string, args: ReadonlyArray<string>, runs: number) => {
  const times: Array<number> = []
  const exitCodes: Array<number | null> = []
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(path.join(tmpdir(), "arazzo-bench-gen-"))
    try {
      const started = performance.now()
      const result = spawnSync(process.execPath, [...args, "--out", out], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 120_000
      })
      times.push(performance.now() - started)
      exitCodes.push(result.status)
      if (result.status !== 0) {
        log(`generator: cold ${label} exited ${result.status}: ${String(result.stderr).slice(0, 400)}`)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }
  const wallMs = spread(times, 0)
  log(`generator: cold ${label}: median ${wallMs.median} ms over ${runs} runs`)
  return { command: ["node", ...args, "--out", "<tmpdir>"].join(" "), wallMs, exitCodes }
}

const warm = async (files: ReadonlyArray<string>, runs: number) => {
  const outDir = path.join(tmpdir(), "arazzo-bench-warm")
  await generate(files, { outDir }) // loads the generator and its caches; not counted
  const times: Array<number> = []
  let generated = 0
  let withErrors = 0
  let errorCodes: Record<string, number> = {}
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const result = await generate(files, { outDir })
    times.push(performance.now() - started)
    generated = result.documents.length
    const errors = result.diagnostics.filter((d) => d.severity === "error")
    withErrors = new Set(errors.map((d) => d.file)).size
    // Documents per error code (a document counts once per code), the ten most common.
    const byCode = new Map<string, Set<string>>()
    for (const d of errors) byCode.set(d.code, (byCode.get(d.code) ?? new Set()).add(d.file))
    errorCodes = Object.fromEntries(
      [...byCode].map(([code, docs]) => [code, docs.size] as const).sort((a, b) => b[1] - a[1]).slice(0, 10)
    )
  }
  const ms = spread(times, 1)
  return {
    documents: files.length,
    generated,
    documentsWithErrors: withErrors,
    errorCodes,
    runs,
    passMs: ms,
    documentsPerSecond: round(generated / (ms.median / 1000), 1),
    /** Per pass, fastest and slowest: the spread of the rate. */
    documentsPerSecondRange: [round(generated / (ms.max / 1000), 1), round(generated / (ms.min / 1000), 1)],
    allDocumentsPerSecond: round(files.length / (ms.median / 1000), 1)
  }
}

/** One warm pass under the V8 sampling profiler. */
const profiled = async (files: ReadonlyArray<string>) => {
  const session = new Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
    await generate(files, { outDir: path.join(tmpdir(), "arazzo-bench-warm") })
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Parameters<typeof summarize>[0] }
    const summary = summarize(profile, 8, [])
    return {
      sampledMs: summary.totalMs,
      byPackage: summary.byPackage,
      byStage: summary.byStage,
      byFunction: summary.byFunction
    }
  } finally {
    session.disconnect()
  }
}

export const generatorBench = async (options: GeneratorOptions = defaultGeneratorOptions) => {
  const coldRuns = {
    source: cold(
      "node --import tsx generator/cli.ts",
      ["--import", "tsx", "generator/cli.ts", "generate", "specs"],
      options.coldRuns
    ),
    built: existsSync(BUILT_CLI)
      ? cold("node dist/cli/arazzo-effect.js", [path.relative(ROOT, BUILT_CLI), "generate", "specs"], options.coldRuns)
      : undefined
  }
  let started = performance.now()
  const specFiles = await findDocuments([SPECS])
  const findMs = performance.now() - started
  const specs = await warm(specFiles, options.warmRuns)
  log(`generator: warm over specs/: ${specs.passMs.median} ms per pass, ${specs.documentsPerSecond} documents/s`)
  const specProfile = await profiled(specFiles)

  let corpus: Record<string, unknown> | undefined
  if (options.corpus && existsSync(CORPUS)) {
    started = performance.now()
    const corpusFiles = await findDocuments([CORPUS])
    const corpusFindMs = performance.now() - started
    const corpusWarm = await warm(corpusFiles, options.corpusRuns)
    log(
      `generator: warm over the corpus: ${corpusWarm.generated}/${corpusWarm.documents} generated, ${corpusWarm.documentsPerSecond} documents/s`
    )
    corpus = {
      path: CORPUS,
      findDocumentsMs: Math.round(corpusFindMs),
      warm: corpusWarm,
      profile: await profiled(corpusFiles)
    }
  }
  return {
    options,
    cold: coldRuns,
    specs: { findDocumentsMs: Math.round(findMs), warm: specs, profile: specProfile },
    corpus
  }
}

entry(import.meta.url, ({ quick }) => generatorBench(quick ? quickGeneratorOptions : defaultGeneratorOptions))
