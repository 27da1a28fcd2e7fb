/**
 * Class 2: a document reads only inside its allowed roots. Source description URLs and `$ref`s
 * that leave them (absolute paths, `file://` URLs, `../` escapes, symbolic links) are positioned
 * errors, the file is not read, and nothing from it appears in any output. Each refusal has a
 * positive control: with the root allowed, the outside file's content does reach the module, so
 * the assertions would see a read.
 */
import { symlink, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"
import { formatDiagnostic } from "../../generator/diagnostics.js"
import { generate } from "../../generator/index.js"
import { runCli } from "../cli/support.js"
import { makeProject, orderDocument, type Project, SECRET } from "./support.js"

/** A small OpenAPI file whose listOrders items schema is `$ref: ref`. */
const leakyDescription = (ref: string) =>
  `openapi: 3.1.0
info: { title: Leaky, version: 1.0.0 }
servers: [{ url: "https://leaky.example.com" }]
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { $ref: ${JSON.stringify(ref)} }
`
/** Where the `$ref` value is in leakyDescription's text. */
const REF_AT = "16:34"

const located = (d: { file: string; line: number; column: number; code: string }) =>
  `${d.file}:${d.line}:${d.column} ${d.code}`

const everything = (result: Awaited<ReturnType<typeof generate>>) =>
  [...result.diagnostics.map(formatDiagnostic), ...result.files.map((f) => f.text)].join("\n")

const withDescription = async (project: Project, ref: string) => {
  await writeFile(path.join(project.dir, "openapi/leaky.yaml"), leakyDescription(ref))
  return project.document("leaky.yaml", orderDocument("../openapi/leaky.yaml"))
}

describe("source description URLs", () => {
  it("reach siblings in the document's tree by default (../openapi/x.yml)", async () => {
    const project = await makeProject()
    const file = await project.document("ok.yaml", orderDocument("../openapi/orders.openapi.yaml"))
    const result = await generate([file], { outDir: project.dir, cwd: project.dir })
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(result.files.length).toBe(2)
  })

  it.each([
    ["an absolute path", "/etc/passwd"],
    ["a file: URL", "file:///proc/self/environ"],
    ["a ../ escape", "../../outside/secret.env"]
  ])("outside the roots (%s): source-outside-roots at the url, nothing read", async (_what, url) => {
    const project = await makeProject()
    const file = await project.document("out.yaml", orderDocument(url))
    const result = await generate([file], { outDir: project.dir, cwd: project.dir })
    expect(result.files).toEqual([])
    expect(result.diagnostics.filter((d) => d.severity === "error").map(located)).toEqual([
      "arazzo/out.yaml:5:10 source-outside-roots"
    ])
    expect(everything(result)).not.toContain(SECRET)
    expect(everything(result)).not.toMatch(/root:x:0:0|PATH=/)
  })

  it("a symbolic link inside the tree that points outside it is refused too", async () => {
    const project = await makeProject()
    await symlink(path.join(project.outside, "secret.env"), path.join(project.dir, "openapi/linked.yaml"))
    const file = await project.document("link.yaml", orderDocument("../openapi/linked.yaml"))
    const diagnostics = await checkDocument(file, { cwd: project.dir })
    expect(diagnostics.map(located)).toEqual(["arazzo/link.yaml:5:10 source-outside-roots"])
  })
})

describe("$refs in OpenAPI descriptions", () => {
  it.each([
    ["a ../ escape", "../../outside/schema.yaml"],
    ["an absolute path", "/etc/passwd"],
    ["/proc", "/proc/self/environ"],
    ["a file: URL", "file:///etc/hostname"]
  ])("outside the roots (%s): ref-outside-roots at the $ref in the OpenAPI file, nothing read", async (_what, ref) => {
    const project = await makeProject()
    const file = await withDescription(project, ref)
    const result = await generate([file], { outDir: project.dir, cwd: project.dir })
    expect(result.files).toEqual([])
    expect(result.diagnostics.filter((d) => d.severity === "error").map(located)).toEqual([
      `openapi/leaky.yaml:${REF_AT} ref-outside-roots`
    ])
    expect(everything(result)).not.toContain(SECRET)
  })

  it("positive control: with the outside directory allowed, its schema reaches the module", async () => {
    const project = await makeProject()
    const file = await withDescription(project, "../../outside/schema.yaml")
    const result = await generate([file], { outDir: project.dir, cwd: project.dir, allowRoots: [project.outside] })
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(result.files[0]!.text).toContain(SECRET)
  })

  it("a file that is not YAML or JSON is never read as a string (no text parser)", async () => {
    const project = await makeProject()
    await writeFile(path.join(project.dir, "openapi/notes.txt"), `token ${SECRET} [unbalanced: {\n`)
    const file = await withDescription(project, "./notes.txt")
    const result = await generate([file], { outDir: project.dir, cwd: project.dir })
    expect(result.files).toEqual([])
    expect(result.diagnostics.some((d) => d.file === "openapi/notes.txt" && d.code === "yaml-syntax")).toBe(true)
  })
})

describe("the CLI", () => {
  it(
    "check: exit 1 with the positioned refusal; --allow-root lets it read; no file content on any stream",
    async () => {
      const project = await makeProject()
      const file = await withDescription(project, "../../outside/schema.yaml")
      const refused = await runCli(["check", file], { cwd: project.dir })
      expect(refused.code).toBe(1)
      expect(refused.stdout).toContain(`openapi/leaky.yaml:${REF_AT}: error ref-outside-roots`)
      expect(refused.stdout + refused.stderr).not.toContain(SECRET)

      const allowed = await runCli(["check", file, "--allow-root", project.outside], { cwd: project.dir })
      expect(allowed.stdout).toContain("0 error(s)")
      expect(allowed.code).toBe(0)
    },
    60_000
  )
})
