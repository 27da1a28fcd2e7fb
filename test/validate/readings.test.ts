/**
 * Slips a reader resolves at a glance are compiled as meant, each with a warning that gives the
 * spec form, at the text it is about; where two readings fit, or none, it stays an error.
 * Documents under test/fixtures/readings.
 */
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDocument } from "../../generator/check.js"
import type { Diagnostic } from "../../generator/diagnostics.js"

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
})
