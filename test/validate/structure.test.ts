/**
 * Structural validation against the Arazzo 1.0 JSON Schema: valid documents (OAI fixtures and
 * examples, the Civitai family) pass; each problem is one diagnostic, at the offending value,
 * said in document terms, with `oneOf`/`anyOf` cascades collapsed.
 */
import { Ajv2020 } from "ajv/dist/2020.js"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import type { Diagnostic } from "../../generator/diagnostics.js"
import { parseYaml, type SourceText } from "../../generator/load/yaml.js"
import { validateStructure } from "../../generator/validate/structure.js"

const root = path.resolve(import.meta.dirname, "../..")

const filesIn = (dir: string, pattern: RegExp): Array<string> =>
  readdirSync(path.join(root, dir))
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => `${dir}/${name}`)

const validate = (file: string, text: string): Array<Diagnostic> => {
  const { source, errors } = parseYaml(file, text)
  expect(errors).toEqual([])
  return validateStructure(source)
}

const validateFile = (file: string): Array<Diagnostic> => validate(file, readFileSync(path.join(root, file), "utf8"))

/** What a test pins down: code and position. */
const at = (d: Diagnostic) => ({ code: d.code, line: d.line, column: d.column })

const passFixtures = filesIn("test/fixtures/oai/schema/pass", /\.yaml$/)
const failFixtures = filesIn("test/fixtures/oai/schema/fail", /\.yaml$/)
const examples = filesIn("test/fixtures/oai/examples/1.0.0", /(\.|-)arazzo\.yaml$/)
const civitai = filesIn("specs/civitai/arazzo", /\.ya?ml$/)

describe("valid documents", () => {
  it("finds every document", () => {
    expect([passFixtures.length, examples.length, civitai.length]).toEqual([3, 6, 13])
  })

  it.each([...passFixtures, ...examples, ...civitai])("%s has no structural error", (file) => {
    expect(validateFile(file)).toEqual([])
  })
})

describe("OAI fail fixtures", () => {
  const expected: Record<string, Array<ReturnType<typeof at>>> = {
    // `arazzo: 2` is a number; the step also calls nothing (no operationId/operationPath/workflowId).
    "invalid-arazzo-version.yaml": [
      { code: "structure-type", line: 1, column: 9 },
      { code: "structure-one-of", line: 11, column: 5 }
    ],
    "not-an-object.yaml": [{ code: "structure-type", line: 1, column: 1 }]
  }

  it("has an expectation for every fixture", () => {
    expect(failFixtures.map((f) => path.basename(f)).sort()).toEqual(Object.keys(expected).sort())
  })

  it.each(failFixtures)("%s fails where expected", (file) => {
    const diagnostics = validateFile(file)
    expect(diagnostics.length).toBeGreaterThan(0)
    expect(diagnostics.every((d) => d.severity === "error" && d.file === file)).toBe(true)
    expect(diagnostics.map(at)).toEqual(expected[path.basename(file)])
  })

  it("says what is wrong in document terms", () => {
    expect(validateFile("test/fixtures/oai/schema/fail/invalid-arazzo-version.yaml").map((d) => d.message)).toEqual([
      "`arazzo` must be a string (got a number `2`)",
      "step `step1` of workflow `workflow1` needs one of `operationId`, `operationPath` or `workflowId` (a step calls exactly one operation or workflow)"
    ])
    expect(validateFile("test/fixtures/oai/schema/fail/not-an-object.yaml")[0]?.message).toBe(
      "an Arazzo document must be an object with `arazzo`, `info`, `sourceDescriptions` and `workflows` (got an array)"
    )
  })
})

// A document whose first step starts on line 11, column 9 (after `      - `).
const document = (steps: string, top = "arazzo: 1.0.1") =>
  `${top}
info:
  title: Pets
  version: "1"
sourceDescriptions:
  - name: api
    url: ./api.yml
workflows:
  - workflowId: buy-pet
    steps:
${steps}`

const step = (extra = "") =>
  `      - stepId: get
        operationId: getPet
${extra}`

interface Case {
  readonly name: string
  readonly text: string
  readonly expected: ReadonlyArray<
    { readonly code: string; readonly line: number; readonly column: number; readonly message: string | RegExp }
  >
}

