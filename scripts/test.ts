/**
 * `npm test`: the Effect 3 suite (the repository's vitest, this machine's Node), then the Effect 4
 * suite (test/effect4's vitest on Node ≥ 22.19, provisioned by scripts/node22.ts; the nested
 * project installed by scripts/effect4-project.ts when needed). Each suite prints its own report
 * and a summary line; the last line is the totals, `N passed, N failed`. Exit 1 when anything
 * failed or a suite could not report.
 *
 *   npm test                      both lines
 *   npm test -- --line 4          one line (also: npm run test:effect3 / test:effect4)
 *   npm test -- test/cli          vitest filters, passed to each line
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { ensureEffect4Project } from "./effect4-project.js"
import { ensureNode22 } from "./node22.js"

const root = path.resolve(import.meta.dirname, "..")

interface Suite {
  readonly name: string
  /** The Node, the vitest entry and the arguments before ours; resolved just before the run. */
  readonly prepare: () => { readonly node: string; readonly vitest: string; readonly args: ReadonlyArray<string> }
}

interface Tally {
  readonly passed: number
  readonly failed: number
  readonly skipped: number
}

/** vitest's JSON report, the fields counted. */
interface JsonReport {
  readonly numPassedTests: number
  readonly numPendingTests: number
  readonly numTodoTests: number
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly status: string
    readonly assertionResults: ReadonlyArray<{ readonly status: string }>
  }>
}

/** Failed tests, and a file that failed without a failed test (it did not load) as one failure. */
const tally = (report: JsonReport): Tally => {
  let failed = 0
  for (const file of report.testResults) {
    const failedHere = file.assertionResults.filter((a) => a.status === "failed").length
    failed += failedHere > 0 ? failedHere : file.status === "failed" ? 1 : 0
  }
  return { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests }
}

const suites: Record<"3" | "4", Suite> = {
  "3": {
    name: "Effect 3",
    prepare: () => ({ node: process.execPath, vitest: path.join(root, "node_modules/vitest/vitest.mjs"), args: [] })
  },
  "4": {
    name: "Effect 4",
    prepare: () => {
      const node = ensureNode22()
      const project = ensureEffect4Project({ node })
      return { node, vitest: project.vitest, args: ["--config", path.join(project.dir, "vitest.config.ts")] }
    }
  }
}

const argv = process.argv.slice(2)
const lineAt = argv.indexOf("--line")
const only = lineAt === -1 ? undefined : argv[lineAt + 1]
if (only !== undefined && only !== "3" && only !== "4") {
  console.error(`--line takes 3 or 4, not ${only}`)
  process.exit(2)
}
const filters = argv.filter((_, i) => lineAt === -1 || (i !== lineAt && i !== lineAt + 1))
const chosen = only === undefined ? [suites["3"], suites["4"]] : [suites[only]]

const reports = mkdtempSync(path.join(tmpdir(), "arazzo-effect-test-"))
const summaries: Array<string> = []
let total: Tally = { passed: 0, failed: 0, skipped: 0 }
for (const [index, suite] of chosen.entries()) {
  console.log(`\n== ${suite.name}\n`)
  const started = performance.now()
  const report = path.join(reports, `report-${index}.json`)
  let result: Tally
  let note = ""
  try {
    const { node, vitest, args } = suite.prepare()
    const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()
    note = `, Node ${version}`
    spawnSync(node, [
      vitest,
      "run",
      ...args,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...(filters.length > 0 ? ["--passWithNoTests"] : []),
      ...filters
    ], { cwd: root, stdio: "inherit" })
    result = tally(JSON.parse(readFileSync(report, "utf8")) as JsonReport)
  } catch (cause) {
    console.error(`${suite.name}: the suite did not report: ${cause instanceof Error ? cause.message : String(cause)}`)
    result = { passed: 0, failed: 1, skipped: 0 }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  summaries.push(
    `${suite.name}${note}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${seconds} s)`
  )
  total = {
    passed: total.passed + result.passed,
    failed: total.failed + result.failed,
    skipped: total.skipped + result.skipped
  }
}
rmSync(reports, { recursive: true, force: true })

console.log(`\n${summaries.join("\n")}`)
console.log(`${total.passed} passed, ${total.failed} failed`)
process.exitCode = total.failed > 0 ? 1 : 0
