/**
 * `run --record / --replay / --report` as a user runs them: the Civitai img2img workflow against
 * the local mock, recorded with an HTML and a JUnit report; the mock stopped; the run replayed from
 * the recording with byte-for-byte the same outputs (and another API key: the redacted one matches);
 * a replay that drifts (another prompt) failing with the step and the difference; a behaviour
 * document (order-status, whose failure action ends it) recorded and replayed the same way. Then
 * the HTML report in a real headless Chromium (Debian's, installed by ensure-chromium.sh): it loads
 * with the network off and nothing requested, shows every step attempt and the graph, and holds no
 * secret; and every Mermaid diagram of specs/ renders with Mermaid itself, in the same browser.
 */
import { spawnSync } from "node:child_process"
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type Browser, chromium } from "playwright-core"
import { parseXmlDocument } from "slimdom"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { toMermaid, toMermaidDocument, workflowGraph } from "../../generator/graph/index.js"
import { analyzeDocument, findDocuments } from "../../generator/index.js"
import { root, runCli } from "../cli/support.js"
import { startCivitaiMock } from "../mock/civitai-orchestration.js"
import { randomImage } from "../support/img2img.js"

const IMG2IMG = path.join(root, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const FAILURE_ACTIONS = path.join(root, "specs/behaviour/order-failure-actions.arazzo.yaml")
const TOKEN = "cli-record-token-8e21b7"

let dir = ""
let mockUrl = ""
const files = { recording: "", html: "", junit: "", image: "" }
const recorded = { code: -1, stdout: "", stderr: "" }

const img2img = (extra: ReadonlyArray<string>, apiKey = TOKEN, prompt = "a lighthouse at dusk") =>
  runCli([
    "run",
    IMG2IMG,
    "--input",
    `apiKey=${apiKey}`,
    "--input",
    `file=@${files.image}`,
    "--input",
    "engine=flux2",
    "--input",
    `prompt=${prompt}`,
    "--server",
    `civitaiOrchestrationApi=${mockUrl}`,
    ...extra
  ])

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "arazzo-record-"))
  files.recording = path.join(dir, "run.json")
  files.html = path.join(dir, "report.html")
  files.junit = path.join(dir, "junit.xml")
  files.image = path.join(dir, "source.png")
  await writeFile(files.image, randomImage(8 * 1024))
  const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 2 })
  mockUrl = mock.url
  try {
    Object.assign(
      recorded,
      await img2img(["--record", files.recording, "--report", files.html, "--report", files.junit])
    )
  } finally {
    await mock.close()
  }
}, 180_000)

describe("run --record, then --replay with the mock stopped", () => {
  it("records the run: outputs as usual, the exchanges in the file, the token nowhere", async () => {
    expect(recorded.stderr).toContain(`recorded 6 exchanges to ${files.recording}`)
    expect(recorded.code).toBe(0)
    const recording = JSON.parse(await readFile(files.recording, "utf8")) as {
      exchanges: Array<{ stepId: string; attempt: number; request: { headers: Record<string, string> } }>
    }
    expect(recording.exchanges.map((e) => `${e.stepId} ${e.attempt}`)).toEqual([
      "uploadSource 1",
      "submitImg2Img 1",
      "pollWorkflow 1",
      "pollWorkflow 2",
      "pollWorkflow 3",
      "readResult 1"
    ])
    expect(recording.exchanges[0]!.request.headers["authorization"]).toBe("Bearer <redacted>")
    for (const file of [files.recording, files.html, files.junit]) {
      expect(await readFile(file, "utf8")).not.toContain(TOKEN)
    }
  })

  it("replays offline: byte-for-byte the same outputs, also with another API key", async () => {
    const refused = await fetch(mockUrl).then(() => "answered", () => "refused")
    expect(refused).toBe("refused")
    const replayed = await img2img(["--replay", files.recording])
    expect(replayed.stderr).toContain("workflow blob-upload-img2img completed")
    expect(replayed.code).toBe(0)
    expect(replayed.stdout).toBe(recorded.stdout)
    const otherKey = await img2img(["--replay", files.recording], "ci-placeholder-key")
    expect(otherKey.code).toBe(0)
    expect(otherKey.stdout).toBe(recorded.stdout)
  }, 120_000)

  it("a replay that sends another request fails with exit 1, naming the step and the difference", async () => {
    const drifted = await img2img(["--replay", files.recording], TOKEN, "a lighthouse at dawn")
    expect(drifted.code).toBe(1)
    expect(drifted.stdout).toBe("")
    expect(drifted.stderr).toContain(
      "RecordingDrift: recording drift: step submitImg2Img of workflow blob-upload-img2img (attempt 1) sent a request that differs from request 1 of 1 recorded for it"
    )
    expect(drifted.stderr).toMatch(/^ {2}body: expected ".*a lighthouse at dusk.*", sent ".*a lighthouse at dawn.*"$/m)
    expect(drifted.stderr).not.toContain(TOKEN)
  }, 120_000)

  it("JUnit: one case per step, the attempts in system-out, well-formed", async () => {
    const xml = await readFile(files.junit, "utf8")
    const doc = parseXmlDocument(xml)
    const cases = doc.getElementsByTagName("testcase")
    expect(cases.map((c) => c.getAttribute("name"))).toEqual([
      "uploadSource",
      "submitImg2Img",
      "pollWorkflow",
      "readResult"
    ])
    expect(doc.getElementsByTagName("failure")).toHaveLength(0)
    expect(cases[2]!.textContent).toMatch(/attempt 3 {2}GET \/v2\/consumer\/workflows\/\{workflowId\} -> 200 in \d+ ms/)
  })
})

