/**
 * bench/results.md from bench/results.json: the targets table first (bench/lib/targets.ts),
 * then one section per benchmark with medians and spread.
 * Re-render without re-running: `npx tsx bench/lib/report.ts [results.json] [results.md]`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { isMain, type Spread } from "./stats.js"
import { targetRows, targetTable } from "./targets.js"

type Json = any

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === undefined || c === null ? "–" : String(c))).join(" | ")} |`)
  ].join("\n")

const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || n === null || Number.isNaN(n) ? "–" : n.toFixed(digits)
/** "median [p25–p75]" */
const sp = (s: Spread | undefined, digits = 3, unit = "") =>
  s === undefined ? "–" : `${fmt(s.median, digits)}${unit} [${fmt(s.p25, digits)}–${fmt(s.p75, digits)}]`
const notRun = (title: string, x: Json) =>
  x === undefined
    ? ""
    : typeof x.failed === "string"
    ? `## ${title}\n\nFailed: ${x.failed}\n`
    : x.available === false
    ? `## ${title}\n\nNot measured: ${x.reason}\n`
    : undefined

const runtimeSection = (rt: Json): string => {
  const skip = notRun("Runtime: img2img against the Civitai mock", rt)
  if (skip !== undefined) return skip
  const rows: Array<Array<unknown>> = []
  const ratioRows: Array<Array<unknown>> = []
  for (const mode of ["sequential", "concurrent"] as const) {
    const m = rt[mode]
    const label = mode === "sequential"
      ? `sequential, ${m.rounds} rounds × ${m.runsPerBlock} runs`
      : `concurrency ${m.concurrency}, ${m.rounds} rounds × ${m.runsPerBlock} runs`
    for (const [name, v] of Object.entries<Json>(m.variants)) {
      rows.push([
        label,
        name,
        sp(v.cpuMsPerRun),
        sp(v.wallMsPerRun),
        fmt(v.gcMsPerRun.median, 3),
        fmt(v.otherCpuMsPerRun?.median, 3)
      ])
    }
    for (const [pair, r] of Object.entries<Json>(m.ratios)) {
      ratioRows.push([mode, pair, sp(r.cpu, 2, "×"), `${fmt(r.cpu.min)}–${fmt(r.cpu.max)}×`, sp(r.wall, 2, "×")])
    }
  }
  const perRun = Object.entries(rt.verification.requestsPerRun).map(([op, n]) => `${op} ×${n}`).join(", ")
  return `## Runtime: img2img against the Civitai mock

Each run sends ${perRun} (mock \`pollsUntilDone: ${rt.options.pollsUntilDone}\`, ${rt.options.imageBytes}-byte image, no wait
between polls); verified first, per variant against a mock of its own: the same requests per operation, methods, media
types, bodies (multipart: the same parts), statuses. Then the variants take turns in blocks, the order rotated each
round; each block starts after a full GC. Per run: this process's CPU (user + system), wall, GC pauses inside the block,
the mock's CPU. Median [p25–p75] over the rounds.

${table(["mode", "variant", "CPU ms/run", "wall ms/run", "GC ms/run", "mock CPU ms/run"], rows)}

Ratios within each round (paired), over the rounds:

${table(["mode", "ratio", "CPU", "CPU min–max", "wall"], ratioRows)}
`
}

const ablationSection = (a: Json): string => {
  const skip = notRun("Ablation: the generated workflow with its optional machinery switched off", a)
  if (skip !== undefined) return skip
  return `## Ablation: the generated workflow with its optional machinery switched off

Public knobs only: \`Effect.withTracerEnabled(…, false)\` (no spans recorded) and
\`Arazzo.Policies.layer({ stepTimeout: Duration.infinity, workflowTimeout: Duration.infinity })\`. Sequential,
${a.options.rounds} rounds × ${a.options.runsPerBlock} runs, interleaved; ratios paired within each round.

${
    table(
      ["variant", "CPU ms/run", "wall ms/run", "GC ms/run", "CPU / handEffect", "CPU / generated"],
      a.rows.map((r: Json) => [
        r.variant,
        sp(r.cpuMsPerRun),
        sp(r.wallMsPerRun),
        fmt(r.gcMsPerRun.median, 3),
        sp(r.cpuOverHandEffect, 2, "×"),
        sp(r.cpuOverGenerated, 2, "×")
      ])
    )
  }
`
}

