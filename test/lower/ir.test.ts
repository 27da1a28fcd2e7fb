/**
 * The IR, given small documents: the decisions lowering takes and emitters only print. Each
 * case is a document in, the part of the IR it decides out.
 */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { analyzeDocument } from "../../generator/check.js"
import type { DocumentIR, StepIR, WorkflowIR } from "../../generator/lower/ir.js"

const OPENAPI = `openapi: 3.0.3
info: { title: Items, version: "1" }
servers: [{ url: "https://items.example" }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        "200":
          description: the item
          content:
            application/json:
              schema:
                type: object
                required: [id, count]
                properties:
                  id: { type: string }
                  count: { type: integer }
                  note: { type: string }
        "404": { description: none }
  /jobs:
    get:
      operationId: getJob
      responses:
        "200":
          description: the job
          content:
            application/json:
              schema: { type: object, required: [state], properties: { state: { type: string } } }
        "202":
          description: still running
          content:
            application/json:
              schema: { type: object, required: [state], properties: { state: { type: string } } }
`

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "arazzo-ir-"))
  await writeFile(path.join(dir, "items.yaml"), OPENAPI)
})

/** `workflows` (YAML at two spaces, under `workflows:`), lowered; fails the test on any error. */
const lower = async (workflows: string, components = ""): Promise<DocumentIR> =>
  (await analyze(workflows, components)).ir

