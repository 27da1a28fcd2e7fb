/**
 * Every semantic diagnostic `check` reports, each from a small document that has exactly that
 * problem, at the position of the text it is about.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { analyzeDocument, checkDocument } from "../../generator/check.js"

const root = path.resolve(import.meta.dirname, "../..")
let dir = ""

/**
 * These documents call the Civitai API, whose operations require a bearer token, and leave it to
 * the client layer; test/validate/openapi.test.ts covers the warning that says so.
 */
const withoutCredentialWarnings = <D extends { readonly code: string }>(diagnostics: ReadonlyArray<D>) =>
  diagnostics.filter((d) => d.code !== "security-not-sent")

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "arazzo-check-"))
  const openapi = await readFile(path.join(root, "specs/civitai/openapi/civitai-orchestration-api-openapi.yml"), "utf8")
  await writeFile(path.join(dir, "api.yml"), openapi)
  await writeFile(path.join(dir, "api2.yml"), openapi)
})

const header = (sources = "  - { name: api, url: ./api.yml, type: openapi }") =>
  `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
${sources}
workflows:
`

const ok = `  - stepId: get
    operationId: getWorkflow
    parameters:
      - { name: workflowId, in: path, value: $inputs.id }
    successCriteria:
      - condition: $statusCode == 200
    outputs:
      status: $response.body#/status
`

/** Steps are written at two spaces; they sit four deeper inside a workflow. */
const workflow = (steps: string, extra = "") =>
  `  - workflowId: flow
    inputs: { type: object, required: [id], properties: { id: { type: string } } }
${extra}    steps:
${steps.replace(/^(?=.)/gm, "    ")}`

interface Case {
  readonly name: string
  readonly text: string
  readonly code: string
  readonly severity?: "error" | "warning"
  /** The text the diagnostic must point at (its first occurrence, or after `after`). */
  readonly at: string
  readonly after?: string
  readonly message?: RegExp
}