const scaleSection = (s: Json): string => {
  if (s === undefined) return ""
  const runs = (s.runs ?? []) as Array<Json>
  const rows = runs.map((r, i) =>
    typeof r.failed === "string" ? [`process ${i + 1}`, `failed: ${r.failed}`] : [
      `${i + 1}: ${r.options.variant}`,
      `${r.succeeded}/${r.runs}${r.outcome === "finished" ? "" : ` (${r.outcome})`}`,
      fmt(r.wallMs / 1000, 1),
      Math.round(r.memory.peakRssMiB),
      `${r.memory.suspended.parked} after ${fmt(r.memory.suspended.afterMs / 1000, 1)} s`,
      fmt(r.memory.suspended.liveHeapKiBPerRun, 1),
      fmt(r.memory.suspended.liveExternalKiBPerRun, 1),
      `${fmt(r.eventLoopDelayMs.p50, 0)} / ${fmt(r.eventLoopDelayMs.p99, 0)} / ${fmt(r.eventLoopDelayMs.max, 0)}`,
      r.mock?.rssMiB === undefined ? "–" : Math.round(r.mock.rssMiB)
    ]
  )
  const first = runs.find((r) => r.failed === undefined)
  const failures = runs.filter((r) => r.failureSamples?.length > 0).map((r) =>
    `- ${r.options.variant}: ${JSON.stringify(r.failures)}; e.g. ${
      r.failureSamples.map((x: string) => `\`${x}\``).join("; ")
    }`
  )
  return `## ${first?.runs?.toLocaleString("en") ?? "10,000"} concurrent runs

Generated and hand-written in alternating fresh processes. All runs start at once (\`Effect.forEach\`, unbounded),
${first?.options?.connections ?? 64} connections (undici Agent), polls every ${
    first?.options?.pollSpacingMs ?? 200
  } ms. A gate in the
\`HttpClient\` holds every run before its first poll; when all wait there, a full GC, and the heap above the baseline
divided by the runs is the live heap per run in flight ("external": Buffers outside the heap). Then the gate opens and the
runs finish. Peak RSS: the process's maximum resident set.

${
    table([
      "process",
      "succeeded",
      "wall s",
      "peak RSS MiB",
      "parked",
      "live heap KiB/run",
      "live external KiB/run",
      "event-loop delay p50/p99/max ms",
      "mock RSS MiB"
    ], rows)
  }
${failures.length > 0 ? `\nFailures:\n${failures.join("\n")}\n` : ""}`
}

const profileLine = (label: string, p: Json) =>
  p === undefined ?
    "" :
    `- ${label} (${p.sampledMs} ms sampled): by stage ${
      p.byStage.slice(0, 6).map((x: Json) => `${x.name} ${x.percent}%`).join(", ")
    }; by package ${p.byPackage.slice(0, 6).map((x: Json) => `${x.name} ${x.percent}%`).join(", ")}\n`

const generatorSection = (g: Json): string => {
  const skip = notRun("Generator", g)
  if (skip !== undefined) return skip
  const coldRows = [g.cold.source, g.cold.built].filter((c) => c !== undefined).map((c: Json) => [
    `\`${c.command}\``,
    sp(c.wallMs, 0),
    c.exitCodes.join(", ")
  ])
  const warmRows = [["specs/", g.specs.warm], ...(g.corpus === undefined ? [] : [["corpus/real", g.corpus.warm]])].map((
    [label, w]: Json
  ) => [
    label,
    w.documents,
    w.generated,
    w.runs,
    sp(w.passMs, 1),
    fmt(w.documentsPerSecond, 1),
    fmt(w.allDocumentsPerSecond, 1)
  ])
  const codes = g.corpus?.warm?.errorCodes
  return `## Generator

Cold, a fresh process per run:

${table(["command", "wall ms", "exit codes"], coldRows)}

Warm: \`generate\` in one process after a first pass; documents/s counts documents that generate without errors.

${table(["input", "documents", "generated", "passes", "ms per pass", "documents/s", "all documents/s"], warmRows)}

Where a warm pass goes (V8 sampling profiler; a stage is the outermost \`generator/<dir>/\` frame on the stack, with what it calls):

${profileLine("specs/", g.specs.profile)}${profileLine("corpus", g.corpus?.profile)}${
    codes === undefined
      ? ""
      : `\nCorpus documents with errors, by code: ${
        Object.entries(codes).map(([k, v]) => `\`${k}\` ${v}`).join(", ")
      }.\n`
  }`
}

