/**
 * bench/results.md from bench/results.json: one table per benchmark, the project's targets
 * next to the measured values, and what dominates where a target is missed.
 * Re-render without re-running: `npx tsx bench/lib/report.ts [results.json] [results.md]`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { isMain } from "./stats.js"

type Json = any

const TARGET_RATIO = 1.1
const TARGET_RSS_MIB = 1024
const TARGET_DOCS_PER_S = 50

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map((h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === undefined || c === null ? "–" : String(c))).join(" | ")} |`)
  ].join("\n")

const verdict = (ok: boolean) => (ok ? "**met**" : "**missed**")
const failed = (x: Json) => x === undefined || x === null || typeof x.failed === "string"
const fmt = (n: number | undefined, digits = 2) => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits))
const signed = (
  n: number | undefined,
  digits = 2
) => (n === undefined || Number.isNaN(n) ? "–" : `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(digits)}`)

const targets = (r: Json): string => {
  const rows: Array<Array<string>> = []
  const rt = r.runtime
  if (!failed(rt)) {
    for (const mode of ["sequential", "concurrent"] as const) {
      for (const kind of ["wall", "cpu"] as const) {
        const x = rt.ratios[mode][kind].generatedOverHandEffect
        rows.push([
          `runtime: generated ≤ ${TARGET_RATIO}× hand-written Effect (${kind === "wall" ? "wall time" : "CPU time"}, ${
            mode === "sequential"
              ? `${rt.options.runs} sequential`
              : `${rt.options.runs} at concurrency ${rt.options.concurrency}`
          })`,
          `${fmt(x)}×`,
          verdict(x <= TARGET_RATIO)
        ])
      }
    }
  }
  for (const s of Array.isArray(r.scale) ? r.scale : []) {
    if (failed(s) || s.options.variant !== "generated") continue
    const transport = s.options.connections === undefined
      ? "layerUndici as is"
      : `undici Agent, ${s.options.connections} connections`
    rows.push([
      `scale: ${s.runs.toLocaleString("en")} concurrent runs under 1 GiB RSS (${transport})`,
      `${Math.round(s.memory.peakRssMiB)} MiB peak RSS, ${s.succeeded}/${s.runs} succeeded`,
      verdict(s.memory.peakRssMiB < TARGET_RSS_MIB && s.succeeded === s.runs)
    ])
  }
  const g = r.generator
  if (!failed(g)) {
    rows.push([
      `generator: ≥ ${TARGET_DOCS_PER_S} documents/s warm (specs/, ${g.specs.warm.documents} documents)`,
      `${fmt(g.specs.warm.documentsPerSecond, 1)} documents/s`,
      verdict(g.specs.warm.documentsPerSecond >= TARGET_DOCS_PER_S)
    ])
    if (g.corpus !== undefined) {
      const c = g.corpus.warm
      rows.push([
        `generator: ≥ ${TARGET_DOCS_PER_S} documents/s warm (corpus/real, only error-free documents count)`,
        `${fmt(c.documentsPerSecond, 1)} documents/s (${c.generated} of ${c.documents} generate; ${
          fmt(c.allDocumentsPerSecond, 1)
        } documents/s processed)`,
        verdict(c.documentsPerSecond >= TARGET_DOCS_PER_S)
      ])
    }
  }
  return table(["target (from the project issue)", "measured", "verdict"], rows)
}

const runtimeSection = (rt: Json): string => {
  if (failed(rt)) return `## Runtime overhead\n\nDid not run: ${rt?.failed ?? "not selected"}\n`
  const o = rt.options
  const rows: Array<Array<unknown>> = []
  for (const mode of ["sequential", "concurrent"] as const) {
    for (const v of ["generated", "handEffect", "fetch"] as const) {
      const m = rt.medians[mode][v]
      rows.push([
        mode === "sequential" ? `${o.runs} sequential` : `${o.runs}, concurrency ${o.concurrency}`,
        v,
        fmt(m.wallMsPerRun, 3),
        fmt(m.cpuMsPerRun, 3),
        fmt(m.serverCpuMsPerRun, 3),
        fmt(m.runsPerSecond, 0)
      ])
    }
  }
  const ratioRows = (["sequential", "concurrent"] as const).map((mode) => [
    mode,
    `${fmt(rt.ratios[mode].wall.generatedOverHandEffect)}×`,
    `${fmt(rt.ratios[mode].cpu.generatedOverHandEffect)}×`,
    `${fmt(rt.ratios[mode].wall.generatedOverFetch)}×`,
    `${fmt(rt.ratios[mode].cpu.generatedOverFetch)}×`
  ])
  const perRun = Object.entries(rt.verification.requestsPerRun).map(([op, n]) => `${op} ×${n}`).join(", ")
  return `## Runtime overhead: img2img (upload → submit → poll → read)

Each run sends ${perRun} (mock: \`pollsUntilDone: ${o.pollsUntilDone}\`, ${o.imageBytes}-byte image, no wait between polls).
Verified before measuring: all three variants sent the same requests per operation, the same
methods and media types, the same total body bytes per operation, the same uploaded blob (bytes,
type, name, moderate flag) and the same submitted workflow JSON. The mock runs in a child
process: "CPU" is this process only (user + system), "mock CPU" is the mock's. Median of
${o.repeats} repetitions after ${o.warmupRuns} sequential + ${o.warmupRuns} concurrent warm-up runs per variant.

${table(["mode", "variant", "wall ms/run", "CPU ms/run", "mock CPU ms/run", "runs/s"], rows)}

${
    table([
      "mode",
      "wall generated/handEffect",
      "CPU generated/handEffect",
      "wall generated/fetch",
      "CPU generated/fetch"
    ], ratioRows)
  }
`
}

const ablationSection = (a: Json): string => {
  if (failed(a)) return `## Where the generated version's time goes\n\nDid not run: ${a?.failed ?? "not selected"}\n`
  const rows = a.rows.map((
    r: Json
  ) => [
    r.variant,
    fmt(r.cpuMsPerRun, 3),
    fmt(r.wallMsPerRun, 3),
    `${fmt(r.cpuOverHandEffect)}×`,
    fmt(r.extraCpuMsPerRun, 3)
  ])
  const byName: Record<string, Json> = Object.fromEntries(a.rows.map((r: Json) => [r.variant, r]))
  const extra = (name: string) => byName[name]?.extraCpuMsPerRun as number | undefined
  const pieces = ([["spans", "hand + spans"], ["timeouts", "hand + timeouts"], [
    "the runtime's body read (runtime/body.ts readBody + decodeBody)",
    "hand + runtime readBody"
  ]] as const)
    .map(([label, name]) => ({ label, extra: extra(name) }))
    .filter((p): p is { label: typeof p.label; extra: number } => p.extra !== undefined)
    .sort((x, y) => y.extra - x.extra)
  const gen = byName["generated"]
  const all = byName["hand + spans + timeouts + send"]
  const sendOverStream = (extra("hand + runtime send (retry, readBody)") ?? Number.NaN) -
    (extra("hand + runtime readBody") ?? Number.NaN)
  return `## Where the generated version's time goes (ablation)

The hand-written Effect flow with the runtime's per-step machinery added back one piece at a
time (bench/lib/hand-plus.ts), sequential, ${a.options.runs} runs × ${a.options.repeats}, ${a.requestsPerRun} requests per run.

${table(["variant", "CPU ms/run", "wall ms/run", "CPU vs handEffect", "extra CPU ms/run"], rows)}

${
    pieces.length === 0 || gen === undefined
      ? ""
      : `Extra CPU per run by piece: ${
        pieces.map((p) =>
          `${p.label} ${signed(p.extra, 2)} ms (${signed(p.extra / a.requestsPerRun, 3)} ms per request)`
        ).join(", ")
      }; the retry wrapper of \`send\` on top of that body read ${
        signed(sendOverStream, 2)
      } ms. With spans, timeouts and \`send\` together the hand-written flow costs ${
        all === undefined ? "–" : fmt(all.cpuMsPerRun, 2)
      } ms per run against ${
        fmt(gen.cpuMsPerRun, 2)
      } ms for the generated one; what is left is the generated run's own bookkeeping (input decoding, request building and parameter serialization, secret checks, criteria and output decoding, result assembly). The pieces overlap (each adds fibers and allocation), so they do not add up exactly.`
  }
`
}

const scaleSection = (list: Json): string => {
  if (!Array.isArray(list)) return `## Scale\n\nDid not run.\n`
  const rows = list.map((s: Json) =>
    failed(s) ? ["failed", s?.failed] : [
      `${s.options.variant}, ${
        s.options.connections === undefined
          ? "layerUndici (no connection limit)"
          : `${s.options.connections} connections`
      }`,
      `${s.succeeded}/${s.runs}${s.outcome === "finished" ? "" : ` (${s.outcome})`}`,
      fmt(s.wallMs / 1000, 1),
      fmt(s.runsPerSecond, 0),
      Math.round(s.memory.peakRssMiB),
      fmt(s.memory.perRunKiB, 0),
      Math.round(s.memory.peakHeapUsedMiB),
      s.memory.liveHeap === undefined
        ? "–"
        : `${Math.round(s.memory.liveHeap.heapUsedMiB)} (${s.memory.liveHeap.inFlight} in flight)`,
      `${fmt(s.eventLoopDelayMs.p50, 0)} / ${fmt(s.eventLoopDelayMs.p99, 0)} / ${fmt(s.eventLoopDelayMs.max, 0)}`,
      `${fmt(s.latencyMs.p50 / 1000, 1)} / ${fmt(s.latencyMs.p99 / 1000, 1)}`,
      s.mock?.rssMiB === undefined ? "–" : Math.round(s.mock.rssMiB)
    ]
  )
  const first = list.find((s: Json) => !failed(s))
  return `## Scale: ${first?.runs?.toLocaleString("en") ?? "10,000"} concurrent img2img runs

All runs started at once (\`Effect.forEach\`, unbounded concurrency), polls spaced ${
    first?.options?.pollSpacingMs ?? 200
  } ms, mock
\`pollsUntilDone: ${first?.options?.pollsUntilDone ?? 3}\` in a child process. RSS sampled every 50 ms; "per run" is
(peak RSS − RSS before the batch) / runs. Live heap: heap left after one forced full GC mid-batch (only where
measured; that GC pause shows in the event-loop max). Time limit ${
    Math.round((first?.options?.timeLimitMs ?? 180000) / 1000)
  } s.

${
    list.filter((s: Json) => !failed(s) && s.failureSamples?.length > 0).map((s: Json) =>
      `Failures (${s.options.variant}, ${
        s.options.connections === undefined ? "no connection limit" : `${s.options.connections} connections`
      }): ${JSON.stringify(s.failures)}; e.g. ${s.failureSamples.map((x: string) => `\`${x}\``).join("; ")}\n`
    ).join("\n")
  }
${
    table([
      "configuration",
      "succeeded",
      "wall s",
      "runs/s",
      "peak RSS MiB",
      "KiB/run",
      "peak heap MiB",
      "live heap MiB",
      "event-loop delay p50/p99/max ms",
      "run latency p50/p99 s",
      "mock RSS MiB"
    ], rows)
  }
`
}

const generatorSection = (g: Json): string => {
  if (failed(g)) return `## Generator\n\nDid not run: ${g?.failed ?? "not selected"}\n`
  const cold = table(["cold (fresh process)", "median ms", "runs ms"], [
    [`\`${g.cold.npx.command}\``, g.cold.npx.medianMs, g.cold.npx.runsMs.join(", ")],
    [`\`${g.cold.node.command.replace(/^\S*node /, "node ")}\``, g.cold.node.medianMs, g.cold.node.runsMs.join(", ")]
  ])
  const warmRows = [[
    `specs/`,
    g.specs.warm.documents,
    g.specs.warm.generated,
    g.specs.warm.runs,
    fmt(g.specs.warm.medianMs, 1),
    fmt(g.specs.warm.documentsPerSecond, 1),
    fmt(g.specs.warm.allDocumentsPerSecond, 1)
  ]]
  if (g.corpus !== undefined) {
    const c = g.corpus.warm
    warmRows.push([
      `corpus/real`,
      c.documents,
      c.generated,
      c.runs,
      fmt(c.medianMs, 1),
      fmt(c.documentsPerSecond, 1),
      fmt(c.allDocumentsPerSecond, 1)
    ])
  }
  const stageRows: Array<Array<unknown>> = []
  const addStages = (label: string, s: Json) => {
    for (
      const [pass, p] of [["first pass (cold caches, cold JIT)", s.firstPass], [
        "warm passes (median)",
        s.warmPasses
      ]] as const
    ) {
      const st = (p as Json).stages
      const cell = (k: string) => `${fmt(st[k].ms, 0)} ms (${Math.round(st[k].share * 100)}%)`
      stageRows.push([
        `${label}, ${pass}`,
        cell("loadAndDeref"),
        cell("validateStructure"),
        cell("lower"),
        cell("emit"),
        fmt((p as Json).totalMs, 0)
      ])
    }
  }
  addStages(`specs/ (${g.specs.stages.documents})`, g.specs.stages)
  if (g.corpus !== undefined) addStages(`corpus (${g.corpus.stages.documents})`, g.corpus.stages)
  const codes = g.corpus?.warm?.errorCodes
  const profileLine = (label: string, p: Json) =>
    p === undefined
      ? ""
      : `- ${label} (${p.sampledMs} ms sampled), self time by package: ${
        p.byPackage.slice(0, 5).map((x: Json) => `${x.name} ${x.percent}%`).join(", ")
      }\n`
  return `## Generator

${cold}

Warm: \`generate\` in one process, median of the runs; documents/s counts only documents that generate without errors (the time spent on the others still counts). \`findDocuments\` is not included: ${g.specs.findDocumentsMs} ms for specs/${
    g.corpus === undefined ? "" : `, ${g.corpus.findDocumentsMs} ms for the corpus`
  }.

${table(["input", "documents", "generated", "runs", "median ms", "generated documents/s", "all documents/s"], warmRows)}

Stages, timed per document by calling loadDocument, validateStructure, lowerDocument and emitModule directly (the loader caches each dereferenced OpenAPI file for the life of the process, so warm passes skip that):

${table(["input, pass", "load + deref", "structure validation", "lowering", "emit + format", "total ms"], stageRows)}

What dominates the stages (V8 sampling profiler, one warm pass each):

${profileLine("emit over specs/", g.specs.emitProfile)}${profileLine("load over the corpus", g.corpus?.loadProfile)}${
    codes === undefined
      ? ""
      : `\nCorpus documents with errors, by diagnostic code (a document counts once per code): ${
        Object.entries(codes).map(([k, v]) => `\`${k}\` ${v}`).join(", ")
      }.\n`
  }`
}

const respectSection = (x: Json): string => {
  if (x === undefined) return ""
  if (failed(x)) return `## Redocly Respect\n\nDid not run: ${x.failed}\n`
  if (x.available !== true) return `## Redocly Respect\n\nNot measured: ${x.reason}\n`
  return `## Redocly Respect (optional, @redocly/cli ${x.respectVersion}, outside the project)

Mock \`pollsUntilDone: 0\` (Respect does not loop on this document's jsonpath goto criteria, see docs/benchmarks.md), so both send ${
    Object.entries(x.requestsPerRun).map(([op, n]) => `${op} ×${n}`).join(", ")
  }. Median of ${x.processRuns} runs, one process per run.

${
    table(["runner", "process wall ms/run", "workflow ms (in process)"], [
      [
        "Respect CLI (`redocly respect … --server civitaiOrchestrationApi=<mock>`)",
        x.respect.processWallMs,
        `${x.respect.workflowMs} (its own totalTimeMs)`
      ],
      [
        "generated, fresh `node --import tsx` process per run",
        x.generated.processWallMs,
        `${x.generated.firstRunMs} (first run in the process)`
      ],
      ["generated, warm (in-process, sequential)", "–", x.generated.warmRunMs]
    ])
  }

Respect/generated: ${x.ratios.processWall}× per process, ${x.ratios.respectWorkflowOverGeneratedFirstRun}× for the workflow itself (Respect also checks every response against the OpenAPI schema).
`
}

export const renderMarkdown = (r: Json): string => {
  const m = r.meta
  const loads = Object.entries(m.loadAverage ?? {}).map(([k, v]) => `${k}: ${(v as Array<number>).join(" ")}`).join(
    "; "
  )
  return `# Benchmark results${m.quick ? " (quick mode: a smoke test, not a measurement)" : ""}

- Date: ${m.date}${
    m.ranAt === undefined
      ? ""
      : ` (sections: ${
        Object.entries(m.ranAt).map(([k, v]) => `${k} ${String(v).slice(0, 16).replace("T", " ")}`).join("; ")
      })`
  }
- Node ${m.node}, ${m.platform}
- CPU: ${m.cpu} × ${m.cores} cores, ${m.memoryGiB} GiB memory
- Commit: ${m.commit}${
    m.commits !== undefined && new Set(Object.values(m.commits)).size > 1
      ? ` (by section: ${Object.entries(m.commits).map(([k, v]) => `${k} ${v}`).join("; ")})`
      : ""
  }
- Load average (1/5/15 min) when each benchmark started: ${loads}
- Duration: ${Object.entries(m.durationsS ?? {}).map(([k, v]) => `${k} ${v} s`).join(", ")}

Produced by \`npx tsx bench/index.ts\`; see docs/benchmarks.md for what each number means. The
machine is shared with other work: compare numbers from the same run, expect ±20% between runs.

## Targets

${targets(r)}

${runtimeSection(r.runtime)}
${ablationSection(r.ablation)}
${scaleSection(r.scale)}
${generatorSection(r.generator)}
${respectSection(r.respect)}`
}

if (isMain(import.meta.url)) {
  const [input = fileURLToPath(new URL("../results.json", import.meta.url)), output = input.replace(/\.json$/, ".md")] =
    process.argv.slice(2)
  writeFileSync(output, renderMarkdown(JSON.parse(readFileSync(input, "utf8"))))
  console.log(`wrote ${output}`)
}
