/**
 * The pieces `run` is made of, in process: reading input values, finding a workflow's exports in a
 * generated module (names renamed on collisions included), and rewriting a module's imports.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { decodeInputs, gatherInputs, valueOf } from "../../generator/cli/inputs.js"
import { rewriteImports, transpile } from "../../generator/cli/module-loader.js"
import { findDocuments, generate } from "../../generator/index.js"
import type { InputIR } from "../../generator/lower/ir.js"
import { root } from "./support.js"

const input = (name: string, type: InputIR["type"]): InputIR => ({
  name,
  type,
  required: true,
  description: undefined,
  secret: false
})

describe("input values from the command line", () => {
  it("JSON when it fits the input's type, else the text given", () => {
    expect(valueOf({ kind: "number" }, "42")).toBe(42)
    expect(valueOf({ kind: "string" }, "42")).toBe("42")
    expect(valueOf({ kind: "string" }, "\"quoted\"")).toBe("quoted")
    expect(valueOf({ kind: "boolean" }, "true")).toBe(true)
    expect(valueOf({ kind: "unknown" }, "{\"a\":[1]}")).toEqual({ a: [1] })
    expect(valueOf({ kind: "unknown" }, "a cat")).toBe("a cat")
    expect(valueOf({ kind: "literal", values: ["flux2", 1], open: false }, "1")).toBe(1)
    expect(valueOf({ kind: "union", members: [{ kind: "number" }, { kind: "string" }] }, "x1")).toBe("x1")
    // Not valid for a number, but JSON of another type: left to the schema to report.
    expect(valueOf({ kind: "number" }, "[1]")).toEqual([1])
  })

  it("@path reads bytes for a binary input and text for others; --input overrides --inputs; unknown names are refused", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "arazzo-cli-inputs-"))
    const bytes = new Uint8Array([0, 255, 10, 13, 128])
    await writeFile(path.join(dir, "image.bin"), bytes)
    await writeFile(path.join(dir, "prompt.txt"), "a lighthouse")
    await writeFile(path.join(dir, "inputs.json"), JSON.stringify({ engine: "sdxl", count: 2 }))
    const declared = [
      input("file", { kind: "binary" }),
      input("prompt", { kind: "string" }),
      input("engine", { kind: "string" }),
      input("count", { kind: "number" })
    ]
    const values = await Effect.runPromise(gatherInputs("wf", declared, {
      pairs: [`file=@${path.join(dir, "image.bin")}`, `prompt=@${path.join(dir, "prompt.txt")}`, "engine=flux2"],
      file: Option.some(path.join(dir, "inputs.json"))
    }))
    expect(values).toEqual({ file: bytes, prompt: "a lighthouse", engine: "flux2", count: 2 })
    expect(values["file"]).toBeInstanceOf(Uint8Array)

    const unknown = await Effect.runPromise(
      Effect.flip(gatherInputs("wf", declared, { pairs: ["colour=red"], file: Option.none() }))
    )
    expect(unknown.message).toBe("workflow wf has no input `colour`; its inputs: file, prompt, engine, count")
    const notAnObject = path.join(dir, "list.json")
    await writeFile(notAnObject, "[1, 2]")
    const refused = await Effect.runPromise(
      Effect.flip(gatherInputs("wf", declared, { pairs: [], file: Option.some(notAnObject) }))
    )
    expect(refused.message).toContain("must hold a JSON object")
  })

  it("decoding names each missing or invalid input", async () => {
    const schema = Schema.Struct({ apiKey: Schema.String, steps: Schema.Number }) as unknown as Schema.Schema<
      unknown,
      unknown
    >
    const error = await Effect.runPromise(Effect.flip(decodeInputs("wf", schema, { steps: "many" })))
    expect(error.message).toBe(
      "missing or invalid inputs for workflow wf:\n  apiKey: is missing\n  steps: Expected number, actual \"many\""
    )
  })
})

describe("finding a workflow in a generated module", () => {
  it(
    "the emitter names every workflow's function and inputs Schema, and the committed modules export them",
    async () => {
      const files = await findDocuments([path.join(root, "specs")])
      const { files: emitted } = await generate(files, { outDir: path.join(root, "generated"), cwd: root })
      let found = 0
      for (const file of emitted.filter((f) => f.name !== "index.ts")) {
        const declared = [...file.text.matchAll(/^ +workflowId: "([^"]+)",$/gm)].map((m) => m[1])
        expect(file.workflows?.map((e) => e.workflowId).sort(), file.name).toEqual([...new Set(declared)].sort())
        const module = (await import(path.join(root, "generated", file.name))) as Record<string, unknown>
        for (const e of file.workflows ?? []) {
          expect(typeof module[e.run], `${file.name} ${e.run}`).toBe("function")
          expect(Schema.isSchema(module[e.inputs]), `${file.name} ${e.inputs}`).toBe(true)
          found++
        }
      }
      expect(found).toBeGreaterThanOrEqual(17)
    },
    60_000
  )

  it("reports the emitter's renaming when two workflowIds would get the same function name", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "arazzo-cli-collide-"))
    const workflow = (id: string) =>
      `  - workflowId: ${id}
    inputs: { type: object, properties: { id: { type: string } } }
    steps:
      - stepId: read
        operationId: getWorkflow
        parameters: [{ name: workflowId, in: path, value: $inputs.id }]
`
    await writeFile(
      path.join(dir, "flow.arazzo.yml"),
      `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
  - { name: api, url: ${path.join(root, "specs/civitai/openapi/civitai-orchestration-api-openapi.yml")}, type: openapi }
workflows:
${workflow("read-workflow")}${workflow("readWorkflow")}`
    )
    // The description lives outside the document's tree: allowed explicitly (docs/security.md).
    const { files, diagnostics } = await generate([path.join(dir, "flow.arazzo.yml")], {
      outDir: dir,
      cwd: dir,
      allowRoots: [path.join(root, "specs")]
    })
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
    const text = files[0]!.text
    const entries = files[0]!.workflows ?? []
    expect(entries.map((e) => e.workflowId)).toEqual(["read-workflow", "readWorkflow"])
    expect(new Set(entries.map((e) => e.run)).size).toBe(2)
    expect(new Set(entries.map((e) => e.inputs)).size).toBe(2)
    for (const e of entries) {
      expect(text).toContain(`export const ${e.run} = (`)
      expect(text).toContain(`export const ${e.inputs} = Schema.Struct(`)
    }
  })
})

describe("loading a generated module", () => {
  it("transpiles to JavaScript and points bare imports at absolute URLs, leaving relative ones", () => {
    const js = transpile(
      `import type * as HttpClient from "@effect/platform/HttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import { helper } from "./helper.js"
export { Schema } from "effect"
export const f = (x: number): Effect.Effect<number> => Effect.succeed(x + helper)
`,
      "m.ts"
    )
    const rewritten = rewriteImports(js, (specifier) => `file:///resolved/${specifier}`)
    expect(rewritten).not.toContain("HttpClient")
    expect(rewritten).toContain(`import * as Arazzo from "file:///resolved/arazzo-effect/runtime"`)
    expect(rewritten).toContain(`import * as Effect from "file:///resolved/effect/Effect"`)
    expect(rewritten).toContain(`from "./helper.js"`)
    expect(rewritten).toContain(`export { Schema } from "file:///resolved/effect"`)
    expect(rewritten).toContain("export const f = (x) => Effect.succeed(x + helper)")
  })
})

describe("the workflows a durable worker hosts", () => {
  it("a generated module's exported sources are recognised, security schemes and all", async () => {
    const { isSource } = await import("../../generator/cli/durable-workflows.js")
    const module: Record<string, unknown> = await import("../../generated/civitai-blob-upload-img2img-workflow.js")
    const sources = Object.values(module).filter(isSource)
    expect(sources.map((s) => [s.name, Object.keys(s.securitySchemes)])).toEqual([
      ["civitaiOrchestrationApi", ["BearerAuth"]]
    ])
  })
})

describe("run --durable", () => {
  it("refuses --credential and --server, which only the worker could use", async () => {
    const { runDurableOrNot } = await import("../../generator/cli/durable-options.js")
    const options = {
      durable: true,
      resume: Option.none(),
      store: Option.none(),
      server: ["civitai=http://127.0.0.1:1"],
      credential: ["civitai.BearerAuth=secret-value"]
    }
    // The refusal comes before anything is read or started, so nothing needs providing.
    const refused = Effect.flip(runDurableOrNot(options as never, Effect.void)) as unknown as Effect.Effect<{
      message: string
    }>
    const error = await Effect.runPromise(refused)
    expect(error.message).toContain("--server (give it to the worker)")
    expect(error.message).toContain("--credential (the worker reads ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>)")
    expect(error.message).not.toContain("secret-value")
  })
})