const analyze = async (workflows: string, components = "") => {
  const file = path.join(dir, `doc-${Math.random().toString(36).slice(2)}.arazzo.yaml`)
  await writeFile(
    file,
    `arazzo: 1.0.1
info: { title: t, version: "1" }
sourceDescriptions:
  - { name: items, url: ./items.yaml, type: openapi }
${components}workflows:
${workflows}`
  )
  const { document, diagnostics } = await analyzeDocument(file)
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
  return { ir: document!, warnings: diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`) }
}

const workflow = (ir: DocumentIR, id: string): WorkflowIR => ir.workflows.find((w) => w.workflowId === id)!
const step = (w: WorkflowIR, id: string): StepIR => w.steps.find((s) => s.stepId === id)!

const GET_ITEM = `operationId: getItem
        parameters: [{ name: id, in: path, value: $inputs.id }]`
const INPUTS = `    inputs: { type: object, required: [id], properties: { id: { type: string } } }\n`

describe("lowering decides", () => {
  it("linear when no step goes anywhere but on; a state machine when one goes back or skips", async () => {
    const ir = await lower(`  - workflowId: straight
${INPUTS}    steps:
      - stepId: a
        ${GET_ITEM}
      - stepId: b
        ${GET_ITEM}
        onSuccess:
          - { name: next, type: goto, stepId: c }
      - stepId: c
        ${GET_ITEM}
  - workflowId: loops
${INPUTS}    steps:
      - stepId: a
        ${GET_ITEM}
      - stepId: b
        ${GET_ITEM}
        onSuccess:
          - { name: again, type: goto, stepId: a, criteria: [{ condition: $response.body#/count > 1 }] }
`)
    expect(workflow(ir, "straight").shape).toBe("linear")
    // `goto` to the next step is "go on": it is printed as nothing, so it does not make a state machine.
    expect(step(workflow(ir, "straight"), "b").actions).toEqual([])
    expect(workflow(ir, "loops").shape).toBe("stateMachine")
    expect(workflow(ir, "loops").errors[0]!.tags).toContain("StepLimitExceeded")
    expect(workflow(ir, "straight").errors[0]!.tags).not.toContain("StepLimitExceeded")
  })

  it("keeps a step's result only when a later step reads it or its own actions test it", async () => {
    const ir = await lower(`  - workflowId: flow
${INPUTS}    steps:
      - stepId: read
        ${GET_ITEM}
        outputs: { itemId: $response.body#/id }
      - stepId: unread
        ${GET_ITEM}
        outputs: { note: $response.body#/note }
      - stepId: tested
        ${GET_ITEM}
        onSuccess:
          - { name: done, type: end, criteria: [{ condition: $response.body#/count == 0 }] }
      - stepId: last
        operationId: getItem
        parameters: [{ name: id, in: path, value: $steps.read.outputs.itemId }]
`)
    const w = workflow(ir, "flow")
    expect(w.steps.map((s) => [s.stepId, s.kept])).toEqual([
      ["read", true],
      ["unread", false],
      ["tested", true],
      ["last", false]
    ])
    // Read only by later steps: only the outputs are held, so a run in flight keeps no response.
    expect(w.steps.map((s) => [s.stepId, s.keeps])).toEqual([
      ["read", "outputs"],
      ["unread", undefined],
      ["tested", "result"],
      ["last", undefined]
    ])
  })

  it("the decisive actions: up to the first without criteria, without trailing go-ons; a first goto to itself is a poll", async () => {
    const ir = await lower(`  - workflowId: flow
${INPUTS}    steps:
      - stepId: poll
        operationId: getJob
        successCriteria: [{ condition: $statusCode == 200 || $statusCode == 202 }]
        onSuccess:
          - { name: wait, type: goto, stepId: poll, criteria: [{ condition: $statusCode == 202 }] }
          - { name: failed, type: end, criteria: [{ condition: $response.body#/state == 'failed' }] }
          - { name: onward, type: goto, stepId: read }
          - { name: never, type: end }
      - stepId: read
        ${GET_ITEM}
`)
    const poll = step(workflow(ir, "flow"), "poll")
    expect(poll.poll).toMatchObject({ action: "wait", criterion: { text: "$statusCode == 202" } })
    // `onward` goes on to the next step: trailing, so left out; `never` comes after it and is unreachable.
    expect(poll.actions.map((a) => [a.name, a.kind])).toEqual([["failed", "end"]])
    expect(workflow(ir, "flow").shape).toBe("linear")
  })

  it("a step without success criteria succeeds on 2xx (the default criterion); with criteria, only on them", async () => {
    const ir = await lower(`  - workflowId: flow
${INPUTS}    steps:
      - stepId: plain
        ${GET_ITEM}
      - stepId: checked
        ${GET_ITEM}
        successCriteria: [{ condition: $statusCode == 200 }]
`)
    const w = workflow(ir, "flow")
    expect([step(w, "plain").defaultSuccess, step(w, "plain").successCriteria]).toEqual([true, []])
    expect(step(w, "checked").defaultSuccess).toBe(false)
    expect(step(w, "checked").successCriteria.map((c) => c.text)).toEqual(["$statusCode == 200"])
  })

  it("output types: required members present when the criteria name the status, integers as integers", async () => {
    const ir = await lower(`  - workflowId: flow
${INPUTS}    steps:
      - stepId: certain
        ${GET_ITEM}
        successCriteria: [{ condition: $statusCode == 200 }]
        outputs: { id: $response.body#/id, count: $response.body#/count, note: $response.body#/note }
      - stepId: job
        operationId: getJob
        outputs: { state: $response.body#/state, type: $response.header.content-type }
    outputs:
      id: $steps.certain.outputs.id
      fixed: literal
`)
    const w = workflow(ir, "flow")
    const types = (s: StepIR) => s.outputs.map((o) => [o.name, o.type.kind, o.optional])
    expect(types(step(w, "certain"))).toEqual([
      ["id", "string", false],
      ["count", "integer", false],
      ["note", "string", true]
    ])
    // Two 2xx responses are declared and no criterion says which: the schema may not apply.
    expect(types(step(w, "job"))).toEqual([["state", "string", true], ["type", "string", true]])
    expect(w.outputs.map((o) => [o.name, o.type.kind, o.optional])).toEqual([
      ["id", "string", false],
      ["fixed", "string", false]
    ])
  })

  it("workflow references as data: a step that runs one, dependsOn, a goto to one, a retry that runs one", async () => {
    const ir = await lower(`  - workflowId: helper
${INPUTS}    steps:
      - stepId: get
        ${GET_ITEM}
        outputs: { itemId: $response.body#/id }
    outputs: { itemId: $steps.get.outputs.itemId }
  - workflowId: main
${INPUTS}    dependsOn: [helper]
    steps:
      - stepId: run
        workflowId: helper
        parameters: [{ name: id, value: $inputs.id }]
        outputs: { itemId: $outputs.itemId }
      - stepId: get
        ${GET_ITEM}
        onSuccess:
          - { name: handOver, type: goto, workflowId: helper, criteria: [{ condition: $statusCode == 200 }] }
        onFailure:
          - { name: again, type: retry, workflowId: helper, retryLimit: 2 }
`)
    const main = workflow(ir, "main")
    const ref = { workflowId: "helper", source: undefined }
    expect(main.dependsOn).toEqual([ref])
    expect(step(main, "run").call?.workflow).toEqual(ref)
    expect(step(main, "run").outputs[0]!.type).toEqual({ kind: "workflowOutput", workflow: ref, name: "itemId" })
    expect(step(main, "get").actions).toMatchObject([{ kind: "gotoWorkflow", target: ref }])
    expect(step(main, "get").failureActions).toMatchObject([{ kind: "retry", workflow: ref, retryLimit: 2 }])
    expect(main.errors.map((e) => e.workflow)).toEqual([{ workflowId: "main", source: undefined }, ref])
  })

  it("actions reached through $components decide like written ones, and count in the flow", async () => {
    const { ir, warnings } = await analyze(
      `  - workflowId: flow
${INPUTS}    steps:
      - stepId: a
        ${GET_ITEM}
        onSuccess:
          - reference: $components.successActions.toC
      - stepId: b
        ${GET_ITEM}
      - stepId: c
        ${GET_ITEM}
`,
      `components:
  successActions:
    toC: { name: toC, type: goto, stepId: c }
`
    )
    const w = workflow(ir, "flow")
    expect(w.shape).toBe("stateMachine")
    expect(step(w, "a").actions).toEqual([{ name: "toC", kind: "goto", target: "c", criterion: undefined }])
    // `a` always goes to `c` through the component: `b` can never run (line 17 is `- stepId: b`).
    expect(warnings).toEqual(["17:17 unreachable-step"])
  })
})