const cases: ReadonlyArray<Case> = [
  {
    name: "duplicate stepId",
    text: header() + workflow(ok + ok.replace("status: $response", "state: $response")),
    code: "duplicate-id",
    at: "get",
    after: "status: $response.body#/status",
    message:
      /^stepId `get` is used twice \(workflows\[0\]\.steps\[0\] and workflows\[0\]\.steps\[1\]\); give each its own id$/
  },
  {
    name: "duplicate workflowId",
    text: header() + workflow(ok) + workflow(ok.replace("status: $response", "state: $response")),
    code: "duplicate-id",
    at: "flow\n",
    after: "status: $response",
    message: /^workflowId `flow` is used twice \(workflows\[0\] and workflows\[1\]\); give each its own id$/
  },
  {
    name: "id with odd characters",
    text: header() + workflow(ok.replace("stepId: get", "stepId: get it")),
    code: "id-format",
    severity: "warning",
    at: "get it"
  },
  {
    name: "goto an unknown step",
    text: header() + workflow(ok + "    onSuccess:\n      - { name: next, type: goto, stepId: nowhere }\n"),
    code: "unknown-goto-target",
    at: "nowhere"
  },
  {
    name: "unknown operationId, with the nearest",
    text: header() + workflow(ok.replace("operationId: getWorkflow", "operationId: getWorkflw")),
    code: "unknown-operation",
    at: "getWorkflw",
    message: /did you mean `getWorkflow`/
  },
  {
    name: "ambiguous operationId",
    text:
      header("  - { name: api, url: ./api.yml, type: openapi }\n  - { name: api2, url: ./api2.yml, type: openapi }") +
      workflow(ok),
    code: "ambiguous-operation",
    at: "getWorkflow",
    message: /\$sourceDescriptions\.api\.getWorkflow/
  },
  {
    name: "qualified operationId naming an unknown source",
    text: header() +
      workflow(ok.replace("operationId: getWorkflow", "operationId: $sourceDescriptions.nope.getWorkflow")),
    code: "unknown-source",
    at: "$sourceDescriptions.nope"
  },
  {
    name: "malformed operationPath",
    text: header() + workflow(ok.replace("operationId: getWorkflow", "operationPath: /v2/consumer/workflows")),
    code: "operation-path-syntax",
    at: "/v2/consumer/workflows"
  },
  {
    name: "$steps of a step that does not exist",
    text: header() + workflow(ok.replace("value: $inputs.id", "value: $steps.ghost.outputs.id")),
    code: "unknown-step",
    at: "$steps.ghost"
  },
  {
    name: "$steps of a step that cannot have run yet",
    text: header() +
      workflow(
        ok.replace("value: $inputs.id", "value: $steps.later.outputs.status") +
          ok.replace("stepId: get", "stepId: later")
      ),
    code: "step-not-run",
    at: "$steps.later"
  },
  {
    name: "$steps output that is not defined",
    text: header() +
      workflow(
        ok + ok.replace("stepId: get", "stepId: two").replace("value: $inputs.id", "value: $steps.get.outputs.missing")
      ),
    code: "unknown-output",
    at: "$steps.get.outputs.missing"
  },
  {
    name: "$inputs not in the inputs schema",
    text: header() + workflow(ok.replace("value: $inputs.id", "value: $inputs.idd")),
    code: "unknown-input",
    at: "$inputs.idd"
  },
  {
    name: "$response in a request",
    text: header() + workflow(ok.replace("value: $inputs.id", "value: $response.body#/id")),
    code: "no-response",
    at: "$response.body#/id"
  },
  // The Arazzo schema itself requires `in` on parameters of operation steps.
  {
    name: "operation parameter without in",
    text: header() + workflow(ok.replace("in: path, ", "")),
    code: "structure-required",
    at: "{ name: workflowId",
    message: /needs `in`/
  },
  {
    name: "required path parameter not given",
    text: header() + workflow(ok.replace("name: workflowId", "name: workflow_id")),
    code: "missing-path-parameter",
    at: "stepId: get",
    message: /gives `workflow_id`/
  },
  {
    name: "call to an unknown workflow",
    text: header() + workflow("  - stepId: call\n    workflowId: ghost\n"),
    code: "unknown-workflow",
    at: "ghost"
  },
  {
    name: "required input of a called workflow not passed",
    text: header() + workflow(ok) +
      workflow("  - stepId: call\n    workflowId: flow\n").replace("workflowId: flow", "workflowId: caller"),
    code: "missing-workflow-input",
    at: "stepId: call",
    message: /requires `id`/
  },
  {
    name: "unreachable step",
    text: header() +
      workflow(ok + "    onSuccess:\n      - { name: stop, type: end }\n" + ok.replace("stepId: get", "stepId: never")),
    code: "unreachable-step",
    severity: "warning",
    at: "never"
  },
  {
    name: "loop with no exit",
    text: header() + workflow(ok + "    onSuccess:\n      - { name: again, type: goto, stepId: get }\n"),
    code: "loop-without-exit",
    severity: "warning",
    at: "get"
  },
  {
    name: "runtime expression syntax, at the column",
    text: header() + workflow(ok.replace("value: $inputs.id", "value: $steps.get.outputs")),
    code: "expression-syntax",
    at: ".outputs",
    after: "$steps.get",
    message: /expected '\.outputs\.'/
  },
  {
    name: "condition syntax, at the column",
    text: header() + workflow(ok.replace("$statusCode == 200", "$statusCode == 200 &&")),
    code: "condition-syntax",
    at: "\n",
    after: "$statusCode == 200 &&",
    message: /expected an operand after '&&'/
  },
  {
    name: "a local source file that does not exist",
    text: header("  - { name: api, url: ./missing.yml, type: openapi }") + workflow(ok),
    code: "source-unresolved",
    at: "./missing.yml"
  },
  {
    name: "a remote source is only a warning",
    text: header("  - { name: api, url: https://example.com/api.yml, type: openapi }") + workflow(ok),
    code: "source-remote",
    severity: "warning",
    at: "https://example.com/api.yml"
  },
  {
    name: "bare expression in a string",
    text: header() + workflow(ok.replace("value: $inputs.id", "value: id-$inputs.id")),
    code: "bare-expression",
    severity: "warning",
    at: "$inputs.id",
    after: "value: id-"
  },
  {
    name: "YAML syntax: a key given twice",
    text: header() + workflow(ok, "    summary: a\n    summary: b\n"),
    code: "yaml-syntax",
    at: "summary: b"
  }
]

const position = (text: string, needle: string, after?: string): [number, number] => {
  const from = after === undefined ? 0 : text.indexOf(after) + after.length
  const before = text.slice(0, text.indexOf(needle, from)).split("\n")
  return [before.length, before[before.length - 1]!.length + 1]
}

describe("check: semantic diagnostics", () => {
  it.each(cases)("$name → $code", async ({ text, code, severity = "error", at, after, message }) => {
    const file = path.join(dir, `${code}.arazzo.yml`)
    await writeFile(file, text)
    const diagnostics = await checkDocument(file, { cwd: dir })
    const found = diagnostics.find((d) => d.code === code)
    expect(found, JSON.stringify(diagnostics, null, 1)).toBeDefined()
    expect([found!.line, found!.column]).toEqual(position(text, at, after))
    expect(found!.severity).toBe(severity)
    if (message) expect(found!.message).toMatch(message)
  })

  it("reports nothing for a clean document, and leaves out constructs the generator cannot compile yet", async () => {
    const file = path.join(dir, "clean.arazzo.yml")
    await writeFile(
      file,
      header() + workflow(ok + "    onFailure:\n      - { name: again, type: retry, retryAfter: 1, retryLimit: 3 }\n")
    )
    expect(withoutCredentialWarnings(await checkDocument(file, { cwd: dir }))).toEqual([])
  })
})

