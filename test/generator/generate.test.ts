/**
 * Generating the Civitai family: every document compiles, the output is byte-identical to the
 * committed generated/ and to a second run, and it typechecks under the strict tsconfig.
 */
import { execFile } from "node:child_process"
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { findDocuments, generate } from "../../generator/index.js"

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, "../..")
const specs = path.join(root, "specs")
const generated = path.join(root, "generated")

describe("generating specs/", () => {
  it("compiles all 21 documents of specs/ (13 Civitai) without errors, byte-identical to generated/ and to itself", async () => {
    const files = await findDocuments([specs])
    expect(files).toHaveLength(21)
    expect(files.filter((f) => f.includes("/civitai/"))).toHaveLength(13)
    const first = await generate(files, { outDir: generated, cwd: root })
    const second = await generate(files, { outDir: generated, cwd: root })
    expect(first.diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(first.documents).toHaveLength(21)
    expect(second.files).toEqual(first.files)
    const committed = (await readdir(generated)).filter((f) => f.endsWith(".ts")).sort()
    expect(first.files.map((f) => f.name).sort()).toEqual(committed)
    for (const file of first.files) {
      expect(file.text, `${file.name} is stale: run npm run generate`).toBe(
        await readFile(path.join(generated, file.name), "utf8")
      )
    }
  })

  it("the seed module matches its reviewed snapshot", async () => {
    const [file] = await findDocuments([path.join(specs, "civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")])
    const { files } = await generate([file!], { outDir: generated, cwd: root })
    await expect(files[0]!.text).toMatchFileSnapshot("__snapshots__/civitai-blob-upload-img2img-workflow.ts.snap")
  })

  it("warns about real-world shorthands with the spec form, at the exact line and column", async () => {
    const [file] = await findDocuments([path.join(specs, "civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")])
    const { diagnostics } = await generate([file!], { outDir: generated, cwd: root })
    const bare = diagnostics.find((d) => d.code === "bare-expression")
    expect(bare).toMatchObject({ line: 55, column: 21, severity: "warning" })
    expect(bare?.message).toContain("Bearer {$inputs.apiKey}")
    const jsonpath = diagnostics.find((d) => d.code === "jsonpath-comparison")
    expect(jsonpath).toMatchObject({ line: 112, column: 20, severity: "warning" })
    expect(jsonpath?.message).toContain(
      "$[?@.status == 'processing' || @.status == 'preparing' || @.status == 'unassigned']"
    )
  })

  it("the generated code typechecks with tsc --noEmit under strict", async () => {
    const { stdout, stderr } = await run(process.execPath, [
      path.join(root, "node_modules/typescript/bin/tsc"),
      "--noEmit",
      "-p",
      path.join(root, "tsconfig.json")
    ], { cwd: root }).catch((e: { stdout: string; stderr: string }) => e)
    expect(stdout + stderr).toBe("")
  }, 120_000)
})

describe("documents with errors", () => {
  const write = async (text: string) => {
    const dir = await mkdtemp(path.join(tmpdir(), "arazzo-effect-"))
    const openapi = await readFile(path.join(specs, "civitai/openapi/civitai-orchestration-api-openapi.yml"), "utf8")
    await writeFile(path.join(dir, "api.yml"), openapi)
    await writeFile(path.join(dir, "flow.arazzo.yml"), text)
    return dir
  }
  const doc = (steps: string) =>
    `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
  - { name: api, url: ./api.yml, type: openapi }
workflows:
  - workflowId: flow
    inputs: { type: object, properties: { token: { type: string } } }
    steps:
${steps}`

  /** 1-based line and column of the first occurrence of `needle`. */
  const positionOf = (text: string, needle: string): [number, number] => {
    const before = text.slice(0, text.indexOf(needle)).split("\n")
    return [before.length, before[before.length - 1]!.length + 1]
  }

  it("emits nothing and reports file:line:col for an unknown operation, an unknown step and a missing input", async () => {
    const text = doc(`      - stepId: a
        operationId: getWorkflw
      - stepId: b
        operationId: getWorkflow
        parameters:
          - { name: workflowId, in: path, value: $steps.nope.outputs.id }
          - { name: X-Token, in: header, value: $inputs.missing }`)
    const dir = await write(text)
    const { files, diagnostics } = await generate([path.join(dir, "flow.arazzo.yml")], { outDir: dir, cwd: dir })
    expect(files).toEqual([])
    const seen = diagnostics.map((d) => [d.code, d.line, d.column])
    expect(seen).toContainEqual(["unknown-operation", ...positionOf(text, "getWorkflw")])
    expect(diagnostics.find((d) => d.code === "unknown-operation")?.message).toContain("did you mean `getWorkflow`")
    expect(seen).toContainEqual(["unknown-step", ...positionOf(text, "$steps.nope")])
    expect(seen).toContainEqual(["unknown-input", ...positionOf(text, "$inputs.missing")])
  })

  it("the CLI prints file:line:col diagnostics and exits 1", async () => {
    const dir = await write(doc(`      - stepId: a
        operationId: getWorkflow
        parameters:
          - { name: workflowId, value: x }`))
    const result = await run(process.execPath, [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      path.join(root, "generator/cli.ts"),
      "generate",
      "flow.arazzo.yml",
      "--out",
      "out"
    ], { cwd: dir }).then(() => ({ code: 0, stderr: "" }), (e: { code: number; stderr: string }) => e)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^flow\.arazzo\.yml:12:13: error structure-required .*needs `in`/m)
  }, 60_000)
})