const cases: ReadonlyArray<Case> = [
  {
    name: "a step without stepId, at the step",
    text: document("      - operationId: getPet\n"),
    expected: [{
      code: "structure-required",
      line: 11,
      column: 9,
      message: "step 1 of workflow `buy-pet` needs `stepId`"
    }]
  },
  {
    name: "steps that are not an array, at the value",
    text: document("", "arazzo: 1.0.1").replace("    steps:\n", "    steps: {}\n"),
    expected: [{
      code: "structure-type",
      line: 10,
      column: 12,
      message: "`steps` of workflow `buy-pet` must be an array (got an object)"
    }]
  },
  {
    name: "an empty steps array",
    text: document("", "arazzo: 1.0.1").replace("    steps:\n", "    steps: []\n"),
    expected: [{
      code: "structure-min-items",
      line: 10,
      column: 12,
      message: "`steps` of workflow `buy-pet` must not be empty"
    }]
  },
  {
    name: "an Arazzo version that is neither 1.0.x nor 1.1.x, at the version (checked as 1.0)",
    text: document(step(), "arazzo: 2.0.0"),
    expected: [{
      code: "structure-pattern",
      line: 1,
      column: 9,
      message:
        "`arazzo` must match ^1\\.0\\.\\d+(-.+)?$ (got `2.0.0`); this is an Arazzo 1.0.x or 1.1.x version such as `1.0.1` or `1.1.0`"
    }]
  },
  {
    name: "a quoted two-part version",
    text: document(step(), `arazzo: "1.0"`),
    expected: [{ code: "structure-pattern", line: 1, column: 9, message: /\(got `1\.0`\)/ }]
  },
  {
    name: "a misspelt property, with a suggestion",
    text: document(step("        sucessCriteria:\n          - condition: $statusCode == 200\n")),
    expected: [{
      // At its value (the sequence below the key): positions are those of values.
      code: "structure-additional-property",
      line: 14,
      column: 11,
      message:
        "unexpected property `sucessCriteria` in step `get` of workflow `buy-pet`, a Step object (did you mean `successCriteria`?)"
    }]
  },
  {
    name: "a stepId in the wrong case: missing, and unexpected with the right name",
    text: document("      - stepid: get\n        operationId: getPet\n"),
    expected: [
      { code: "structure-required", line: 11, column: 9, message: "step 1 of workflow `buy-pet` needs `stepId`" },
      {
        code: "structure-additional-property",
        line: 11,
        column: 17,
        message: "unexpected property `stepid` in step 1 of workflow `buy-pet`, a Step object (did you mean `stepId`?)"
      }
    ]
  },
  {
    name: "an unknown property without a near name lists what the object takes",
    text: document(step()) + "    color: blue\n",
    expected: [{
      code: "structure-additional-property",
      line: 13,
      column: 12,
      message:
        "unexpected property `color` in workflow `buy-pet`, a Workflow object (it takes `workflowId`, `summary`, `description`, `inputs`, `dependsOn`, `steps`, `successActions`, `failureActions`, `outputs`, `parameters` and `x-` extensions)"
    }]
  },
  {
    name: "a retry failure action names neither a workflow nor a step (valid in this schema)",
    text: document(
      step(
        "        onFailure:\n          - name: again\n            type: retry\n            retryAfter: 1\n            retryLimit: 3\n"
      )
    ),
    expected: []
  },
  {
    name: "a goto failure action must name one target",
    text: document(step("        onFailure:\n          - name: away\n            type: goto\n")),
    expected: [{
      code: "structure-one-of",
      line: 14,
      column: 13,
      message:
        "onFailure action `away` of step `get` of workflow `buy-pet` needs one of `workflowId` or `stepId` (a `goto` action says where to go)"
    }]
  },
  {
    name: "a goto action naming both targets",
    text: document(
      step("        onSuccess:\n          - { name: both, type: goto, stepId: get, workflowId: buy-pet }\n")
    ),
    expected: [{
      code: "structure-one-of",
      line: 14,
      column: 13,
      message:
        "onSuccess action `both` of step `get` of workflow `buy-pet` has `workflowId` and `stepId`; it needs exactly one of `workflowId` or `stepId` (a `goto` action says where to go)"
    }]
  },
  {
    name: "an action without a type: no goto noise from the vacuous if",
    text: document(step("        onSuccess:\n          - name: done\n            typ: end\n")),
    expected: [
      {
        code: "structure-required",
        line: 14,
        column: 13,
        message: "onSuccess action `done` of step `get` of workflow `buy-pet` needs `type`"
      },
      {
        code: "structure-additional-property",
        line: 15,
        column: 18,
        message: /unexpected property `typ` .*a Success Action object \(did you mean `type`\?\)/
      }
    ]
  },
  {
    name: "a reusable action with a misspelt member is judged as a Reusable object",
    text: document(
      step("        onSuccess:\n          - reference: $components.successActions.done\n            valu: 1\n")
    ),
    expected: [{
      code: "structure-additional-property",
      line: 15,
      column: 19,
      message:
        "unexpected property `valu` in onSuccess action 1 of step `get` of workflow `buy-pet`, a Reusable object (did you mean `value`?)"
    }]
  },
  {
    name: "an action that is neither kind of object",
    text: document(step("        onSuccess:\n          - done\n")),
    expected: [{
      code: "structure-one-of",
      line: 14,
      column: 13,
      message:
        "onSuccess action 1 of step `get` of workflow `buy-pet` must be a Success Action object or a Reusable object (got a string `done`)"
    }]
  },
  {
    name: "a step that calls two things",
    text: document(step("        workflowId: other\n")),
    expected: [{
      code: "structure-one-of",
      line: 11,
      column: 9,
      message:
        "step `get` of workflow `buy-pet` has `operationId` and `workflowId`; it needs exactly one of `operationId`, `operationPath` or `workflowId` (a step calls exactly one operation or workflow)"
    }]
  },
  {
    name: "a parameter of an operation step without `in`",
    text: document(step("        parameters:\n          - { name: petId, value: 1 }\n")),
    expected: [{
      code: "structure-required",
      line: 14,
      column: 13,
      message: /^parameter `petId` of step `get` of workflow `buy-pet` needs `in`/
    }]
  },
  {
    name: "a success criterion without condition, at the criterion",
    text: document(step("        successCriteria:\n          - context: $statusCode\n")),
    expected: [{
      code: "structure-required",
      line: 14,
      column: 13,
      message: "success criterion 1 of step `get` of workflow `buy-pet` needs `condition`"
    }]
  },
  {
    name: "an unknown criterion type: the enum, not the cascade of anyOf branches",
    text: document(
      step("        successCriteria:\n          - { condition: $.ok, context: $response.body, type: jsonpat }\n")
    ),
    expected: [{
      code: "structure-enum",
      line: 14,
      column: 63,
      message:
        "`type` of success criterion 1 of step `get` of workflow `buy-pet` must be one of `simple`, `regex`, `jsonpath` or `xpath` (got `jsonpat`; did you mean `jsonpath`?)"
    }]
  },
  {
    name: "the spec's nested Criterion Expression Type Object",
    text: document(step(
      "        successCriteria:\n          - condition: $[?@.ok]\n            context: $response.body\n            type:\n              type: jsonpath\n              version: draft-goessner-dispatch-jsonpath-00\n"
    )),
    expected: []
  },
  {
    name: "the schema's flattened expression type",
    text: document(step(
      "        successCriteria:\n          - { condition: '$[?@.ok]', context: $response.body, type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 }\n"
    )),
    expected: []
  },
  {
    name: "a nested expression type without version",
    text: document(
      step(
        "        successCriteria:\n          - condition: $[?@.ok]\n            context: $response.body\n            type:\n              type: jsonpath\n"
      )
    ),
    expected: [{
      code: "structure-required",
      line: 17,
      column: 15,
      message: "`type` of success criterion 1 of step `get` of workflow `buy-pet` needs `version`"
    }]
  },
  {
    name: "replacement values of any type (the spec says Any; the schema says string)",
    text: document(step(
      "        requestBody:\n          payload: { a: 1 }\n          replacements:\n            - { target: /a, value: [1, 2] }\n            - { target: /b, value: { c: true } }\n            - { target: /d, value: 3 }\n"
    )),
    expected: []
  },
  {
    name: "a replacement without value",
    text: document(
      step("        requestBody:\n          payload: { a: 1 }\n          replacements:\n            - { target: /a }\n")
    ),
    expected: [{ code: "structure-required", line: 16, column: 15, message: /needs `value`/ }]
  },
  {
    name: "a criterion type without context",
    text: document(step("        successCriteria:\n          - { condition: ^2, type: regex }\n")),
    expected: [{
      code: "structure-dependent-required",
      line: 14,
      column: 13,
      message: "success criterion 1 of step `get` of workflow `buy-pet` has `type`, so it needs `context` too"
    }]
  },
  {
    name: "x- extensions everywhere they are allowed",
    text: document(
      step(
        "        x-step: 1\n        successCriteria:\n          - { condition: $statusCode == 200, x-c: 1 }\n        onFailure:\n          - { name: r, type: retry, x-a: [1] }\n"
      ) +
        "    x-workflow: { any: thing }\n",
      "arazzo: 1.0.1\nx-root: true"
    ).replace("  title: Pets\n", "  title: Pets\n  x-info: 1\n").replace(
      "    url: ./api.yml\n",
      "    url: ./api.yml\n    x-source: 1\n"
    ),
    expected: []
  },
  {
    name: "an extension with an upper-case X",
    text: document(step("        X-step: 1\n")),
    expected: [{
      code: "structure-additional-property",
      line: 13,
      column: 17,
      message: /`X-step` .*\(extensions must start with lowercase `x-`\)/
    }]
  },
  {
    name: "a Reusable object takes no extensions",
    text: document(step("        onSuccess:\n          - { reference: $components.successActions.done, x-a: 1 }\n")),
    expected: [{
      code: "structure-additional-property",
      line: 14,
      column: 64,
      message: /`x-a` .*a Reusable object \(it takes `reference` and `value`; no `x-` extensions here\)/
    }]
  },
  {
    name: "a wrong retryLimit",
    text: document(step("        onFailure:\n          - { name: r, type: retry, retryLimit: -1 }\n")),
    expected: [{
      code: "structure-minimum",
      line: 14,
      column: 49,
      message: "`retryLimit` of onFailure action `r` of step `get` of workflow `buy-pet` must be >= 0 (got `-1`)"
    }]
  },
  {
    name: "two identical source descriptions, at the second",
    text: document(step()).replace("    url: ./api.yml\n", "    url: ./api.yml\n  - name: api\n    url: ./api.yml\n"),
    expected: [{
      code: "structure-unique-items",
      line: 8,
      column: 5,
      message: "`sourceDescriptions` has two identical items (1 and 2); its items must be unique"
    }]
  },
  {
    name: "a component name with a space, at the name",
    text: `${document(step())}components:\n  parameters:\n    page size: { name: size, in: query, value: 10 }\n`,
    expected: [{
      code: "structure-property-names",
      line: 15,
      column: 16,
      message: /^the name `page size` in `components.parameters` must match /
    }]
  },
  {
    name: "workflow inputs that are not a JSON Schema",
    text: document(step()).replace("    steps:\n", "    inputs: { type: strin }\n    steps:\n"),
    expected: [{
      code: "structure-enum",
      line: 10,
      column: 21,
      message: /^`inputs.type` of workflow `buy-pet` must be one of .* \(got `strin`; did you mean `string`\?\)$/
    }]
  },
  {
    name: "a type list with a typo: the anyOf branch that got furthest, though both branches share a $ref",
    text: document(step()).replace("    steps:\n", "    inputs: { type: [strin] }\n    steps:\n"),
    expected: [{
      code: "structure-enum",
      line: 10,
      column: 22,
      message: /^`inputs.type\[0\]` of workflow `buy-pet` must be one of .* \(got `strin`; did you mean `string`\?\)$/
    }]
  },
  {
    name: "a member name with a slash (JSON Pointer ~1), at the value",
    text: document(step()).replace(
      "    steps:\n",
      "    inputs: { type: object, properties: { \"a/b\": { type: 3 } } }\n    steps:\n"
    ),
    expected: [{
      code: "structure-any-of",
      line: 10,
      column: 58,
      message: /^`inputs.properties\["a\/b"\].type` of workflow `buy-pet` must be /
    }]
  },
  {
    name: "a numeric-looking member name stays a name, at the value",
    text: document(step("        outputs:\n          \"200\": 1\n")),
    expected: [{
      code: "structure-type",
      line: 14,
      column: 18,
      message: "`outputs[\"200\"]` of step `get` of workflow `buy-pet` must be a string (got a number `1`)"
    }]
  },
  {
    name: "a type that is neither a type name nor a list",
    text: document(step()).replace("    steps:\n", "    inputs: { type: 3 }\n    steps:\n"),
    expected: [{
      code: "structure-any-of",
      line: 10,
      column: 21,
      message: /^`inputs.type` of workflow `buy-pet` must be one of `array`, .* or an array \(got a number `3`\)$/
    }]
  }
]

