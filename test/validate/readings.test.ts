/**
 * Slips a reader resolves at a glance are compiled as meant, each with a warning that gives the
 * spec form, at the text it is about; where two readings fit, or none, it stays an error.
 * Documents under test/fixtures/readings.
 */
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDocument } from "../../generator/check.js"
import type { Diagnostic } from "../../generator/diagnostics.js"
import { emitModule } from "../../generator/emit/module.js"

const root = path.resolve(import.meta.dirname, "../..")
const fixture = (name: string) => path.join(root, "test/fixtures/readings", name)

const analyze = (name: string) => analyzeDocument(fixture(name), { cwd: root })

const only = (diagnostics: ReadonlyArray<Diagnostic>, code: string) => {
  const found = diagnostics.filter((d) => d.code === code)
  return found.map((d) => ({ severity: d.severity, at: `${d.line}:${d.column}`, message: d.message }))
}

describe("readings as meant", () => {
  it("a source in the publisher's _original/ folder", async () => {
    const { document, diagnostics } = await analyze("original/flow.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "source-relocated")).toEqual([{
      severity: "warning",
      at: "4:23",
      message:
        "source description `api` points at ./openapi/api.yml, which does not exist; read as test/fixtures/readings/original/openapi/_original/api.yml (in the publisher's `_original/` folder beside it). Spec form: `url: ./openapi/_original/api.yml`"
    }])
  })

  it("a source URL written relative to an ancestor directory", async () => {
    const { document, diagnostics } = await analyze("ancestor/flow.yaml")
    expect(document).toBeDefined()
    const [relocated] = only(diagnostics, "source-relocated")
    expect(relocated?.at).toBe("4:23")
    expect(relocated?.message).toMatch(
      /^source description `api` points at apis\/api\.yml, which does not exist; read as test\/fixtures\/readings\/apis\/api\.yml \(relative to the ancestor directory .*test\/fixtures\/readings\)\. Spec form: `url: \.\.\/apis\/api\.yml`$/
    )
  })

  it("two plausible source files: an error naming both", async () => {
    const { document, diagnostics } = await analyze("ambiguous/flow.yaml")
    expect(document).toBeUndefined()
    expect(only(diagnostics, "source-ambiguous")).toEqual([{
      severity: "error",
      at: "4:23",
      message:
        "source description `api` points at apis/api.yml, which does not exist; test/fixtures/readings/ambiguous/apis/_original/api.yml and test/fixtures/readings/apis/api.yml both fit. Name the one meant with --source api=<file>, or correct the url"
    }])
  })

  it("an operationId in another case, $response.headers, #token, $response.body.a.b, prose after an expression", async () => {
    const { document, diagnostics } = await analyze("expressions.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "operation-id-case")).toEqual([{
      severity: "warning",
      at: "10:22",
      message: "operationId `GetITEM` differs in case from the OpenAPI's; read as meant. Spec form: `getItem`"
    }])
    expect(only(diagnostics, "expression-shorthand")).toEqual([
      {
        severity: "warning",
        at: "12:53",
        message:
          "`$inputs.id (optional)` is not a runtime expression as written (the prose after the expression is not part of it); read as meant. Spec form: `$inputs.id`"
      },
      {
        severity: "warning",
        at: "16:27",
        message:
          "`$response.headers.X-Next` is not a runtime expression as written (`headers` is written `header` (singular)); read as meant. Spec form: `$response.header.X-Next`"
      },
      {
        severity: "warning",
        at: "17:31",
        message:
          "`$response.body.data.name` is not a runtime expression as written (a field of the body is selected with a JSON pointer); read as meant. Spec form: `$response.body#/data/name`"
      },
      {
        severity: "warning",
        at: "18:29",
        message:
          "`$response.body#id` is not a runtime expression as written (a JSON pointer starts with `/` after `#`); read as meant. Spec form: `$response.body#/id`"
      }
    ])
    // Read as the spec forms: the outputs are typed from the response.
    const step = JSON.stringify(document!.workflows[0]!.steps[0])
    expect(step).toContain(`"operation":"api GET /items/{id}"`)
    expect(step).toContain(`{"kind":"responseHeader","name":"x-next"}`)
    expect(step).toMatch(/"name":"name","value":\{"kind":"responseBody","path":\[[^\]]*"data"[^\]]*"name"/)
  })

  it("a missing operation suggests a near name whose method fits", async () => {
    const { diagnostics } = await analyze("missing.yaml")
    expect(only(diagnostics, "unknown-operation").map((d) => d.message)).toEqual([
      "no operation has operationId `createItems`; did you mean `createItem`?"
    ])
  })

  it("a missing POST operation never suggests a GET one", async () => {
    const { diagnostics } = await analyze("missing-post.yaml")
    // `getItem` is as near to `postItem` as `createItem` is to `createItems`, but it is a GET.
    expect(only(diagnostics, "unknown-operation").map((d) => d.message)).toEqual([
      "no operation has operationId `postItem`"
    ])
  })

  it("an operationId the OpenAPI reuses: the one operation the step's parameters fit", async () => {
    const { document, diagnostics } = await analyze("reused/flow.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "operation-id-duplicate")).toEqual([
      {
        severity: "warning",
        at: "9:22",
        message:
          "operationId `sites` is used by 2 operations of `api` (GET /sites, GET /sites/{siteId}); read as GET /sites, the only one the step's parameters fit. Spec form: `operationPath: {$sourceDescriptions.api.url}#/paths/~1sites/get`"
      },
      {
        severity: "warning",
        at: "11:22",
        message:
          "operationId `sites` is used by 2 operations of `api` (GET /sites, GET /sites/{siteId}); read as GET /sites/{siteId}, the only one the step's parameters fit. Spec form: `operationPath: {$sourceDescriptions.api.url}#/paths/~1sites~1{siteId}/get`"
      }
    ])
    expect(document!.workflows[0]!.steps.map((s) => s.operation)).toEqual(["api GET /sites", "api GET /sites/{siteId}"])
  })

  it("an operationId the OpenAPI reuses where the parameters fit both: an error naming both", async () => {
    const { document, diagnostics } = await analyze("reused/both-fit.yaml")
    expect(document).toBeUndefined()
    expect(only(diagnostics, "ambiguous-operation")).toEqual([{
      severity: "error",
      at: "9:22",
      message:
        "operationId `deleteTag` is used by 2 operations of `api` (DELETE /v1/tags/{tagId}, DELETE /v2/tags/{tagId}); name one with an operationPath"
    }])
  })

  it("a reused operationId the parameters fit twice: the one at the path the workflow's other steps call", async () => {
    const { diagnostics } = await analyze("reused/sibling.yaml")
    expect(only(diagnostics, "operation-id-duplicate")).toEqual([{
      severity: "warning",
      at: "13:22",
      message:
        "operationId `deleteTag` is used by 2 operations of `api` (DELETE /v1/tags/{tagId}, DELETE /v2/tags/{tagId}), and the step's parameters fit 2; read as DELETE /v2/tags/{tagId}, at the path step `read` of this workflow also calls. Spec form: `operationPath: {$sourceDescriptions.api.url}#/paths/~1v2~1tags~1{tagId}/delete`"
    }])
    // Other steps at both paths: both fit, an error.
    expect(only(diagnostics, "ambiguous-operation")).toEqual([{
      severity: "error",
      at: "27:22",
      message:
        "operationId `deleteTag` is used by 2 operations of `api` (DELETE /v1/tags/{tagId}, DELETE /v2/tags/{tagId}); name one with an operationPath"
    }])
  })

  it("output names with prose or spaces, and reads with a wildcard", async () => {
    const { document, diagnostics } = await analyze("outputs.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "output-name-prose")).toEqual([{
      severity: "warning",
      at: "19:42",
      message:
        "`$steps.get.outputs.next` reads output `next (optional)` of step `get`, whose name carries prose in parentheses; read as meant. Spec form: name the output `next`"
    }])
    expect(only(diagnostics, "name-with-spaces")).toEqual([
      {
        severity: "warning",
        at: "21:35",
        message:
          "`$steps.get.outputs.item details` reads output `item details` of step `get`, whose name has spaces (a runtime expression ends at a space); read as meant. Spec form: name it `item_details`"
      },
      {
        severity: "warning",
        at: "24:22",
        message:
          "`$inputs.Aux Price` reads input `Aux Price` of workflow names, whose name has spaces (a runtime expression ends at a space); read as meant. Spec form: name it `Aux_Price`"
      }
    ])
    expect(only(diagnostics, "output-projection").map((d) => `${d.at} ${d.message}`)).toEqual([
      "22:12 `$steps.get.outputs.items[*].id` selects with a wildcard (`[*]`), which runtime expressions do not have; read as `id` of each item of `items`, a list. Spec form: none; make it an output of step `get`, e.g. a `$response.body#/…` list",
      "23:14 `$steps.get.outputs.items[].name` selects with a wildcard (`[]`), which runtime expressions do not have; read as `name` of each item of `items`, a list. Spec form: none; make it an output of step `get`, e.g. a `$response.body#/…` list"
    ])
    const workflow = document!.workflows[0]!
    expect(workflow.steps[1]!.parameters[0]!.value).toEqual({
      kind: "stepOutput",
      stepId: "get",
      name: "next (optional)",
      path: []
    })
    expect(workflow.outputs.map((o) => o.value)).toEqual([
      { kind: "stepOutput", stepId: "get", name: "item details", path: [] },
      { kind: "stepOutput", stepId: "get", name: "items", path: [], each: ["id"] },
      { kind: "stepOutput", stepId: "get", name: "items", path: [], each: ["name"] },
      { kind: "input", name: "Aux Price", path: [] }
    ])
  })

  it("two outputs with one name before their prose, or an index placeholder: errors", async () => {
    const { document, diagnostics } = await analyze("outputs-two.yaml")
    expect(document).toBeUndefined()
    expect(only(diagnostics, "ambiguous-output")).toEqual([{
      severity: "error",
      at: "16:13",
      message:
        "`$steps.get.outputs.next`: step `get` has no output `next`; `next (optional)` and `next (a cursor)` both fit. Name the outputs without the prose in parentheses"
    }])
    expect(only(diagnostics, "unknown-output").map((d) => `${d.at} ${d.severity}`)).toEqual(["17:14 error"])
  })

  it("a JSONPath filter in an output read: the list of the selected items' member", async () => {
    const { document, diagnostics } = await analyze("filters.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "output-filter").map((d) => `${d.at} ${d.severity} ${d.message}`)).toEqual([
      "17:42 warning `$steps.get.outputs.order.items[?(@.sent==false)].id` selects with a JSONPath filter (`[?(@.sent==false)]`), which runtime expressions do not have; read as the list of `id` of the items of `order.items` that the RFC 9535 query `$[?(@.sent==false)]` selects (a list even when one item matches). Spec form: none; a runtime expression cannot filter",
      "19:15 warning `$steps.get.outputs.order.items[?(@.sent==false)].id` selects with a JSONPath filter (`[?(@.sent==false)]`), which runtime expressions do not have; read as the list of `id` of the items of `order.items` that the RFC 9535 query `$[?(@.sent==false)]` selects (a list even when one item matches). Spec form: none; a runtime expression cannot filter",
      "20:15 warning `$steps.get.outputs.order.items[?(@.name=='On-Break')]` selects with a JSONPath filter (`[?(@.name=='On-Break')]`), which runtime expressions do not have; read as the list of the items of `order.items` that the RFC 9535 query `$[?(@.name=='On-Break')]` selects (a list even when one item matches). Spec form: none; a runtime expression cannot filter"
    ])
    const workflow = document!.workflows[0]!
    expect(workflow.outputs.map((o) => o.value)).toEqual([
      {
        kind: "stepOutput",
        stepId: "get",
        name: "order",
        path: ["items"],
        filter: "$[?(@.sent==false)]",
        each: ["id"]
      },
      {
        kind: "stepOutput",
        stepId: "get",
        name: "order",
        path: ["items"],
        filter: "$[?(@.name=='On-Break')]",
        each: []
      }
    ])
    // Each query is compiled once, when the module loads, and the read keeps what it selects.
    const { text } = emitModule(document!, "filters.yaml")
    expect(text).toContain(`const query1 = Arazzo.jsonPath("$[?(@.sent==false)]")`)
    expect(text).toContain(`const query2 = Arazzo.jsonPath("$[?(@.name=='On-Break')]")`)
    expect(text).toContain(`Arazzo.each(Arazzo.where(query1, Arazzo.at(`)
  })

  it("a filter that is not RFC 9535, or two filters: no reading, an error", async () => {
    const { document, diagnostics } = await analyze("filters-none.yaml")
    expect(document).toBeUndefined()
    expect(only(diagnostics, "output-filter")).toEqual([])
    expect(only(diagnostics, "unknown-output").map((d) => `${d.at} ${d.severity}`)).toEqual([
      "15:15 error",
      "16:12 error"
    ])
  })

  it("an operation declared as a $ref to a file that is not there: absent, not missing", async () => {
    const { document, diagnostics } = await analyze("unresolved/flow.yaml")
    expect(document).toBeUndefined()
    expect(
      diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)
    ).toEqual([
      "11:24 operation-unresolved `api` declares POST /droplets as a $ref that cannot be resolved (test/fixtures/readings/unresolved/resources/droplets_create.yml: no such file); its parameters and responses are unknown. Give a description that holds it (bundled) with --source api=<file>",
      "13:24 operation-unresolved `api` declares path /volumes as a $ref that cannot be resolved (test/fixtures/readings/unresolved/resources/volumes.yml: no such file); whether it has GET, and its parameters and responses, are unknown. Give a description that holds it (bundled) with --source api=<file>",
      "15:24 unknown-operation `api` has no DELETE /droplets",
      "17:22 unknown-operation no operation has operationId `createDroplet` (2 operation(s) are $refs that cannot be resolved; it may be one of them)"
    ])
  })

  it("unknown keys in the document's metadata are warnings; the document compiles", async () => {
    const { document, diagnostics } = await analyze("metadata.yaml")
    expect(document).toBeDefined()
    expect(only(diagnostics, "unknown-metadata-key")).toEqual([
      {
        severity: "warning",
        at: "5:12",
        message:
          "unexpected property `contact` in `info`, an Info object (it takes `title`, `summary`, `description`, `version` and `x-` extensions); it cannot change what the workflows do, so it is ignored. Spec form: `x-contact`, or leave it out"
      },
      {
        severity: "warning",
        at: "6:7",
        message:
          "unexpected property `tags` in the document, an Arazzo document (it takes `arazzo`, `info`, `sourceDescriptions`, `workflows`, `components` and `x-` extensions); it cannot change what the workflows do, so it is ignored. Spec form: `x-tags`, or leave it out"
      }
    ])
  })

  it("an unknown key close to a known one, or one in a step, stays an error", async () => {
    const { document, diagnostics } = await analyze("typo-keys.yaml")
    expect(document).toBeUndefined()
    expect(only(diagnostics, "unknown-metadata-key")).toEqual([])
    expect(only(diagnostics, "structure-additional-property")).toEqual([
      {
        severity: "error",
        at: "4:3",
        message:
          "unexpected property `sourceDescription` in the document, an Arazzo document (did you mean `sourceDescriptions`?)"
      },
      {
        severity: "error",
        at: "12:17",
        message:
          "unexpected property `method` in step `get` of workflow `read`, a Step object (it takes `stepId`, `description`, `operationId`, `operationPath`, `workflowId`, `parameters`, `requestBody`, `successCriteria`, `onSuccess`, `onFailure`, `outputs` and `x-` extensions)"
      }
    ])
  })
})
