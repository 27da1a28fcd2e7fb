/**
 * Where a variant of the img2img flow spends its CPU: runs it against the mock (child
 * process) under the V8 sampling profiler (node:inspector, only around the measured runs,
 * after a warm-up) and prints self time by package and by function, plus inclusive time of
 * the functions that match --focus.
 *
 *   npx tsx bench/profile.ts [generated|handEffect|floor] [--runs 1000] [--concurrency 1]
 *     [--top 25] [--focus readBody,send] [--out profile.json] [--cpuprofile file.cpuprofile]
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { stop } from "./lib/child.js"
import { ensureExposedGc } from "./lib/entry.js"
import { benchInput } from "./lib/img2img.js"
import { startMockChild, TOKEN } from "./lib/mock.js"
import { isMain, log } from "./lib/stats.js"
import { makeVariant, type VariantName, VARIANTS } from "./lib/variants.js"

const ROOT_URL = new URL("..", import.meta.url).href
const ROOT = fileURLToPath(ROOT_URL)

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Which package (or part of this project) a script URL belongs to. */
export const packageOf = (url: string): string => {
  if (url === "") return "(native / gc / idle)"
  if (url.startsWith("node:")) return "node:internal"
  if (url.startsWith("wasm:")) return "(WebAssembly)"
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (nm) return nm[1]!
  const own = /^([^/]+)\//.exec(projectPath(url))
  if (own) return `project ${own[1]}/`
  return url
}

/** A script URL relative to the repository root (unchanged when outside it). */
const projectPath = (url: string): string =>
  url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length) : url.startsWith(ROOT) ? url.slice(ROOT.length) : url

/**
 * The generator stage a stack belongs to: the outermost frame in `generator/<dir>/` (load,
 * validate, lower, emit, …), so time in yaml or ts-morph counts for the stage that called it.
 */
const stageOf = (frames: ReadonlyArray<ProfileNode>): string | undefined => {
  let stage: string | undefined
  for (const frame of frames) {
    const dir = /^generator\/([^/]+)\//.exec(projectPath(frame.callFrame.url))?.[1]
    if (dir !== undefined) stage = dir
  }
  return stage
}

const shortUrl = (url: string) => projectPath(url).replace(/^file:\/\//, "").replace(/.*node_modules\//, "")

export const summarize = (profile: Profile, top: number, focus: ReadonlyArray<string>) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    // The inspector's own native `dispatch` (serialising the profile on Profiler.stop) is not the program.
    const frame = byId.get(id)?.callFrame
    if (frame?.functionName === "dispatch" && frame.url === "") continue
    const dt = profile.timeDeltas[i] ?? 0
    total += dt
    self.set(id, (self.get(id) ?? 0) + dt)
  }
  const byPackage = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const byStage = new Map<string, number>()
  for (const [id, us] of self) {
    const node = byId.get(id)!
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName === "" ? "(anonymous)" : functionName
    const isProgram = name === "(program)" || name === "(idle)" || name === "(garbage collector)"
    const pkg = isProgram ? name : packageOf(url)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
    const key = isProgram ? name : `${name} ${shortUrl(url)}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    const stack: Array<ProfileNode> = []
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!)
    const stage = isProgram ? name : stageOf(stack) ?? "(other)"
    byStage.set(stage, (byStage.get(stage) ?? 0) + us)
    if (focus.length > 0) {
      const seen = new Set<string>()
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame
        for (const want of focus) if (f.functionName === want && !seen.has(want)) seen.add(want)
      }
      for (const want of seen) inclusive.set(want, (inclusive.get(want) ?? 0) + us)
    }
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10
  const rows = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({
      name,
      ms: Math.round(us / 100) / 10,
      percent: pct(us)
    }))
  return {
    totalMs: Math.round(total / 1000),
    byPackage: rows(byPackage),
    byFunction: rows(byFunction),
    /** Generator stages (generator/<dir>/), with what they call; only meaningful for generator profiles. */
    byStage: rows(byStage),
    inclusive: rows(inclusive)
  }
}

const main = async () => {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      runs: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "1" },
      top: { type: "string", default: "25" },
      focus: { type: "string", default: "" },
      out: { type: "string" },
      cpuprofile: { type: "string" }
    }
  })
  const name = (positionals[0] ?? "generated") as VariantName
  if (!VARIANTS.includes(name)) throw new Error(`variant is one of ${VARIANTS.join(", ")}`)
  const runs = Number(values.runs)
  const concurrency = Number(values.concurrency)
  const { child, url } = await startMockChild(3)
  const variant = makeVariant(name, url, benchInput(TOKEN, 4096))
  const batch = (n: number) => variant.run(n, concurrency)
  const session = new Session()
  try {
    await batch(200)
    session.connect()
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 100 })
    await session.post("Profiler.start")
    const started = performance.now()
    await batch(runs)
    const elapsed = performance.now() - started
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile }
    if (values.cpuprofile !== undefined) writeFileSync(values.cpuprofile, JSON.stringify(profile))
    const focus = values.focus.split(",").filter((s) => s !== "")
    const summary = {
      variant: name,
      runs,
      concurrency,
      wallMsPerRun: elapsed / runs,
      ...summarize(profile, Number(values.top), focus)
    }
    if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(summary, null, 2) + "\n")
    log(`profile: ${name} ${runs} runs at concurrency ${concurrency}: ${(elapsed / runs).toFixed(3)} ms/run`)
    console.log(`\nself time by package (${summary.totalMs} ms sampled):`)
    for (const r of summary.byPackage) {
      console.log(`  ${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(8)} ms  ${r.name}`)
    }
    console.log(`\nself time by function:`)
    for (const r of summary.byFunction) {
      console.log(`  ${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(8)} ms  ${r.name}`)
    }
    if (summary.inclusive.length > 0) {
      console.log(`\ninclusive time (on the stack):`)
      for (const r of summary.inclusive) {
        console.log(`  ${String(r.percent).padStart(5)}%  ${String(r.ms).padStart(8)} ms  ${r.name}`)
      }
    }
  } finally {
    session.disconnect()
    await variant.dispose()
    await stop(child)
  }
}

if (isMain(import.meta.url)) {
  ensureExposedGc()
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