describe("a behaviour document: order-status ends through a failure action", () => {
  let server: Server
  let url = ""
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === "/orders/o7" ? 404 : 500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "no such order", path: req.url }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it(
    "recorded, replayed with the server gone: the same outputs and exit code; JUnit says where it failed",
    async () => {
      const recording = path.join(dir, "order-status.json")
      const junit = path.join(dir, "order-status.xml")
      const args = ["run", FAILURE_ACTIONS, "--input", "orderId=o7", "--server", `orders=${url}`]
      const live = await runCli([...args, "--record", recording])
      expect(live.stderr).toContain("ended at step getOrder by its onFailure end action `not_found`")
      expect(live.code).toBe(1)
      await new Promise<void>((resolve) => server.close(() => resolve()))
      const html = path.join(dir, "order-status.html")
      const replayed = await runCli([...args, "--replay", recording, "--report", junit, "--report", html])
      expect(replayed.code).toBe(1)
      expect(replayed.stdout).toBe(live.stdout)
      expect(replayed.stderr).toContain("ended at step getOrder by its onFailure end action `not_found`")
      const doc = parseXmlDocument(await readFile(junit, "utf8"))
      const [getOrder, getInvoice] = doc.getElementsByTagName("testcase")
      expect(getOrder!.getElementsByTagName("failure")[0]!.getAttribute("message")).toMatch(
        /^ended by failure action not_found: Success criterion `\$statusCode == 200` of step getOrder/
      )
      expect(getInvoice!.getElementsByTagName("skipped")).toHaveLength(1)
      // The page says how it ended, shows the error, and draws the path into the failure end.
      const page = await readFile(html, "utf8")
      expect(page).toContain(`<span class="badge bad">ended by failure action not_found at getOrder</span>`)
      expect(page).toContain("<h2>Error</h2>")
      expect(page).toMatch(/<g class="node failed taken" data-node="n_failed">/)
      expect(page).toContain("replayed from a recording")
    },
    180_000
  )
})

// The browser: Debian's chromium, installed when missing; skipped only when apt itself is not there.
const install = spawnSync("sh", [path.join(import.meta.dirname, "ensure-chromium.sh")], { encoding: "utf8" })
const noApt = install.status === 3
if (install.status !== 0 && !noApt) throw new Error(`installing chromium failed: ${install.stderr}`)
if (noApt) console.warn("skipping the browser tests: apt-get is not available to install chromium")

describe.skipIf(noApt)("the HTML report in headless Chromium", () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run"
      ]
    })
  }, 60_000)
  afterAll(() => browser?.close())

  it("loads offline with no request, shows every step attempt and the graph, holds no secret", async () => {
    const context = await browser.newContext({ offline: true })
    const page = await context.newPage()
    const requested: Array<string> = []
    page.on("request", (r) => requested.push(r.url()))
    const href = pathToFileURL(files.html).href
    const started = performance.now()
    await page.goto(href, { waitUntil: "load" })
    const loadMs = performance.now() - started
    const { size } = await stat(files.html)
    // Measured, not asserted: the figures for docs/graph.md.
    console.log(`report: ${size} bytes, loaded and rendered in ${loadMs.toFixed(0)} ms`)

    expect(requested).toEqual([href])
    const rows = await page.locator("tr[data-step]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-step")))
    expect(rows).toEqual([
      "uploadSource",
      "submitImg2Img",
      "pollWorkflow",
      "pollWorkflow",
      "pollWorkflow",
      "readResult"
    ])
    expect(await page.locator("h1").innerText()).toContain("completed")
    const taken = await page.locator("svg g.node.taken").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-node")))
    expect(taken).toEqual([
      "n_start",
      "n_step_uploadSource",
      "n_step_submitImg2Img",
      "n_step_pollWorkflow",
      "n_step_readResult",
      "n_completed"
    ])
    expect(await page.locator("svg g.node.taken[data-step=pollWorkflow] text.count").textContent()).toBe("×3")
    // The requests are there, the token is not: not in the markup, not in what is shown.
    await page.locator("details").first().evaluate((d) => d.setAttribute("open", ""))
    expect(await page.locator("details").first().innerText()).toContain("authorization:")
    expect(await page.content()).not.toContain(TOKEN)
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(TOKEN)
    await context.close()
  }, 60_000)

  it("every workflow's Mermaid diagram in specs/ renders with Mermaid itself (the library GitHub uses)", async () => {
    const diagrams: Array<string> = []
    for (const file of await findDocuments([path.join(root, "specs")])) {
      const { document } = await analyzeDocument(file)
      const graphs = document!.workflows.map(workflowGraph)
      diagrams.push(...graphs.map(toMermaid))
      // One document diagram (subgraphs) too: the one with the most workflows.
      if (file.endsWith("order-control-flow.arazzo.yaml")) diagrams.push(toMermaidDocument(graphs))
    }
    const page = await browser.newPage()
    await page.setContent("<!DOCTYPE html><html><body></body></html>")
    await page.addScriptTag({ path: path.join(root, "node_modules/mermaid/dist/mermaid.min.js") })
    const results = await page.evaluate(async (texts) => {
      const mermaid = (globalThis as unknown as {
        mermaid: {
          initialize: (c: object) => void
          render: (id: string, text: string) => Promise<{ svg: string }>
        }
      }).mermaid
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })
      const out: Array<string> = []
      for (const [i, text] of texts.entries()) {
        try {
          const { svg } = await mermaid.render(`d${i}`, text)
          out.push(svg.includes("Syntax error") ? `syntax error in diagram ${i}` : "ok")
        } catch (e) {
          out.push(`diagram ${i}: ${String(e)}\n${text}`)
        }
      }
      return out
    }, diagrams)
    expect(results.filter((r) => r !== "ok")).toEqual([])
    expect(results.length).toBeGreaterThan(20)
    await page.close()
  }, 120_000)
})