describe("check: nested names", () => {
  it("reads `$inputs.customer.uri` as property `uri` of input `customer`, and still rejects an unknown root", async () => {
    const text = header() + workflow(ok.replace("value: $inputs.id", "value: $inputs.customer.uri"))
      .replace(
        "properties: { id: { type: string } }",
        "properties: { id: { type: string }, customer: { type: object } }"
      )
    const file = path.join(dir, "nested.arazzo.yml")
    await writeFile(file, text)
    expect(withoutCredentialWarnings(await checkDocument(file, { cwd: dir }))).toEqual([])
    await writeFile(file, text.replace("$inputs.customer.uri", "$inputs.client.uri"))
    expect(withoutCredentialWarnings(await checkDocument(file, { cwd: dir })).map((d) => d.code)).toEqual([
      "unknown-input"
    ])
  })
})

describe("check: operationPath written with the source name", () => {
  it("resolves `api#/paths/…` as meant, with a warning showing the spec form", async () => {
    const text = header() +
      workflow(
        ok.replace("operationId: getWorkflow", "operationPath: api#/paths/~1v2~1consumer~1workflows~1{workflowId}/get")
      )
    const file = path.join(dir, "shorthand.arazzo.yml")
    await writeFile(file, text)
    const diagnostics = withoutCredentialWarnings(await checkDocument(file, { cwd: dir }))
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["operation-path-shorthand", "warning"]])
    expect(diagnostics[0]!.message).toContain(
      "{$sourceDescriptions.api.url}#/paths/~1v2~1consumer~1workflows~1{workflowId}/get"
    )
  })

  it("resolves `$sourceDescriptions.api#/paths/…` (no braces, no .url) as meant, with the same warning", async () => {
    const text = header() +
      workflow(
        ok.replace(
          "operationId: getWorkflow",
          "operationPath: $sourceDescriptions.api#/paths/~1v2~1consumer~1workflows~1{workflowId}/get"
        )
      )
    const file = path.join(dir, "shorthand-sd.arazzo.yml")
    await writeFile(file, text)
    const diagnostics = withoutCredentialWarnings(await checkDocument(file, { cwd: dir }))
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["operation-path-shorthand", "warning"]])
    expect(diagnostics[0]!.message).toContain(
      "{$sourceDescriptions.api.url}#/paths/~1v2~1consumer~1workflows~1{workflowId}/get"
    )
  })
})

describe("check: OpenAPI descriptions with broken $refs", () => {
  it("warns once per source, types what the broken references describe as unknown, and goes on", async () => {
    const openapi = (await readFile(path.join(dir, "api.yml"), "utf8"))
      .replace("schema: { $ref: '#/components/schemas/Workflow' }", "schema: { $ref: '#/components/schemas/Gone' }")
    await writeFile(path.join(dir, "broken.yml"), openapi)
    const file = path.join(dir, "broken-refs.arazzo.yml")
    await writeFile(file, header("  - { name: api, url: ./broken.yml, type: openapi }") + workflow(ok))
    const diagnostics = withoutCredentialWarnings(await checkDocument(file, { cwd: dir }))
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["source-broken-refs", "warning"]])
    expect(diagnostics[0]!.message).toContain("#/components/schemas/Gone")
    expect([diagnostics[0]!.line, diagnostics[0]!.column]).toEqual([4, 23]) // the url value
  })
})

describe("check: documents with arazzo sources", () => {
  const withOther = async (steps: string) => {
    await writeFile(
      path.join(dir, "other.arazzo.yml"),
      header() + workflow(ok).replace("workflowId: flow", "workflowId: other-flow")
    )
    const file = path.join(dir, "uses-other.arazzo.yml")
    await writeFile(
      file,
      header(
        "  - { name: api, url: ./api.yml, type: openapi }\n  - { name: other, url: ./other.arazzo.yml, type: arazzo }"
      ) + workflow(steps)
    )
    return analyzeDocument(file, { cwd: dir })
  }

  it("resolves operationIds in the OpenAPI sources, and compiles a step that runs the other document's workflow", async () => {
    const { document, diagnostics } = await withOther(
      ok +
        "  - stepId: again\n    workflowId: $sourceDescriptions.other.other-flow\n    parameters:\n      - { name: id, value: $inputs.id }\n"
    )
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(document?.imports.map((i) => i.source)).toEqual(["other"])
  })

  it("reports an unknown operationId instead of dropping the document silently", async () => {
    const { document, diagnostics } = await withOther(ok.replace("operationId: getWorkflow", "operationId: getWorkflw"))
    expect(document).toBeUndefined()
    expect(diagnostics.map((d) => d.code)).toContain("unknown-operation")
  })

  it("names a workflow the other document does not have", async () => {
    const { diagnostics } = await withOther("  - stepId: call\n    workflowId: $sourceDescriptions.other.nope\n")
    expect(diagnostics.find((d) => d.code === "unknown-workflow")?.message).toContain("has no workflow `nope`")
  })
})
