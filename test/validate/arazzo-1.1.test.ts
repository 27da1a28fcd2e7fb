/**
 * Arazzo 1.1 documents against the 1.1 schema, 1.0 documents against the 1.0 one: the OAI's 1.1
 * pass fixtures have no structural error and `check` them clean, every fail fixture is rejected at
 * a pinned place. Remote sources are never fetched (a warning); a source file the fixture names but
 * the OAI does not ship is tolerated here the same way (its steps are checked as far as they can be).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDocument, checkDocument } from "../../generator/check.js"
import type { Diagnostic } from "../../generator/diagnostics.js"
import { parseYaml } from "../../generator/load/yaml.js"
import { schemaLineOf, validateStructure } from "../../generator/validate/structure.js"

const root = path.resolve(import.meta.dirname, "../..")
const dir = "test/fixtures/oai-1.1"
const names = (kind: string) => readdirSync(path.join(root, dir, kind)).filter((n) => n.endsWith(".yaml")).sort()
const pass = names("pass")
const fail = names("fail")

const structure = (file: string): Array<Diagnostic> => {
  const { source, errors } = parseYaml(file, readFileSync(path.join(root, file), "utf8"))
  expect(errors).toEqual([])
  return validateStructure(source)
}

const at = (d: Diagnostic) => `${d.code} ${d.line}:${d.column}`

/** Steps that call AsyncAPI operations (test/asyncapi/ compiles and runs local ones). */
const asyncFixtures = pass.filter((n) => /async/i.test(readFileSync(path.join(root, dir, "pass", n), "utf8")))

/**
 * Pass fixtures whose documents say something that cannot hold, found past the schema: each the
 * same finding its 1.0 original gets, or a reference that names nothing.
 */
const documentErrors: Record<string, ReadonlyArray<string>> = {
  // The 1.0 bnpl example: a step read where it has not run, an output no step declares.
  "bnpl-example.yaml": ["step-not-run 242:16", "unknown-output 253:16", "unknown-output 264:16"],
  // The 1.0 pet-coupons example: `$statusCode` in a step that calls a workflow (no response there).
  "pet-coupons-example.yaml": ["no-response 54:24", "no-response 87:24"],
  // Its point: an operationPath that is not `{$sourceDescriptions.<name>.url}#/paths/…` (the schema cannot tell).
  "characterization-openapi-invalid-operationPath-string.arazzo.yaml": ["operation-path-syntax 15:24"],
  // The source is `UserAPI`; `$sourceDescriptions.userAPI` names none (names are case-sensitive).
  "openapi-success-criteria.arazzo.yaml": ["unknown-source 13:22"],
  "workflow-success-criteria.arazzo.yaml": ["workflow-not-run 15:24", "unknown-source 19:22"],
  // `$workflows.<id>.steps.<stepId>.outputs.<name>`: the 1.1 ABNF reads only inputs and outputs of a workflow.
  "async-depends-on-cross-workflow.arazzo.yaml": ["expression-syntax 32:47"],
  // Selector contexts are read like any expression: the workflow declares no input `user`.
  "parameter-with-selector.arazzo.yaml": ["unknown-input 18:24"],
  // `$steps.previous.outputs` names no output (and there is no step `previous`).
  "payload-replacement-using-selector.arazzo.yaml": ["expression-syntax 19:41"]
}

/** The one kind of finding about sources these fixtures may have: the file is not here. */
const tolerated = (d: Diagnostic) =>
  d.severity === "warning" || d.code === "source-remote" ||
  (d.code === "source-unresolved" && d.message.includes("no such file"))