describe("diagnostics on a terminal", () => {
  it("prints errors one by one and a repeated warning once per file, with the other places", async () => {
    const { formatForTerminal } = await import("../../generator/diagnostics.js")
    const warning = { file: "a.yml", severity: "warning", code: "bare-expression", message: "m" } as const
    const lines = formatForTerminal([
      { ...warning, line: 3, column: 5 },
      { file: "a.yml", line: 4, column: 1, severity: "error", code: "unknown-step", message: "e" },
      { ...warning, line: 9, column: 5 },
      { ...warning, file: "b.yml", line: 1, column: 1 }
    ])
    expect(lines).toEqual([
      "a.yml:3:5: warning bare-expression m (also at 9:5)",
      "a.yml:4:1: error unknown-step e",
      "b.yml:1:1: warning bare-expression m"
    ])
  })
})

describe("regenerating in one process", () => {
  it("formats a document regenerated with new content correctly (the formatter once reused a stale copy)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "arazzo-regen-"))
    const seed = path.join(specs, "civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
    const target = path.join(dir, "arazzo", "flow.yml")
    await run("cp", ["-r", path.join(specs, "civitai/openapi"), path.join(dir, "openapi")])
    await run("mkdir", ["-p", path.join(dir, "arazzo")])
    const original = await readFile(seed, "utf8")
    await writeFile(target, original)
    await generate([target], { outDir: dir, cwd: dir })
    // Same path, different content: a longer workflow id shifts every later offset.
    await writeFile(
      target,
      original.replace("workflowId: blob-upload-img2img", "workflowId: blob-upload-img2img-renamed-for-this-test")
    )
    const { files } = await generate([target], { outDir: dir, cwd: dir })
    const text = files[0]!.text
    expect(text).toContain(
      `  workflowId: "blob-upload-img2img-renamed-for-this-test",\n  inputs: BlobUploadImg2imgRenamedForThisTestInputs,\n`
    )
    expect(text).toContain(
      `        successCriteria: [Arazzo.criterion("$statusCode == 201", (response) => response.status === 201)],\n`
    )
  })
})

describe("arazzo-effect check (the real CLI process)", () => {
  const cli = (args: ReadonlyArray<string>) =>
    run(process.execPath, [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      path.join(root, "generator/cli.ts"),
      "check",
      ...args
    ], { cwd: root })
      .then(
        ({ stdout }) => ({ code: 0, stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout })
      )

  it("exits 0 on the Civitai documents, with their warnings", async () => {
    const { code, stdout } = await cli(["specs"])
    expect(code).toBe(0)
    expect(stdout).toMatch(/checked 21 document\(s\): 0 error\(s\), \d+ warning\(s\)\n$/)
    expect(stdout).toContain("warning bare-expression")
  }, 60_000)

  it("exits 1 with --format json listing positioned errors", async () => {
    const { code, stdout } = await cli([
      "test/fixtures/oai/schema/fail/not-an-object.yaml",
      "test/fixtures/oai/schema/fail/invalid-arazzo-version.yaml",
      "--format",
      "json"
    ])
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as {
      files: number
      errors: number
      diagnostics: Array<{ file: string; line: number; column: number; code: string }>
    }
    expect(report.files).toBe(2)
    expect(report.errors).toBeGreaterThanOrEqual(2)
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: "structure-type", line: 1, column: 1 }))
  }, 60_000)

  it("exits 2 on a usage error", async () => {
    expect((await cli(["specs", "--format", "xml"])).code).toBe(2)
  }, 60_000)
})

describe("string payloads", () => {
  it("sends a templated form payload as the text written, with its content type", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "arazzo-payload-"))
    await writeFile(
      path.join(dir, "api.yml"),
      await readFile(path.join(specs, "civitai/openapi/civitai-orchestration-api-openapi.yml"), "utf8")
    )
    await writeFile(
      path.join(dir, "flow.arazzo.yml"),
      `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
  - { name: api, url: ./api.yml, type: openapi }
workflows:
  - workflowId: flow
    inputs: { type: object, properties: { prompt: { type: string } } }
    steps:
      - stepId: submit
        operationId: submitWorkflow
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: "prompt={$inputs.prompt}&tag=a%20b"
        successCriteria:
          - condition: $statusCode == 202
`
    )
    const { files, diagnostics } = await generate([path.join(dir, "flow.arazzo.yml")], { outDir: dir, cwd: dir })
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(files[0]!.text).toContain(
      "body: Arazzo.text(`prompt=${inputs.prompt}&tag=a%20b`, \"application/x-www-form-urlencoded\")"
    )
  })
})
