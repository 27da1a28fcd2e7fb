/**
 * Optional: Redocly Respect (`redocly respect`, from @redocly/cli, NOT a project dependency)
 * against the same mock and document, next to the generated workflow. Respect runs one
 * workflow per CLI process, so the comparison is per run: the CLI process's wall time and the
 * workflow time Respect reports itself, against the generated workflow run once in a fresh
 * process (wall, and the run alone) and warm in-process.
 *
 * Two adjustments, both needed for Respect to send the same requests:
 * - Respect only turns `$file('…')` into a file part when it is written in the payload itself;
 *   through `$inputs.file` it sends the text, which the mock refuses. The document is copied to
 *   a temporary directory with `file: $file('./source.bin')` and an absolute source URL.
 * - Respect does not evaluate the document's `type: jsonpath` goto criteria
 *   (`$.status == 'processing' || …`) as the generated code does: it never loops, it goes on to
 *   readResult after the first poll. So the mock finishes on the first poll (`pollsUntilDone: 0`)
 *   and both send upload, submit, one poll, one read.
 *
 * Respect is looked for at $REDOCLY_BIN, else /tmp/respect-bench/node_modules/.bin/redocly
 * (`cd /tmp/respect-bench && npm init -y && npm install @redocly/cli`).
 *
 *   npx tsx bench/respect.ts [--quick] [--out results.json]
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { stop } from "./lib/child.js"
import { generatedRun, sourceImage } from "./lib/img2img.js"
import { benchArgs, emit, isMain, log, median, round } from "./lib/stats.js"
import { mockReset, mockStats, startMockChild } from "./runtime.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const DOCUMENT = path.join(ROOT, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const OPENAPI = path.join(ROOT, "specs/civitai/openapi/civitai-orchestration-api-openapi.yml")
const TOKEN = "bench-token"
const IMAGE_BYTES = 4096
const EXPECTED = { uploadBlob: 1, submitWorkflow: 1, getWorkflow: 2 }

export interface RespectOptions {
  readonly processRuns: number
  readonly warmRuns: number
}

export const defaultRespectOptions: RespectOptions = { processRuns: 10, warmRuns: 200 }

const respectBin = () => process.env.REDOCLY_BIN ?? "/tmp/respect-bench/node_modules/.bin/redocly"

const sameCounts = (counts: Record<string, number>, times = 1) =>
  Object.entries(EXPECTED).every(([op, n]) => counts[op] === n * times) &&
  Object.keys(counts).length === Object.keys(EXPECTED).length

export const respectBench = async (options: RespectOptions = defaultRespectOptions) => {
  const bin = respectBin()
  if (!existsSync(bin)) {
    return {
      available: false,
      reason: `no Respect CLI at ${bin} (set REDOCLY_BIN, or npm install @redocly/cli in /tmp/respect-bench)`
    }
  }
  const version = spawnSync(bin, ["--version"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }
  }).stdout.trim().split("\n").pop()
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-bench-respect-"))
  const document = readFileSync(DOCUMENT, "utf8")
    .replace("file: $inputs.file", "file: $file('./source.bin')")
    .replace("url: ../openapi/civitai-orchestration-api-openapi.yml", `url: ${OPENAPI}`)
  if (!document.includes("$file('./source.bin')")) {
    throw new Error("the document changed: its upload payload is no longer `file: $inputs.file`")
  }
  writeFileSync(path.join(dir, "img2img.yml"), document)
  writeFileSync(path.join(dir, "source.bin"), sourceImage(IMAGE_BYTES))
  const { child: mock, url } = await startMockChild(0)
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" }
  try {
    // Respect: one CLI process per run.
    const respect = { wallMs: [] as Array<number>, workflowMs: [] as Array<number> }
    for (let i = 0; i < options.processRuns + 1; i++) {
      await mockReset(mock)
      const json = path.join(dir, `respect-${i}.json`)
      const started = performance.now()
      const result = spawnSync(bin, [
        "respect",
        "img2img.yml",
        "--server",
        `civitaiOrchestrationApi=${url}`,
        "-i",
        `apiKey=${TOKEN}`,
        "-i",
        "engine=flux2",
        "-i",
        "prompt=a lighthouse at dusk, oil painting",
        "-i",
        "moderate=true",
        "-J",
        json
      ], { cwd: dir, env, encoding: "utf8", timeout: 120_000 })
      const wall = performance.now() - started
      const { counts } = await mockStats(mock)
      if (result.status !== 0 || !sameCounts(counts)) {
        throw new Error(
          `respect run ${i} exited ${result.status} with requests ${JSON.stringify(counts)}:\n${
            (result.stdout ?? "").slice(-2000)
          }`
        )
      }
      if (i === 0) continue // the first run warms the disk cache
      const report = JSON.parse(readFileSync(json, "utf8")) as {
        files: Record<string, { executedWorkflows: Array<{ totalTimeMs: number }> }>
      }
      respect.wallMs.push(wall)
      respect.workflowMs.push(report.files["img2img.yml"]!.executedWorkflows[0]!.totalTimeMs)
    }
    log(
      `respect: Respect CLI ${round(median(respect.wallMs), 0)} ms per process, workflow ${
        median(respect.workflowMs)
      } ms as it reports`
    )

    // The generated workflow, once per fresh process.
    const fresh = { wallMs: [] as Array<number>, runMs: [] as Array<number> }
    for (let i = 0; i < options.processRuns + 1; i++) {
      await mockReset(mock)
      const started = performance.now()
      const result = spawnSync(process.execPath, [
        "--import",
        "tsx",
        path.join(ROOT, "bench/lib/once.ts"),
        url,
        TOKEN,
        String(IMAGE_BYTES)
      ], { cwd: ROOT, encoding: "utf8", timeout: 120_000 })
      const wall = performance.now() - started
      const { counts } = await mockStats(mock)
      const line = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as {
        ok?: boolean
        runMs?: number
        error?: string
      }
      if (result.status !== 0 || line.ok !== true || !sameCounts(counts)) {
        throw new Error(
          `generated run ${i} exited ${result.status} (${line.error ?? ""}) with requests ${
            JSON.stringify(counts)
          }\n${result.stderr}`
        )
      }
      if (i === 0) continue
      fresh.wallMs.push(wall)
      fresh.runMs.push(line.runMs ?? Number.NaN)
    }
    log(
      `respect: generated ${round(median(fresh.wallMs), 0)} ms per fresh process, first run ${
        round(median(fresh.runMs), 1)
      } ms`
    )

    // The generated workflow, warm, in this process.
    const runtime = ManagedRuntime.make(Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
      Arazzo.Policies.layer({ poll: Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50))) })
    ))
    const input = {
      apiKey: TOKEN,
      file: sourceImage(IMAGE_BYTES),
      engine: "flux2",
      prompt: "a lighthouse at dusk, oil painting"
    }
    let warmMs: number
    try {
      await runtime.runPromise(
        Effect.forEach(Array.from({ length: 100 }), () => generatedRun(input), { discard: true })
      )
      await mockReset(mock)
      const started = performance.now()
      await runtime.runPromise(
        Effect.forEach(Array.from({ length: options.warmRuns }), () => generatedRun(input), { discard: true })
      )
      warmMs = (performance.now() - started) / options.warmRuns
      const { counts } = await mockStats(mock)
      if (!sameCounts(counts, options.warmRuns)) throw new Error(`warm generated runs sent ${JSON.stringify(counts)}`)
    } finally {
      await runtime.dispose()
    }
    log(`respect: generated warm ${round(warmMs, 2)} ms per run`)
    return {
      available: true,
      respectVersion: version,
      pollsUntilDone: 0,
      requestsPerRun: EXPECTED,
      processRuns: options.processRuns,
      respect: { processWallMs: round(median(respect.wallMs), 0), workflowMs: median(respect.workflowMs) },
      generated: {
        processWallMs: round(median(fresh.wallMs), 0),
        firstRunMs: round(median(fresh.runMs), 1),
        warmRunMs: round(warmMs, 2)
      },
      ratios: {
        processWall: round(median(respect.wallMs) / median(fresh.wallMs), 2),
        respectWorkflowOverGeneratedFirstRun: round(median(respect.workflowMs) / median(fresh.runMs), 2)
      }
    }
  } finally {
    await stop(mock)
    rmSync(dir, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) {
  const args = benchArgs()
  const options = args.quick ? { processRuns: 2, warmRuns: 20 } : defaultRespectOptions
  respectBench(options).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