describe("problems, one diagnostic each, at the offending value", () => {
  it.each(cases)("$name", ({ text, expected }) => {
    const diagnostics = validate("doc.arazzo.yaml", text)
    expect(diagnostics.map(at)).toEqual(expected.map(({ code, line, column }) => ({ code, line, column })))
    diagnostics.forEach((d, i) => {
      expect(d.severity).toBe("error")
      expect(d.file).toBe("doc.arazzo.yaml")
      const message = expected[i]!.message
      if (typeof message === "string") expect(d.message).toBe(message)
      else expect(d.message).toMatch(message)
    })
  })
})

describe("noise", () => {
  const rawErrorCount = (text: string): number => {
    const schema: unknown = parse(
      readFileSync(path.join(root, "generator/validate/schema/arazzo-1.0.schema.yaml"), "utf8")
    )
    const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, formats: { "uri-reference": true } })
    const check = ajv.compile(schema as object)
    check(parse(text))
    return check.errors?.length ?? 0
  }

  it("collapses a oneOf cascade to at most two diagnostics", () => {
    const text = document(
      step(
        "        onSuccess:\n          - { name: n, type: goto }\n        onFailure:\n          - { reference: $components.failureActions.x, valu: 1 }\n"
      )
    )
    // What ajv reports: every branch of both oneOfs (and the if/then inside the action branch).
    expect(rawErrorCount(text)).toBeGreaterThanOrEqual(10)
    const diagnostics = validate("doc.arazzo.yaml", text)
    expect(diagnostics.map((d) => d.code)).toEqual(["structure-one-of", "structure-additional-property"])
  })

  it("reports each problem once and sorts by position", () => {
    const text = document(
      "      - operationId: a\n      - stepId: b\n      - stepId: c\n        operationId: c\n        bogus: 1\n",
      "arazzo: 9.9.9\nbogus: 1"
    )
    const diagnostics = validate("doc.arazzo.yaml", text)
    expect(diagnostics.map(at)).toEqual([
      { code: "structure-pattern", line: 1, column: 9 },
      { code: "unknown-metadata-key", line: 2, column: 8 },
      { code: "structure-required", line: 12, column: 9 },
      { code: "structure-one-of", line: 13, column: 9 },
      { code: "structure-additional-property", line: 16, column: 16 }
    ])
    const keys = diagnostics.map((d) => `${d.line}:${d.column}:${d.code}:${d.message}`)
    expect(new Set(keys).size).toBe(keys.length)
  })
})

