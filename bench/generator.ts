/**
 * Generator speed.
 *
 * - cold: a fresh process running the CLI, `npx tsx generator/cli.ts generate specs --out <tmp>`
 *   (5 runs, median wall time; npx, tsx's on-the-fly TypeScript and ts-morph's import included),
 *   and the same without npx (`node --import tsx generator/cli.ts ...`).
 * - stages: loadDocument (YAML + OpenAPI load and dereference), validateStructure, lowerDocument,
 *   emitModule (ts-morph print + format), timed per document by calling the stage functions
 *   directly. The first pass in this process has empty caches (the loader caches each
 *   dereferenced OpenAPI file for the life of the process) and cold JIT; later passes are warm.
 * - warm: `generate` in this process over specs/ 10 times (median), and over
 *   /work/shared/corpus/real when present (3 times; documents that generate without errors
 *   count toward documents/s, the time spent on the others is still counted).
 *
 * - profiles: self time by package of one warm emit pass over specs/ and one warm load pass over
 *   the corpus (V8 sampling profiler), to say what dominates those stages.
 *
 * Run it in a fresh process (bench/index.ts does): the first passes are meant to be cold.
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
import { hasErrors } from "../generator/diagnostics.js"
import { emitModule } from "../generator/emit/module.js"
import { findDocuments, generate } from "../generator/index.js"
import { loadDocument } from "../generator/load/document.js"
import { lowerDocument } from "../generator/lower/document.js"
import { validateStructure } from "../generator/validate/structure.js"
import { benchArgs, emit, isMain, log, median, round } from "./lib/stats.js"
import { summarize } from "./profile.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const SPECS = path.join(ROOT, "specs")
const CORPUS = "/work/shared/corpus/real"

export interface GeneratorOptions {
  readonly coldRuns: number
  readonly warmRuns: number
  readonly corpusRuns: number
  readonly stagePasses: number
  readonly corpus: boolean
}

export const defaultGeneratorOptions: GeneratorOptions = {
  coldRuns: 5,
  warmRuns: 10,
  corpusRuns: 3,
  stagePasses: 3,
  corpus: true
}

const STAGES = ["loadAndDeref", "validateStructure", "lower", "emit"] as const
type Stage = (typeof STAGES)[number]

const cold = (label: string, command: string, args: ReadonlyArray<string>, runs: number) => {
  const times: Array<number> = []
  const exitCodes: Array<number | null> = []
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(path.join(tmpdir(), "arazzo-bench-gen-"))
    try {
      const started = performance.now()
      const result = spawnSync(command, [...args, "--out", out], {
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
  log(`generator: cold ${label}: median ${Math.round(median(times))} ms over ${runs} runs`)
  return {
    command: [command, ...args, "--out", "<tmpdir>"].join(" "),
    medianMs: Math.round(median(times)),
    runsMs: times.map(Math.round),
    exitCodes
  }
}

/** One pass over the documents, stage by stage, as `analyzeDocument` + `generate` chain them. */
const stagePass = async (files: ReadonlyArray<string>) => {
  const totals: Record<Stage, number> = { loadAndDeref: 0, validateStructure: 0, lower: 0, emit: 0 }
  let emitted = 0
  for (const file of files) {
    let t = performance.now()
    const lap = (stage: Stage) => {
      const now = performance.now()
      totals[stage] += now - t
      t = now
    }
    const loaded = await loadDocument(file, {})
    lap("loadAndDeref")
    if (loaded.document === undefined) continue
    const structure = validateStructure(loaded.document.source)
    lap("validateStructure")
    if (hasErrors(structure)) continue
    const diagnostics = [...loaded.diagnostics, ...structure]
    const ir = lowerDocument(loaded.document, diagnostics)
    lap("lower")
    if (ir === undefined || hasErrors(diagnostics)) continue
    emitModule(ir, path.relative(ROOT, file))
    lap("emit")
    emitted++
  }
  const total = STAGES.reduce((sum, s) => sum + totals[s], 0)
  return {
    totalMs: round(total, 1),
    emitted,
    stages: Object.fromEntries(
      STAGES.map((s) => [s, { ms: round(totals[s], 1), share: round(totals[s] / total, 3) }])
    ) as Record<Stage, { ms: number; share: number }>
  }
}

const stages = async (files: ReadonlyArray<string>, passes: number) => {
  const first = await stagePass(files)
  const later: Array<Awaited<ReturnType<typeof stagePass>>> = []
  for (let i = 1; i < passes; i++) later.push(await stagePass(files))
  const warm = later.length === 0 ? first : {
    totalMs: round(median(later.map((p) => p.totalMs)), 1),
    emitted: first.emitted,
    stages: Object.fromEntries(STAGES.map((s) => {
      const ms = median(later.map((p) => p.stages[s].ms))
      const total = median(later.map((p) => p.totalMs))
      return [s, { ms: round(ms, 1), share: round(ms / total, 3) }]
    })) as Record<Stage, { ms: number; share: number }>
  }
  return { documents: files.length, firstPass: first, warmPasses: warm }
}