describe("Arazzo 1.1 pass fixtures", () => {
  it("finds all 35", () => expect(pass.length).toBe(35))

  it.each(pass)("%s has no structural error under the 1.1 schema", (name) => {
    expect(structure(`${dir}/pass/${name}`)).toEqual([])
  })

  it.each(pass.filter((n) => !asyncFixtures.includes(n)))("%s checks clean", async (name) => {
    const found = await checkDocument(path.join(root, dir, "pass", name), { cwd: root })
    expect(found.filter((d) => !tolerated(d)).map(at)).toEqual(documentErrors[name] ?? [])
  })

  it.each(asyncFixtures)("%s checks clean; generating it waits only for its remote sources", async (name) => {
    const file = path.join(root, dir, "pass", name)
    const checked = await checkDocument(file, { cwd: root })
    expect(checked.filter((d) => !tolerated(d)).map(at)).toEqual(documentErrors[name] ?? [])
    // The sources these fixtures name are remote or not shipped: that is all that stops them, never their AsyncAPI steps.
    const { diagnostics } = await analyzeDocument(file, { cwd: root })
    const errors = diagnostics.filter((d) => d.severity === "error" && !tolerated(d)).map(at)
    expect(errors).toEqual(documentErrors[name] ?? [])
    expect(diagnostics.some((d) => d.code === "source-remote" || d.code === "source-unresolved")).toBe(true)
  })
})

describe("Selector Objects: valid 1.1, compiled", () => {
  it.each(["parameter-with-selector.arazzo.yaml", "payload-replacement-using-selector.arazzo.yaml"])(
    "%s raises no selector finding at generate time",
    async (name) => {
      const { diagnostics } = await analyzeDocument(path.join(root, dir, "pass", name), { cwd: root })
      expect(diagnostics.filter((d) => /selector|jsonpath|xpath|jsonpointer|replacement/.test(d.code))).toEqual([])
    }
  )
})