const generatorScaleSection = (s: Json): string => {
  const skip = notRun("Generator scaling", s)
  if (skip !== undefined) return skip
  return `## Generator scaling (synthetic inputs)

Written by bench/lib/synthetic.ts into a temporary directory; each generated in a fresh process after a small warm-up
document. ${s.options.rounds} rounds, inputs in rotating order. Peak RSS above the RSS before \`generate\`; heap held: after a full
GC once it returned.

${
    table(
      [
        "input",
        "workflows",
        "operations",
        "description KiB",
        "CPU ms",
        "wall ms",
        "peak RSS +MiB",
        "heap held MiB",
        "output KiB"
      ],
      s.points.map((p: Json) => [
        p.name,
        p.workflows,
        p.operations.toLocaleString("en"),
        p.descriptionKiB,
        sp(p.cpuMs, 0),
        sp(p.wallMs, 0),
        sp(p.peakAboveBaselineMiB, 0),
        fmt(p.heapHeldAfterMiB.median, 0),
        p.generatedKiB
      ])
    )
  }
`
}

const cliSection = (c: Json): string => {
  const skip = notRun("CLI per process vs Redocly CLI", c)
  if (skip !== undefined) return skip
  return `## CLI per process vs Redocly CLI

\`node ${c.ours.entry}\` (${c.ours.version}${
    c.ours.built ? ", built by the bench" : ""
  }) against \`node …/@redocly/cli/bin/cli.js\`
(${c.redocly.version}), ${c.pairs} interleaved pairs after one warm-up pair; \`run\`/\`respect\` against the mock
(\`pollsUntilDone: 0\`: ${
    Object.entries(c.requestsPerRun).map(([op, n]) => `${op} ×${n}`).join(", ")
  }, checked after every process).
CPU: user + system of the process and its children.

${
    table(
      [
        "command",
        "compared with",
        "ours wall ms",
        "Redocly wall ms",
        "ours CPU ms",
        "Redocly CPU ms",
        "wall ours/Redocly",
        "CPU ours/Redocly"
      ],
      Object.entries<Json>(c.commands).map(([name, r]) => [
        name,
        r.comparedWith,
        sp(r.ours.wallMs, 0),
        sp(r.theirs.wallMs, 0),
        sp(r.ours.cpuMs, 0),
        sp(r.theirs.cpuMs, 0),
        sp(r.oursOverTheirs.wall, 2, "×"),
        sp(r.oursOverTheirs.cpu, 2, "×")
      ])
    )
  }
`
}

