/**
 * The CLI per process against Redocly CLI, command for command, one fresh process each, in
 * interleaved pairs (ours then theirs, then theirs then ours, …), both as `node <entry>` with
 * this Node:
 *
 * - `--version`                    against `redocly --version`
 * - `check <document>`             against `redocly lint <document>` (the same file)
 * - `run <document> …` on the mock against `redocly respect <document> …`
 *
 * Ours is the built CLI (dist/cli/arazzo-effect.js, what `npx arazzo-effect` starts), built first
 * with `npm run build` so it is the code at this commit (`--no-build` skips that). Redocly is
 * installed into bench/.cache/ (bench/lib/redocly.ts); when it cannot be, the section says why
 * and measures nothing.
 *
 * `run` and `respect` must send the same requests; two differences of Respect are worked around
 * (as its own documentation of `$file` and the document's criteria make necessary):
 * - Respect turns `$file('…')` into a file part only when written in the payload itself; given
 *   through `$inputs.file` it sends the text, which the mock refuses. Respect gets a copy of the
 *   document with `file: $file('./source.bin')` and an absolute source URL; ours gets the
 *   original document with `--input file=@source.bin` (the same bytes).
 * - Respect does not loop on this document's `type: jsonpath` goto criteria
 *   (`$.status == 'processing' || …`): it goes on to readResult after the first poll. So the
 *   mock finishes on the first poll (`pollsUntilDone: 0`) and both send upload, submit, one
 *   poll, one read. After every process the mock's log is checked, and the uploaded blob of
 *   both is compared once.
 *
 * Measured per process: wall time, and CPU (user + system, the process and its children, from
 * bash's `times`). Ratios ours/theirs per pair, summarised over the pairs.
 *
 *   npx tsx bench/cli.ts [--quick] [--no-build] [--out results.json]
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { stop } from "./lib/child.js"
import { entry } from "./lib/entry.js"
import { sourceImage } from "./lib/img2img.js"
import { mockReset, mockStats, startMockChild, TOKEN } from "./lib/mock.js"
import { type Timed, timed } from "./lib/process-time.js"
import { ensureRedocly } from "./lib/redocly.js"
import { log, spread } from "./lib/stats.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const BUILT_CLI = path.join(ROOT, "dist/cli/arazzo-effect.js")
const DOCUMENT = path.join(ROOT, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const OPENAPI = path.join(ROOT, "specs/civitai/openapi/civitai-orchestration-api-openapi.yml")
const IMAGE_BYTES = 4096
const EXPECTED = { uploadBlob: 1, submitWorkflow: 1, getWorkflow: 2 }
const PROMPT = "a lighthouse at dusk, oil painting"

export interface CliOptions {
  readonly pairs: number
  readonly build: boolean
}

export const defaultCliOptions: CliOptions = { pairs: 10, build: true }

interface Side {
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** Throws when the process did not do its job. */
  readonly check: (result: Timed) => Promise<void>
}

interface Command {
  readonly name: string
  readonly ours: Side
  readonly theirs: Side
  readonly theirsLabel: string
}

const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
  FORCE_COLOR: "0"
}

const tail = (r: Timed) => `${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`

const exitsWith = (codes: ReadonlyArray<number>, what: string) => async (r: Timed) => {
  if (r.status === null || !codes.includes(r.status)) throw new Error(`${what} exited ${r.status}:\n${tail(r)}`)
}