describe("Arazzo 1.1 fail fixtures", () => {
  /** Code and place of each finding; messages for a few below. */
  const expected: Record<string, ReadonlyArray<string>> = {
    "async-both-operationId-and-channelPath.arazzo.yaml": ["structure-one-of 12:9"],
    "async-channelPath-without-action.arazzo.yaml": ["structure-required 12:9"],
    "async-depends-on-duplicate-values.arazzo.yaml": ["structure-unique-items 20:13"],
    "async-depends-on-empty.arazzo.yaml": ["structure-min-items 18:20"],
    "async-depends-on-invalid-reference.arazzo.yaml": ["structure-pattern 22:13"],
    "channel-path-is-invalid-for-openapi.arazzo.yaml": ["structure-required 12:9"],
    "invalid-arazzo-version.yaml": ["structure-type 1:9", "structure-one-of 11:5"],
    "invalid-async-correlation-id-non-receive-action.arazzo.yaml": ["structure-const 14:17"],
    "invalid-async-parameter-without-in.arazzo.yaml": ["structure-required 16:13"],
    "invalid-async.arazzo.yaml": ["structure-enum 14:17"],
    "invalid-expression-type-object.arazzo.yaml": [
      "structure-required 16:13",
      "structure-additional-property 16:25",
      "structure-enum 20:24"
    ],
    "invalid-openapi-parameter-without-in.arazzo.yaml": ["structure-required 15:13"],
    "invalid-openapi-success-criteria.arazzo.yaml": ["structure-min-items 14:26"],
    "invalid-querystring-without-value.arazzo.yaml": ["structure-required 15:13"],
    "invalid-selector-object.arazzo.yaml": [
      "structure-required 16:13",
      "structure-required 16:13",
      "structure-additional-property 16:25"
    ],
    "invalid-self-fragment.arazzo.yaml": ["structure-pattern 2:8"],
    "invalid-targetSelectorType.arazzo.yaml": ["structure-enum 18:35"],
    "invalid-workflow-step-with-operationId.arazzo.yaml": ["structure-additional-property 14:21"],
    "invalid-workflow-success-criteria.arazzo.yaml": ["structure-min-items 14:26"],
    "not-an-object.yaml": ["structure-type 1:1"],
    "openapi-both-operationId-and-operationPath.arazzo.yaml": ["structure-one-of 12:9"],
    "openapi-duplicate-parameters.arazzo.yaml": ["structure-unique-items 18:13"],
    "openapi-missing-operation-target.arazzo.yaml": ["structure-one-of 12:9"],
    "workflow-duplicate-parameters.arazzo.yaml": ["structure-unique-items 17:13"],
    "workflow-missing-workflowId.arazzo.yaml": ["structure-one-of 12:9"],
    "workflow-step-with-action.arazzo.yaml": ["structure-additional-property 14:17"],
    "workflow-step-with-channelPath.arazzo.yaml": ["structure-additional-property 14:22"]
  }

  it("has an expectation for each of the 27", () => {
    expect(fail.length).toBe(27)
    expect(Object.keys(expected).sort()).toEqual(fail)
  })

  it.each(fail)("%s is rejected where expected", (name) => {
    const file = `${dir}/fail/${name}`
    const found = structure(file)
    expect(found.every((d) => d.severity === "error" && d.file === file)).toBe(true)
    expect(found.map(at)).toEqual(expected[name])
  })

  it("says what is wrong in 1.1 terms", () => {
    const message = (name: string) => structure(`${dir}/fail/${name}`).map((d) => d.message)
    expect(message("async-depends-on-invalid-reference.arazzo.yaml")).toEqual([
      "`dependsOn` entry `$steps.sendEvent` must be a stepId of this workflow, `$workflows.<workflowId>.steps.<stepId>` or `$sourceDescriptions.<name>.<workflowId>.steps.<stepId>`"
    ])
    expect(message("workflow-missing-workflowId.arazzo.yaml")).toEqual([
      "step `nestedWorkflow` of workflow `parentWorkflow` needs one of `operationId`, `operationPath` or `workflowId` (or, for an AsyncAPI step, `channelPath`): a step calls exactly one operation or workflow"
    ])
    expect(message("workflow-step-with-action.arazzo.yaml")[0]).toMatch(
      /^unexpected property `action` in step `nestedWorkflow` of workflow `parentWorkflow`, a workflow step \(it takes .*`timeout`, `dependsOn`/
    )
    expect(message("invalid-targetSelectorType.arazzo.yaml")).toEqual([
      "`requestBody.replacements[0].targetSelectorType` of step `step3` of workflow `wf3` must be one of `jsonpointer`, `jsonpath` or `xpath` (got `jmespath`)"
    ])
    expect(message("invalid-async-parameter-without-in.arazzo.yaml")[0]).toContain(
      "`path`, `query`, `querystring`, `header`, `cookie` or `channel`"
    )
  })
})

describe("each document against its own line's schema", () => {
  const doc = (version: string, stepExtra: string) =>
    `arazzo: ${version}\ninfo: {title: t, version: "1"}\nsourceDescriptions:\n  - {name: api, url: ./api.yml}\nworkflows:\n  - workflowId: w\n    steps:\n      - stepId: s\n        operationId: op\n${stepExtra}`
  const run = (text: string) => validateStructure(parseYaml("doc.yaml", text).source)

  it("picks the line by `arazzo`", () => {
    expect([schemaLineOf({ arazzo: "1.1.0" }), schemaLineOf({ arazzo: "1.0.1" }), schemaLineOf({ arazzo: 2 })]).toEqual(
      ["1.1", "1.0", "1.0"]
    )
  })

  it("a step `timeout` is 1.1: an unexpected property in a 1.0 document", () => {
    expect(run(doc("1.1.0", "        timeout: 500\n"))).toEqual([])
    expect(run(doc("1.0.1", "        timeout: 500\n")).map((d) => `${at(d)} ${d.message}`)).toEqual([
      expect.stringMatching(/^structure-additional-property 10:18 unexpected property `timeout` in step `s`/)
    ])
  })

  it("`in: querystring` is 1.1 only", () => {
    const parameter = "        parameters:\n          - {name: q, in: querystring, value: a=1}\n"
    expect(run(doc("1.1.0", parameter))).toEqual([])
    expect(run(doc("1.0.1", parameter)).map(at)).toEqual(["structure-enum 11:27"])
  })

  it("`$self` is 1.1 only", () => {
    expect(run(`$self: https://example.com/a.yaml\n${doc("1.1.0", "")}`)).toEqual([])
    expect(run(`$self: https://example.com/a.yaml\n${doc("1.0.1", "")}`).map(at)).toEqual([
      "structure-additional-property 1:8"
    ])
    // Not an ignorable metadata key: the feature was asked of the wrong line, and the message says which.
    expect(run(`$self: https://example.com/a.yaml\n${doc("1.0.1", "")}`)[0]).toMatchObject({
      severity: "error",
      message: expect.stringContaining("`$self` is Arazzo 1.1; declare `arazzo: 1.1.0` to use it")
    })
  })
})

describe("1.1 meaning checks", () => {
  const api = path.join(root, "test/fixtures/arazzo-1.1/api.openapi.yaml")
  const checkText = async (steps: string) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "arazzo-1.1-")), "doc.arazzo.yaml")
    writeFileSync(
      file,
      `arazzo: 1.1.0\ninfo: {title: t, version: "1"}\nsourceDescriptions:\n  - {name: echo, url: ./api.yaml}\nworkflows:\n  - workflowId: w\n    steps:\n${steps}`
    )
    const found = await checkDocument(file, { cwd: root, sources: { echo: api } })
    return found.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.line}:${d.column}`)
  }

  it("one `querystring` parameter, never beside `query` ones, and text", async () => {
    const step = (parameters: string) =>
      `      - stepId: s\n        operationId: search\n        parameters:\n${parameters}`
    expect(await checkText(step("          - {name: q, in: querystring, value: a=1}\n"))).toEqual([])
    expect(
      await checkText(
        step("          - {name: q, in: querystring, value: a=1}\n          - {name: r, in: querystring, value: b=2}\n")
      )
    ).toEqual(["querystring-twice 12:13"])
    expect(
      await checkText(
        step("          - {name: q, in: querystring, value: a=1}\n          - {name: b, in: query, value: 2}\n")
      )
    ).toEqual(["querystring-with-query 12:13"])
    expect(await checkText(step("          - {name: q, in: querystring, value: [a, b]}\n"))).toEqual([
      "querystring-not-text 11:47"
    ])
  })

  it("action `parameters` pass the required inputs of the workflow they start", async () => {
    const other =
      "  - workflowId: other\n    inputs: {type: object, required: [id], properties: {id: {type: string}}}\n    steps:\n      - {stepId: o, operationId: search}\n"
    const step = (name: string) =>
      `      - stepId: s\n        operationId: search\n        onSuccess:\n          - name: next\n            type: goto\n            workflowId: other\n            parameters:\n              - {name: ${name}, value: x}\n${other}`
    expect(await checkText(step("id"))).toEqual([])
    expect(await checkText(step("ids"))).toEqual(["missing-workflow-input 15:15"])
  })

  it("action `parameters` need a workflow to start", async () => {
    const step =
      "      - stepId: s\n        operationId: search\n        onSuccess:\n          - name: stop\n            type: end\n            parameters:\n              - {name: a, value: 1}\n"
    // The 1.1 schema asks for the `workflowId`; an `end` that names one starts nothing either.
    expect(await checkText(step)).toEqual(["structure-required 11:13"])
    expect(await checkText(step.replace("type: end\n", "type: end\n            workflowId: w\n"))).toEqual([
      "action-parameters-without-workflow 15:15"
    ])
  })

  it("step `dependsOn`: earlier steps and workflows that run first; a later step is a forward reference", async () => {
    const two = (dependsOn: string) =>
      `      - stepId: a\n        operationId: search\n${dependsOn}      - stepId: b\n        operationId: search\n        dependsOn: [a]\n`
    expect(await checkText(two(""))).toEqual([])
    expect(await checkText(two("        dependsOn: [b]\n"))).toEqual(["step-forward-dependency 10:21"])
    expect(await checkText(two("        dependsOn: [c]\n"))).toEqual(["unknown-step-dependency 10:21"])
    expect(await checkText(two("        dependsOn: [$workflows.w.steps.b]\n"))).toEqual([
      "step-dependency-not-run 10:21"
    ])
    expect(await checkText(two("        dependsOn: [$workflows.w.steps.x]\n"))).toEqual([
      "unknown-step-dependency 10:21"
    ])
  })

  it("a Selector Object in step outputs compiles", async () => {
    const step =
      "      - stepId: s\n        operationId: search\n        outputs:\n          q: {context: $response.body, selector: $.query, type: jsonpath}\n"
    const file = path.join(mkdtempSync(path.join(tmpdir(), "arazzo-1.1-")), "doc.arazzo.yaml")
    writeFileSync(
      file,
      `arazzo: 1.1.0\ninfo: {title: t, version: "1"}\nsourceDescriptions:\n  - {name: echo, url: ./api.yaml}\nworkflows:\n  - workflowId: w\n    steps:\n${step}`
    )
    const { diagnostics, document } = await analyzeDocument(file, { cwd: root, sources: { echo: api } })
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
    expect(document?.workflows[0]?.steps[0]?.outputs[0]).toMatchObject({
      value: { kind: "responseBody", path: ["query"] },
      type: { kind: "string" }
    })
  })

  it("invalid selectors and targets: the diagnostic names the problem at its character", async () => {
    const found = async (steps: string) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "arazzo-1.1-")), "doc.arazzo.yaml")
      writeFileSync(
        file,
        `arazzo: 1.1.0\ninfo: {title: t, version: "1"}\nsourceDescriptions:\n  - {name: echo, url: ./api.yaml}\nworkflows:\n  - workflowId: w\n    steps:\n${steps}`
      )
      const { diagnostics } = await analyzeDocument(file, { cwd: root, sources: { echo: api } })
      return diagnostics.filter((d) => d.severity === "error").map((d) =>
        `${d.code} ${d.line}:${d.column} ${d.message}`
      )
    }
    const output = (selector: string, type: string) =>
      `      - stepId: s\n        operationId: search\n        outputs:\n          q:\n            context: $response.body\n            selector: "${selector}"\n            type: ${type}\n`
    // Line 13 holds the selector; its text starts at column 24 (after the quote).
    expect(await found(output("$.items[", "jsonpath"))).toEqual([
      "jsonpath-syntax 13:32 not an RFC 9535 JSONPath query: unclosed bracketed selection ('$.items[':8)"
    ])
    expect(await found(output("/Invoice/[", "{type: xpath, version: xpath-30}"))).toEqual([
      "xpath-syntax 13:32 not an XPath expression: XPST0003: Failed to parse script. Expected end of input at <>:1:9 - 1:10"
    ])
    expect(await found(output("/a/~2", "jsonpointer"))).toEqual([
      "jsonpointer-syntax 13:27 not a JSON Pointer (RFC 6901): `~` must be followed by `0` or `1`"
    ])
    expect(await found(output("a", "jsonpointer"))).toEqual([
      "jsonpointer-syntax 13:23 not a JSON Pointer (RFC 6901): it must be empty or start with `/`"
    ])
    const replacement = (target: string, type: string) =>
      `      - stepId: s\n        operationId: createItem\n        requestBody:\n          contentType: application/json\n          payload: {a: 1}\n          replacements:\n            - target: "${target}"\n              targetSelectorType: ${type}\n              value: 2\n`
    expect(await found(replacement("$.a[?@ ==]", "jsonpath"))).toEqual([
      "replacement-target 14:33 not an RFC 9535 JSONPath query: unexpected end of expression ('.a[?@ ==]':9)"
    ])
    expect(await found(replacement("/a", "xpath"))).toEqual([
      "replacement-target-type 15:35 XPath targets replace into XML bodies; this body is not XML (its targets are JSON Pointers or JSONPath)"
    ])
  })
})
