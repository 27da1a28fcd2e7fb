/**
 * The targets of the speed issue (#14), one row each, read from the results of one bench run:
 * what is measured, the value now, the target, and whether it is met. A section that did not
 * run (or failed) makes its rows "not measured", with the reason.
 */
import type { Spread } from "./stats.js"

type Json = any

export interface TargetRow {
  readonly measure: string
  readonly now: string
  readonly target: string
  readonly verdict: "met" | "missed" | "not measured"
}

export const TARGETS = {
  generatedOverHand: 1.05,
  generatedOverFloor: 2,
  scalePeakRssMiB: 1024,
  documentsPerSecond: 100,
  tenThousandOperationsMs: 3000,
  /** Extra peak memory for 10,000 operations at most this many times that for 1,000: memory follows what is used. */
  operationsMemoryGrowth: 2,
  cliOverRedocly: 1
} as const

const failedReason = (x: Json): string | undefined =>
  x === undefined || x === null
    ? "section not run"
    : typeof x.failed === "string"
    ? `failed: ${x.failed.slice(0, 200)}`
    : x.available === false
    ? `skipped: ${x.reason}`
    : undefined

const x = (n: number) => `${n.toFixed(2)}×`
const range = (s: Spread, unit: (n: number) => string = x) => `${unit(s.median)} [${unit(s.p25)}–${unit(s.p75)}]`
const verdict = (ok: boolean): TargetRow["verdict"] => (ok ? "met" : "missed")
const unmeasured = (measure: string, target: string, why: string): TargetRow => ({
  measure,
  now: why,
  target,
  verdict: "not measured"
})

const runtimeRows = (rt: Json): Array<TargetRow> => {
  const specs = [
    ["sequential", "generated/handEffect", "hand-written Effect", TARGETS.generatedOverHand],
    ["concurrent", "generated/handEffect", "hand-written Effect", TARGETS.generatedOverHand],
    [
      "sequential",
      "generated/floor",
      "raw `node:http` doing the same 7 requests (the floor)",
      TARGETS.generatedOverFloor
    ],
    [
      "concurrent",
      "generated/floor",
      "raw `node:http` doing the same 7 requests (the floor)",
      TARGETS.generatedOverFloor
    ]
  ] as const
  const why = failedReason(rt)
  return specs.map(([mode, key, against, limit]) => {
    const m = rt?.[mode]
    const label = `generated / ${against}, ${
      m === undefined
        ? mode
        : mode === "sequential"
        ? `${m.runsPerVariant} sequential img2img runs`
        : `${m.runsPerVariant} img2img runs at concurrency ${m.concurrency}`
    }, CPU per run`
    const target = `≤${limit}×`
    if (why !== undefined) return unmeasured(label, target, why)
    const r = m.ratios[key]
    return {
      measure: label,
      now: `${range(r.cpu)} (wall ${x(r.wall.median)})`,
      target,
      verdict: verdict(r.cpu.median <= limit)
    }
  })
}

const scaleRow = (scale: Json): TargetRow => {
  const runs = scale?.summary?.generated?.runs ?? 10_000
  const label = `${
    runs.toLocaleString("en")
  } concurrent runs, peak RSS (live heap per run in flight, after GC, runs parked)`
  const target = "<1 GiB, below hand-written"
  const why = failedReason(scale) ?? (scale.summary?.generated === undefined || scale.summary?.handEffect === undefined
    ? "a variant did not run"
    : undefined)
  if (why !== undefined) return unmeasured(label, target, why)
  const g = scale.summary.generated
  const h = scale.summary.handEffect
  const ok = g.peakRssMiB < TARGETS.scalePeakRssMiB && g.peakRssMiB < h.peakRssMiB && g.allSucceeded
  return {
    measure: label,
    now: `${Math.round(g.peakRssMiB)} MiB (hand-written ${Math.round(h.peakRssMiB)}); ${
      g.liveHeapKiBPerRun.toFixed(1)
    } KiB live per run vs ${h.liveHeapKiBPerRun.toFixed(1)}${
      g.allSucceeded ? "" : "; not every generated run succeeded"
    }`,
    target,
    verdict: verdict(ok)
  }
}