describe("documents that are not Arazzo objects", () => {
  it.each([
    ["a sequence", "- a\n- b\n", "got an array"],
    ["a string", "hello\n", "got a string `hello`"],
    ["an empty file", "", "got null"]
  ])("%s is one error at 1:1", (_, text, got) => {
    const diagnostics = validate("doc.yaml", text)
    expect(diagnostics.map(at)).toEqual([{ code: "structure-type", line: 1, column: 1 }])
    expect(diagnostics[0]?.message).toContain(got)
  })

  it("leaves a document that did not parse to the YAML diagnostics", () => {
    const { source, errors } = parseYaml("doc.yaml", "a: [\n")
    expect(errors.length).toBeGreaterThan(0)
    expect(validateStructure(source)).toEqual([])
  })
})

describe("never throws", () => {
  it("turns an internal failure into a structure-internal diagnostic", () => {
    const source: SourceText = {
      file: "broken.yaml",
      value: { arazzo: 2 },
      locate: () => ({ line: 1, column: 1 }),
      diagnostic: () => {
        throw new Error("no positions")
      }
    }
    const diagnostics = validateStructure(source)
    expect(diagnostics).toEqual([{
      file: "broken.yaml",
      line: 1,
      column: 1,
      severity: "error",
      code: "structure-internal",
      message: expect.stringContaining("no positions")
    }])
  })
})