/** Self time by package while `task` runs, from the V8 sampling profiler (top entries). */
const profiled = async (task: () => Promise<unknown>) => {
  const session = new Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
    await task()
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Parameters<typeof summarize>[0] }
    const summary = summarize(profile, 8, [])
    return { sampledMs: summary.totalMs, byPackage: summary.byPackage, byFunction: summary.byFunction }
  } finally {
    session.disconnect()
  }
}

/** One warm pass of a single stage over the documents, under the profiler. */
const profileStage = async (files: ReadonlyArray<string>, stage: "load" | "emit") => {
  const loaded = []
  for (const file of files) loaded.push(await loadDocument(file, {}))
  if (stage === "load") {
    return profiled(async () => {
      for (const file of files) await loadDocument(file, {})
    })
  }
  const irs = loaded.flatMap((l, i) => {
    if (l.document === undefined) return []
    const diagnostics = [...l.diagnostics, ...validateStructure(l.document.source)]
    if (hasErrors(diagnostics)) return []
    const ir = lowerDocument(l.document, diagnostics)
    return ir === undefined || hasErrors(diagnostics) ? [] : [{ ir, file: files[i]! }]
  })
  return profiled(async () => {
    for (const { ir, file } of irs) emitModule(ir, path.relative(ROOT, file))
  })
}

const warmGenerate = async (files: ReadonlyArray<string>, runs: number) => {
  const out = path.join(tmpdir(), "arazzo-bench-warm")
  const times: Array<number> = []
  let generated = 0
  let withErrors = 0
  let errorCodes: Record<string, number> = {}
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const result = await generate(files, { outDir: out })
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
  const ms = median(times)
  return {
    documents: files.length,
    generated,
    documentsWithErrors: withErrors,
    errorCodes,
    runs,
    medianMs: round(ms, 1),
    runsMs: times.map((x) => round(x, 1)),
    documentsPerSecond: round(generated / (ms / 1000), 1),
    allDocumentsPerSecond: round(files.length / (ms / 1000), 1)
  }
}

export const generatorBench = async (options: GeneratorOptions = defaultGeneratorOptions) => {
  const npx = cold("npx tsx", "npx", ["tsx", "generator/cli.ts", "generate", "specs"], options.coldRuns)
  const node = cold(
    "node --import tsx",
    process.execPath,
    ["--import", "tsx", "generator/cli.ts", "generate", "specs"],
    options.coldRuns
  )

  let started = performance.now()
  const specFiles = await findDocuments([SPECS])
  const findMs = performance.now() - started
  log(`generator: ${specFiles.length} documents under specs/ (found in ${Math.round(findMs)} ms)`)
  // Stage timing first, while the loader's caches are empty and nothing is compiled yet.
  const specStages = await stages(specFiles, options.stagePasses)
  log(
    `generator: stages over specs/: first pass ${specStages.firstPass.totalMs} ms, warm ${specStages.warmPasses.totalMs} ms`
  )
  const specWarm = await warmGenerate(specFiles, options.warmRuns)
  log(`generator: warm generate over specs/: ${specWarm.medianMs} ms, ${specWarm.documentsPerSecond} documents/s`)
  const specEmitProfile = await profileStage(specFiles, "emit")

  let corpus: Record<string, unknown> | undefined
  if (options.corpus && existsSync(CORPUS)) {
    started = performance.now()
    const corpusFiles = await findDocuments([CORPUS])
    const corpusFindMs = performance.now() - started
    log(`generator: ${corpusFiles.length} documents under ${CORPUS} (found in ${Math.round(corpusFindMs)} ms)`)
    const corpusStages = await stages(corpusFiles, 2)
    log(
      `generator: stages over the corpus: first pass ${corpusStages.firstPass.totalMs} ms, warm ${corpusStages.warmPasses.totalMs} ms`
    )
    const corpusLoadProfile = await profileStage(corpusFiles, "load")
    const corpusWarm = await warmGenerate(corpusFiles, options.corpusRuns)
    log(
      `generator: warm generate over the corpus: ${corpusWarm.generated}/${corpusWarm.documents} generated, ${corpusWarm.medianMs} ms, ${corpusWarm.documentsPerSecond} documents/s`
    )
    corpus = {
      path: CORPUS,
      findDocumentsMs: Math.round(corpusFindMs),
      stages: corpusStages,
      warm: corpusWarm,
      loadProfile: corpusLoadProfile
    }
  }
  return {
    options,
    cold: { npx, node },
    specs: { findDocumentsMs: Math.round(findMs), stages: specStages, warm: specWarm, emitProfile: specEmitProfile },
    corpus
  }
}

if (isMain(import.meta.url)) {
  const args = benchArgs()
  const options = args.quick
    ? { coldRuns: 1, warmRuns: 2, corpusRuns: 1, stagePasses: 2, corpus: false }
    : defaultGeneratorOptions
  generatorBench(options).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
