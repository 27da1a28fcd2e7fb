/**
 * Classes 6 (printing) and 7 (signals), through the real CLI process: `check`/`generate` busy
 * with a large document and a `run` stuck on a server that never answers stop within moments of
 * SIGINT or SIGTERM, with 130 or 143; `run` prints a 100,000-deep output without crashing.
 */
import { writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { outputOf, runCli, startCli } from "../cli/support.js"
import { makeProject } from "./support.js"

const servers: Array<Server> = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A loopback server answering GET /deep with `answer` (or never, when it is undefined). */
const serve = async (answer: string | undefined): Promise<{ url: string; requested: Promise<void> }> => {
  let requested!: () => void
  const seen = new Promise<void>((resolve) => (requested = resolve))
  const server = createServer((_req, res) => {
    requested()
    if (answer !== undefined) res.writeHead(200, { "content-type": "application/json" }).end(answer)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requested: seen }
}

const DESCRIPTION = `openapi: 3.1.0
info: { title: Deep, version: 1.0.0 }
servers: [{ url: "https://deep.example.com" }]
paths:
  /deep:
    get:
      operationId: getDeep
      responses:
        "200":
          description: anything
          content:
            application/json:
              schema: {}
`

const DOCUMENT = `arazzo: 1.0.1
info: { title: deep, version: 1.0.0 }
sourceDescriptions:
  - { name: api, url: ../openapi/deep.yaml, type: openapi }
workflows:
  - workflowId: deep
    steps:
      - stepId: read
        operationId: getDeep
        successCriteria: [{ condition: $statusCode == 200 }]
        outputs:
          body: $response.body
    outputs:
      body: $steps.read.outputs.body
`

const deepProject = async () => {
  const project = await makeProject()
  await writeFile(path.join(project.dir, "openapi/deep.yaml"), DESCRIPTION)
  return { project, file: await project.document("deep.yaml", DOCUMENT) }
}

/** Sends `signal` and measures how long the process takes to exit, and with what code. */
const stop = (child: ReturnType<typeof startCli>, signal: NodeJS.Signals) =>
  new Promise<{ code: number | null; ms: number }>((resolve) => {
    const sent = performance.now()
    child.once("exit", (code) => resolve({ code, ms: performance.now() - sent }))
    child.kill(signal)
  })

describe("signals", () => {
  it.each([["SIGINT", 130], ["SIGTERM", 143]] as const)(
    "a run waiting on a server that never answers stops within 5 s of %s, exit %i",
    async (signal, expected) => {
      const { project, file } = await deepProject()
      const server = await serve(undefined)
      const child = startCli(["run", file, "--server", `api=${server.url}`], { cwd: project.dir })
      const stderr = outputOf(child.stderr)
      await server.requested
      const { code, ms } = await stop(child, signal)
      console.log(`run stuck, ${signal}: exit ${code} ${Math.round(ms)} ms after the signal`)
      expect(code).toBe(expected)
      expect(ms).toBeLessThan(5000)
      expect(stderr.text).toContain("interrupted")
    },
    60_000
  )

  it.each([["check", "SIGINT", 130], ["generate", "SIGTERM", 143]] as const)(
    "%s busy with a 10,000-step document stops within 5 s of %s, exit %i",
    async (command, signal, expected) => {
      const project = await makeProject()
      const steps = Array.from({ length: 10_000 }, (_, i) => `      - stepId: s${i}\n        operationId: listOrders\n`)
      const file = await project.document(
        "big.yaml",
        `arazzo: 1.0.1\ninfo: { title: big, version: 1.0.0 }\nsourceDescriptions:\n  - { name: orders, url: ../openapi/orders.openapi.yaml, type: openapi }\nworkflows:\n  - workflowId: big\n    steps:\n${
          steps.join("")
        }`
      )
      const args = command === "check" ? [file] : [file, "--out", path.join(project.dir, "out")]
      const child = startCli([command, ...args, "--limit", "documentNodes=1000000"], { cwd: project.dir })
      // Compiling this document takes minutes; give the process time to be deep in it.
      await new Promise((resolve) => setTimeout(resolve, 8000))
      expect(child.exitCode).toBe(null)
      const { code, ms } = await stop(child, signal)
      console.log(`${command} busy, ${signal}: exit ${code} ${Math.round(ms)} ms after the signal`)
      expect(code).toBe(expected)
      expect(ms).toBeLessThan(5000)
    },
    60_000
  )
})

describe("printing", () => {
  it("run prints a 100,000-deep output to --print-depth levels and exits 0", async () => {
    const { project, file } = await deepProject()
    const server = await serve("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000))
    const result = await runCli(["run", file, "--server", `api=${server.url}`, "--print-depth", "10"], {
      cwd: project.dir
    })
    expect(result.stderr).not.toMatch(/RangeError|internal error/)
    expect(result.code).toBe(0)
    const printed = JSON.parse(result.stdout) as { body: unknown }
    let node: unknown = printed.body
    let depth = 1
    while (typeof node === "object" && node !== null) {
      node = (node as { a: unknown }).a
      depth++
    }
    expect(depth).toBe(10)
    expect(node).toBe("[nested deeper than 10 levels: not printed; raise it with --print-depth <n>]")
  }, 60_000)
})
