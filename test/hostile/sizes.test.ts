/**
 * Classes 5 and 6 (loader side): alias bombs, deep nesting and sheer size are refused early, with
 * a positioned diagnostic naming the limit and how to raise it, in the Arazzo document as in its
 * OpenAPI files; raising the limit lets a trusted file through.
 */
import { writeFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"
import { runCli } from "../cli/support.js"
import { makeProject, orderDocument, timed } from "./support.js"

/** Ten levels of ten aliases each: 10^10 nodes once expanded, 1 KB of text. */
const aliasBomb = (indent: string) =>
  ["a: &a [x, x, x, x, x, x, x, x, x, x]"].concat(
    "bcdefghij".split("").map((name, i) => {
      const previous = "abcdefghij"[i]!
      return `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`
    })
  ).map((line) => indent + line).join("\n")

const steps = (n: number) =>
  Array.from({ length: n }, (_, i) => `      - stepId: s${i}\n        operationId: listOrders\n`).join("")

const manySteps = (n: number) =>
  `arazzo: 1.0.1
info: { title: big, version: 1.0.0 }
sourceDescriptions:
  - { name: orders, url: ../openapi/orders.openapi.yaml, type: openapi }
workflows:
  - workflowId: big
    steps:
${steps(n)}`

const codes = (ds: ReadonlyArray<{ line: number; column: number; code: string; severity: string }>) =>
  ds.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.code}`)

describe("alias bombs", () => {
  it("in the Arazzo document: limit-nodes at the alias-laden node, exit 1, no stack trace, within 5 s", async () => {
    const project = await makeProject()
    const file = await project.document(
      "bomb.yaml",
      orderDocument("../openapi/orders.openapi.yaml").replace("workflows:", `x-bomb:\n${aliasBomb("  ")}\nworkflows:`)
    )
    const { value: result, ms } = await timed(() => runCli(["check", file], { cwd: project.dir }))
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^arazzo\/bomb\.yaml:\d+:\d+: error limit-nodes .*--limit documentNodes=/m)
    expect(result.stderr).not.toMatch(/internal error|at .*\.ts:\d+/)
    expect(ms).toBeLessThan(30_000) // the CLI process start included; the refusal itself is measured below
    const alone = await timed(() => checkDocument(file, { cwd: project.dir }))
    expect(alone.ms).toBeLessThan(5000)
    // At `e:`'s list, the first whose expansion (10^5 nodes) passes the limit.
    expect(codes(alone.value)).toEqual(["12:9 limit-nodes"])
  }, 60_000)

  it("in an OpenAPI file: limit-nodes positioned in that file", async () => {
    const project = await makeProject()
    await writeFile(
      path.join(project.dir, "openapi/bomb.yaml"),
      (await import("node:fs/promises").then((fs) =>
        fs.readFile(path.join(project.dir, "openapi/orders.openapi.yaml"), "utf8")
      ))
        .replace("paths:", `x-bomb:\n${aliasBomb("  ")}\npaths:`)
    )
    const file = await project.document("uses-bomb.yaml", orderDocument("../openapi/bomb.yaml"))
    const diagnostics = await checkDocument(file, { cwd: project.dir })
    const bomb = diagnostics.filter((d) => d.code === "limit-nodes")
    // At `g:`'s list: 10^7 nodes, the first past the 2,000,000 of descriptionNodes.
    expect(bomb.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(["openapi/bomb.yaml:15:9"])
    expect(bomb[0]!.message).toContain("--limit descriptionNodes=")
  })
})

describe("nesting", () => {
  it.each([
    ["YAML flow", "[".repeat(100_000) + "]".repeat(100_000)],
    ["JSON", "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)]
  ])("%s nested 100,000 deep: limit-depth at the 129th level, within 5 s", async (_what, text) => {
    const project = await makeProject()
    const file = await project.document("deep.json", text)
    const { value, ms } = await timed(() => checkDocument(file, { cwd: project.dir }))
    expect(ms).toBeLessThan(5000)
    expect(codes(value)).toHaveLength(1)
    expect(codes(value)[0]).toMatch(/^1:\d+ limit-depth$/)
    expect(value[0]!.message).toContain("--limit depth=")
  })
})

describe("size", () => {
  it("40,000 steps are refused within 5 s (limit-nodes), and the limit can be raised", async () => {
    const project = await makeProject()
    const file = await project.document("steps.yaml", manySteps(40_000))
    const { value, ms } = await timed(() => checkDocument(file, { cwd: project.dir }))
    expect(ms).toBeLessThan(5000)
    // Where the count passed 50,000, a quarter of the way in: the rest is never parsed.
    expect(codes(value)).toEqual(["24998:9 limit-nodes"])
    expect(value[0]!.message).toMatch(/more than 50,000 YAML nodes.*--limit documentNodes=<n>/)

    const small = await project.document("few.yaml", manySteps(20))
    expect(codes(await checkDocument(small, { cwd: project.dir, limits: { documentNodes: 1000 } }))).toEqual([])
    expect(codes(await checkDocument(small, { cwd: project.dir, limits: { documentNodes: 50 } }))).toEqual([
      "23:9 limit-nodes"
    ])
  })

  it("a 40 MB description is refused unread (limit-bytes at the url), within 5 s and 64 MB of heap", async () => {
    const project = await makeProject()
    const big = path.join(project.dir, "openapi/huge.yaml")
    const line = "# " + "x".repeat(1021) + "\n"
    await writeFile(big, "openapi: 3.1.0\n" + line.repeat(40 * 1024))
    const file = await project.document("huge.yaml", orderDocument("../openapi/huge.yaml"))
    globalThis.gc?.()
    const before = process.memoryUsage().heapUsed
    const { value, ms } = await timed(() => checkDocument(file, { cwd: project.dir }))
    const grown = process.memoryUsage().heapUsed - before
    expect(ms).toBeLessThan(5000)
    expect(grown).toBeLessThan(64 * 1024 * 1024)
    expect(codes(value)).toEqual(["5:10 limit-bytes"])
    expect(value[0]!.message).toMatch(/32 MiB; raise it with --limit descriptionBytes=<n>/)
  })

  it("documentBytes applies to the Arazzo document itself", async () => {
    const project = await makeProject()
    const file = await project.document("doc.yaml", orderDocument("../openapi/orders.openapi.yaml"))
    const diagnostics = await checkDocument(file, { cwd: project.dir, limits: { documentBytes: 100 } })
    expect(codes(diagnostics)).toEqual(["1:1 limit-bytes"])
    expect(diagnostics[0]!.message).toContain("--limit documentBytes=")
  })

  it("the CLI takes --limit and rejects an unknown limit as a usage error", async () => {
    const project = await makeProject()
    const file = await project.document("doc.yaml", orderDocument("../openapi/orders.openapi.yaml"))
    const low = await runCli(["check", file, "--limit", "documentBytes=100"], { cwd: project.dir })
    expect(low.code).toBe(1)
    expect(low.stdout).toMatch(/arazzo\/doc\.yaml:1:1: error limit-bytes larger than the limit of 100 bytes/)
    const unknown = await runCli(["check", file, "--limit", "steps=10"], { cwd: project.dir })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("no such limit")
  }, 60_000)
})