const build = () => {
  log("cli: npm run build (the CLI measured is dist/, built from this commit)")
  const result = spawnSync("npm", ["run", "-s", "build"], { cwd: ROOT, encoding: "utf8", timeout: 600_000 })
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`.slice(0, 4000))
}

const measure = async (command: Command, pairs: number) => {
  const rows: Array<{ ours: Timed; theirs: Timed }> = []
  // One pair more than measured: the first warms the disk cache (and any cache either CLI keeps).
  for (let pair = 0; pair <= pairs; pair++) {
    const run = async (side: Side) => {
      const result = await timed(process.execPath, side.args, { cwd: side.cwd, env, timeoutMs: 120_000 })
      await side.check(result)
      return result
    }
    const oursFirst = pair % 2 === 0
    const first = await run(oursFirst ? command.ours : command.theirs)
    const second = await run(oursFirst ? command.theirs : command.ours)
    const [ours, theirs] = oursFirst ? [first, second] : [second, first]
    if (pair === 0) continue
    rows.push({ ours, theirs })
    log(
      `cli: ${command.name.padEnd(9)} pair ${pair}: ours ${Math.round(ours.wallMs)} ms wall ${
        Math.round(ours.cpuMs)
      } CPU, ${command.theirsLabel} ${Math.round(theirs.wallMs)} ms wall ${Math.round(theirs.cpuMs)} CPU`
    )
  }
  return {
    ours: { wallMs: spread(rows.map((r) => r.ours.wallMs), 0), cpuMs: spread(rows.map((r) => r.ours.cpuMs), 0) },
    theirs: { wallMs: spread(rows.map((r) => r.theirs.wallMs), 0), cpuMs: spread(rows.map((r) => r.theirs.cpuMs), 0) },
    oursOverTheirs: {
      wall: spread(rows.map((r) => r.ours.wallMs / r.theirs.wallMs), 2),
      cpu: spread(rows.map((r) => r.ours.cpuMs / r.theirs.cpuMs), 2)
    }
  }
}

export const cliBench = async (options: CliOptions = defaultCliOptions) => {
  const redocly = ensureRedocly()
  if (!redocly.available) {
    log(`cli: skipped: ${redocly.reason}`)
    return { available: false, reason: redocly.reason }
  }
  if (options.build) build()
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-bench-cli-"))
  const { child: mock, url } = await startMockChild(0)
  try {
    const respectDocument = readFileSync(DOCUMENT, "utf8")
      .replace("file: $inputs.file", "file: $file('./source.bin')")
      .replace("url: ../openapi/civitai-orchestration-api-openapi.yml", `url: ${OPENAPI}`)
    if (!respectDocument.includes("$file('./source.bin')") || !respectDocument.includes(`url: ${OPENAPI}`)) {
      throw new Error("the document changed: its upload payload or source URL is no longer what this bench rewrites")
    }
    writeFileSync(path.join(dir, "img2img.yml"), respectDocument)
    const image = path.join(dir, "source.bin")
    writeFileSync(image, sourceImage(IMAGE_BYTES))
    const versionOf = (r: Timed) => r.stdout.trim().split("\n").pop() ?? ""

    /** The mock saw exactly one run's requests, all answered 2xx; the uploaded blob is kept for comparison. */
    const blobs: Record<string, unknown> = {}
    const ranOnce = (who: string) => async (r: Timed) => {
      await exitsWith([0], `${who} run`)(r)
      const stats = await mockStats(mock)
      await mockReset(mock)
      const ok = Object.entries(EXPECTED).every(([op, n]) => stats.counts[op] === n) &&
        Object.keys(stats.counts).length === Object.keys(EXPECTED).length &&
        Object.keys(stats.statuses).every((s) => /^20[012]$/.test(s))
      if (!ok) {
        throw new Error(
          `${who} sent ${JSON.stringify(stats.counts)} (statuses ${JSON.stringify(stats.statuses)}), expected ${
            JSON.stringify(EXPECTED)
          }:\n${tail(r)}`
        )
      }
      blobs[who] ??= (stats.sample as { blob?: unknown }).blob
    }

    const commands: Array<Command> = [
      {
        name: "--version",
        theirsLabel: "redocly --version",
        ours: { args: [BUILT_CLI, "--version"], cwd: ROOT, check: exitsWith([0], "arazzo-effect --version") },
        theirs: { args: [redocly.cli, "--version"], cwd: dir, check: exitsWith([0], "redocly --version") }
      },
      {
        name: "check",
        theirsLabel: "redocly lint",
        ours: { args: [BUILT_CLI, "check", DOCUMENT], cwd: ROOT, check: exitsWith([0, 1], "arazzo-effect check") },
        theirs: { args: [redocly.cli, "lint", DOCUMENT], cwd: dir, check: exitsWith([0, 1], "redocly lint") }
      },
      {
        name: "run",
        theirsLabel: "redocly respect",
        ours: {
          args: [
            BUILT_CLI,
            "run",
            DOCUMENT,
            ...["--server", `civitaiOrchestrationApi=${url}`],
            ...["--input", `apiKey=${TOKEN}`, "--input", `file=@${image}`, "--input", "engine=flux2"],
            ...["--input", `prompt=${PROMPT}`, "--input", "moderate=true"]
          ],
          cwd: ROOT,
          check: ranOnce("arazzo-effect run")
        },
        theirs: {
          args: [
            redocly.cli,
            "respect",
            "img2img.yml",
            ...["--server", `civitaiOrchestrationApi=${url}`],
            ...["-i", `apiKey=${TOKEN}`, "-i", "engine=flux2", "-i", `prompt=${PROMPT}`, "-i", "moderate=true"]
          ],
          cwd: dir,
          check: ranOnce("redocly respect")
        }
      }
    ]
    const versions = {
      ours: versionOf(await timed(process.execPath, [BUILT_CLI, "--version"], { cwd: ROOT, env, timeoutMs: 60_000 })),
      redocly: versionOf(
        await timed(process.execPath, [redocly.cli, "--version"], { cwd: dir, env, timeoutMs: 60_000 })
      )
    }
    const results: Record<string, { comparedWith: string } & Awaited<ReturnType<typeof measure>>> = {}
    for (const command of commands) {
      results[command.name] = { comparedWith: command.theirsLabel, ...(await measure(command, options.pairs)) }
    }
    // The same bytes, type and moderation flag; the part's file name is each client's own choice.
    const content = (blob: unknown) => {
      const { filename: _, ...rest } = (blob ?? {}) as Record<string, unknown>
      return JSON.stringify(rest)
    }
    const [oursBlob, theirsBlob] = [blobs["arazzo-effect run"], blobs["redocly respect"]]
    if (content(oursBlob) !== content(theirsBlob)) {
      throw new Error(
        `the two runs uploaded different blobs: ${JSON.stringify(oursBlob)} / ${JSON.stringify(theirsBlob)}`
      )
    }
    return {
      available: true,
      redocly: { version: versions.redocly, installedNow: redocly.installed },
      ours: { version: versions.ours, entry: path.relative(ROOT, BUILT_CLI), built: options.build },
      pairs: options.pairs,
      mockPollsUntilDone: 0,
      requestsPerRun: EXPECTED,
      uploadedBlobs: { ours: oursBlob, redocly: theirsBlob },
      commands: results
    }
  } finally {
    await stop(mock)
    rmSync(dir, { recursive: true, force: true })
  }
}

entry(import.meta.url, ({ quick }) => {
  const noBuild =
    parseArgs({ args: process.argv.slice(2), strict: false, options: { "no-build": { type: "boolean" } } })
      .values["no-build"] === true
  return cliBench({ ...(quick ? { ...defaultCliOptions, pairs: 2 } : defaultCliOptions), build: !noBuild })
})