const generatorRow = (g: Json): TargetRow => {
  const label = "generator, warm, specs/"
  const target = `≥${TARGETS.documentsPerSecond} documents/s`
  const why = failedReason(g)
  if (why !== undefined) return unmeasured(label, target, why)
  const w = g.specs.warm
  return {
    measure: `${label} (${w.generated} documents)`,
    now: `${w.documentsPerSecond.toFixed(1)} documents/s [${w.documentsPerSecondRange[0]}–${
      w.documentsPerSecondRange[1]
    }]`,
    target,
    verdict: verdict(w.documentsPerSecond >= TARGETS.documentsPerSecond && w.generated === w.documents)
  }
}

const operationsRows = (s: Json): Array<TargetRow> => {
  const timeLabel = "one workflow over a 10,000-operation OpenAPI: time (CPU of `generate`)"
  const memoryLabel = "one workflow over a 10,000-operation OpenAPI: peak memory above the process before it"
  const timeTarget = `<${TARGETS.tenThousandOperationsMs / 1000} s`
  const memoryTarget = `∝ what is used: ≤${TARGETS.operationsMemoryGrowth}× the 1,000-operation figure`
  const why = failedReason(s)
  const big = s?.points?.find((p: Json) => p.name === "operations-10000")
  const small = s?.points?.find((p: Json) => p.name === "operations-1000")
  if (why !== undefined || big === undefined || small === undefined) {
    const reason = why ?? "no 1,000/10,000-operation points"
    return [unmeasured(timeLabel, timeTarget, reason), unmeasured(memoryLabel, memoryTarget, reason)]
  }
  const growth = big.peakAboveBaselineMiB.median / Math.max(1, small.peakAboveBaselineMiB.median)
  return [
    {
      measure: timeLabel,
      now: `${(big.cpuMs.median / 1000).toFixed(2)} s CPU [${(big.cpuMs.p25 / 1000).toFixed(2)}–${
        (big.cpuMs.p75 / 1000).toFixed(2)
      }] (wall ${(big.wallMs.median / 1000).toFixed(2)} s; ${big.descriptionKiB} KiB description)`,
      target: timeTarget,
      verdict: verdict(big.cpuMs.median < TARGETS.tenThousandOperationsMs)
    },
    {
      measure: memoryLabel,
      now: `${Math.round(big.peakAboveBaselineMiB.median)} MiB (1,000 operations: ${
        Math.round(small.peakAboveBaselineMiB.median)
      } MiB; ${growth.toFixed(1)}×)`,
      target: memoryTarget,
      verdict: verdict(growth <= TARGETS.operationsMemoryGrowth)
    }
  ]
}

const cliRows = (c: Json): Array<TargetRow> => {
  const commands = [["--version", "--version"], ["check", "`check` vs `lint`"], ["run", "`run` vs `respect`"]] as const
  const target = `≤${TARGETS.cliOverRedocly}×`
  const why = failedReason(c)
  return commands.map(([key, what]) => {
    const label = `CLI per process vs Redocly CLI: ${what} (wall per process)`
    if (why !== undefined) return unmeasured(label, target, why)
    const r = c.commands[key]
    return {
      measure: label,
      now: `${range(r.oursOverTheirs.wall)} (CPU ${
        x(r.oursOverTheirs.cpu.median)
      }; ${r.ours.wallMs.median} ms vs ${r.theirs.wallMs.median} ms)`,
      target,
      verdict: verdict(r.oursOverTheirs.wall.median <= TARGETS.cliOverRedocly)
    }
  })
}

export const targetRows = (results: Json): Array<TargetRow> => [
  ...runtimeRows(results.runtime),
  scaleRow(results.scale),
  generatorRow(results.generator),
  ...operationsRows(results.generatorScale),
  ...cliRows(results.cli)
]

/** The rows as a Markdown table. */
export const targetTable = (rows: ReadonlyArray<TargetRow>): string =>
  [
    "| measure | now | target | verdict |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.measure} | ${r.now.replace(/\|/g, "\\|")} | ${r.target} | **${r.verdict}** |`)
  ].join("\n")