const settingsText = (settings: Json): string =>
  Object.entries<string>(settings ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")

/** The rows measured with worker processes and PostgreSQL (bench/lib/durable-processes.ts). */
const durableProcessRows = (p: Json): Array<Array<unknown>> => {
  if (p === undefined) return []
  const rows: Array<Array<unknown>> = []
  for (const t of p.throughput ?? []) {
    const cut = t.succeeded < t.workflows ? `; ${t.succeeded} of ${t.workflows} done within ${t.capS} s` : ""
    rows.push([
      `throughput: ${t.workflows} short workflows, ${t.workers} worker${
        t.workers > 1 ? "s" : ""
      } on one PostgreSQL (workflows/s)`,
      `${fmt(t.perSecond, 1)} (${fmt(t.wallS, 1)} s${cut})`
    ])
  }
  for (const r of p.resume ?? []) {
    rows.push([
      `resume after SIGKILL mid-poll, ${r.store}: new worker's spawn → next step (ms; of which start-up)`,
      `${fmt(r.spawnToNextStepMs, 0)} (${fmt(r.spawnToReadyMs, 0)}), median of ${r.rounds}`
    ])
  }
  const f = p.failover
  if (f !== undefined) {
    rows.push([
      `failover, ${f.workers} workers, one killed with SIGKILL: first / last of its executions taken over (ms)`,
      `${fmt(f.firstTakenOverMs, 0)} / ${fmt(f.allTakenOverMs, 0)}, median of ${f.rounds}`
    ])
    rows.push([
      `failover: all ${f.executions} executions finished after the kill (ms)`,
      `${fmt(f.allFinishedMs, 0)}${f.allFinished ? "" : " (not all succeeded: see results.json)"}`
    ])
  }
  return rows
}

const durableSection = (d: Json): string => {
  const skip = notRun("Durable execution", d)
  if (skip !== undefined) return skip
  const p = d.processes
  const processText = p === undefined
    ? "Resume latency and failover time come from test/durable (docs/durable.md)."
    : `With worker processes (bench/lib/durable-worker.ts) on a PostgreSQL started by scripts/postgres.ts: one
worker with ${settingsText(p.throughput[0]?.settings)}; two workers, and failover, with ${
      settingsText(p.failover?.settings)
    }. Resume: a worker killed with SIGKILL after its third poll, a new one started on the same store.`
  return `## Durable execution

Store: ${d.store}; cluster settings: ${settingsText(d.settings)}. Journaling: the same workflow run
${d.options.sequentialRuns} times in memory and durably; throughput: ${d.throughput.workflows} short workflows
started at once; suspended: ${d.suspended.executions} executions parked in a poll wait, live heap after GC.
${processText}

${
    table(["measure", "figure"], [
      ["in-memory run (ms)", fmt(d.journaling.inMemoryMsPerRun, 1)],
      ["durable run (ms)", fmt(d.journaling.durableMsPerRun, 1)],
      [
        `journaling cost per step attempt (${d.journaling.stepsPerRun} per run, ms)`,
        fmt(d.journaling.costMsPerStep, 1)
      ],
      ["throughput, one SQLite worker in process (workflows/s)", fmt(d.throughput.perSecond, 1)],
      ["live heap per suspended execution (KiB)", fmt(d.suspended.liveHeapKiBPerExecution, 1)],
      ...durableProcessRows(p)
    ])
  }
`
}

export const renderMarkdown = (r: Json): string => {
  const m = r.meta
  const loads = Object.entries(m.loadAverage ?? {}).map(([k, v]) => `${k} ${(v as Array<number>).join(" ")}`).join("; ")
  const commits = new Set(Object.values(m.commits ?? {}))
  return `# Benchmark results${m.quick ? " (quick: a smoke test of the harness, not a measurement)" : ""}

- Date: ${m.date}; Node ${m.node}, ${m.platform}; ${m.cpu} × ${m.cores} cores, ${m.memoryGiB} GiB
- Commit: ${m.commit}${
    commits.size > 1 ? ` (by section: ${Object.entries(m.commits).map(([k, v]) => `${k} ${v}`).join("; ")})` : ""
  }
- Load average (1/5/15 min) when each section started: ${loads}
- Duration: ${Object.entries(m.durationsS ?? {}).map(([k, v]) => `${k} ${v} s`).join(", ")}

Produced by \`npm run bench\`; docs/benchmarks.md says what each number means. The machine is shared: read the
ratios (measured interleaved, so load hits both sides alike) rather than the absolute times.

## Targets

${targetTable(targetRows(r))}

${runtimeSection(r.runtime)}
${ablationSection(r.ablation)}
${scaleSection(r.scale)}
${generatorSection(r.generator)}
${generatorScaleSection(r.generatorScale)}
${cliSection(r.cli)}
${durableSection(r.durable)}`
}

if (isMain(import.meta.url)) {
  const [input = fileURLToPath(new URL("../results.json", import.meta.url)), output = input.replace(/\.json$/, ".md")] =
    process.argv.slice(2)
  writeFileSync(output, renderMarkdown(JSON.parse(readFileSync(input, "utf8"))))
  console.log(`wrote ${output}`)
}
