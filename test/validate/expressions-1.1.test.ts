/**
 * The errors of Arazzo 1.1's runtime expressions and criteria rules, each from a small document
 * with exactly that problem, at the position of the text it is about; and the 1.0 rules kept.
 */
import { copyFile, mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"

const root = path.resolve(import.meta.dirname, "../..")
let dir = ""

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "arazzo-1.1-expressions-"))
  await copyFile(path.join(root, "test/fixtures/arazzo-1.1/api.openapi.yaml"), path.join(dir, "api.yaml"))
})

const document = (version: string, steps: string, extra = "") =>
  `arazzo: ${version}
${extra}info: { title: t, version: "1" }
sourceDescriptions:
  - { name: echo, url: ./api.yaml, type: openapi }
workflows:
  - workflowId: flow
    inputs: { type: object, properties: { id: { type: string }, list: { type: array } } }
    steps:
      - stepId: find
        operationId: getItem
        parameters:
          - { name: id, in: path, value: $inputs.id }
${steps}`

const criterion = (lines: string) => `        successCriteria:\n${lines}\n`

interface Case {
  readonly name: string
  readonly text: string
  readonly code: string
  /** The text the diagnostic points at (its last occurrence). */
  readonly at: string
  readonly message?: RegExp
}

const cases: ReadonlyArray<Case> = [
  {
    name: "`$self` in a 1.0 document",
    text: document("1.0.1", "        outputs:\n          me: $self\n"),
    code: "expression-version",
    at: "$self",
    message: /Arazzo 1\.1 expression/
  },
  {
    name: "`$self` in a 1.1 document without a `$self` field",
    text: document("1.1.0", "        outputs:\n          me: $self\n"),
    code: "self-undeclared",
    at: "$self"
  },
  {
    name: "a name that is not a 1.1 identifier, with the pointer form",
    text: document("1.1.0", "        outputs:\n          all: $response.body\n          first: '{$inputs.list[0]}'\n"),
    code: "expression-identifier",
    at: "$inputs.list[0]",
    message: /\$inputs\.list#\/0/
  },
  {
    name: "`$inputs#/ptr` without a name",
    text: document("1.1.0", "        outputs:\n          id: $inputs#/id\n"),
    code: "expression-syntax",
    at: "#/id",
    message: /'\$inputs\.<name>#\/…'/
  },
  {
    name: "an unknown input substituted into a regex condition",
    text: document(
      "1.1.0",
      criterion("          - { context: $response.body#/id, type: regex, condition: '^{$inputs.nope}$' }")
    ),
    code: "unknown-input",
    at: "$inputs.nope"
  },
  {
    name: "an unterminated substitution in a JSONPath condition",
    text: document(
      "1.1.0",
      criterion("          - { context: $response.body, type: jsonpath, condition: '$[?@.id == \"{$inputs.id\"]' }")
    ),
    code: "expression-syntax",
    at: "{$inputs.id\""
  }
]

const lineColumn = (text: string, at: string) => {
  const offset = text.lastIndexOf(at)
  const before = text.slice(0, offset).split("\n")
  return { line: before.length, column: before[before.length - 1]!.length + 1 }
}

describe("Arazzo 1.1 expression and criteria diagnostics", () => {
  it.each(cases)("$name", async ({ at, code, message, text }) => {
    const file = path.join(dir, `${code}-${Math.abs(hash(text))}.arazzo.yaml`)
    await writeFile(file, text)
    const found = (await checkDocument(file)).filter((d) => d.severity === "error")
    expect(found.map((d) => d.code)).toEqual([code])
    expect({ line: found[0]!.line, column: found[0]!.column }).toEqual(lineColumn(text, at))
    if (message !== undefined) expect(found[0]!.message).toMatch(message)
  })

  it("a 1.1 document with `$self` and substituted criteria checks clean", async () => {
    const text = document(
      "1.1.0",
      criterion("          - { context: $response.body#/id, type: regex, condition: '^{$inputs.id}$' }") +
        "        outputs:\n          me: $self\n",
      "$self: https://example.test/flow.arazzo.yaml\n"
    )
    const file = path.join(dir, "clean.arazzo.yaml")
    await writeFile(file, text)
    expect((await checkDocument(file)).filter((d) => d.severity === "error")).toEqual([])
  })

  it("in 1.0, `{$…}` in a regex is pattern text, not a substitution", async () => {
    const text = document(
      "1.0.1",
      criterion("          - { context: $response.body#/id, type: regex, condition: '^{$inputs.nope}' }")
    )
    const file = path.join(dir, "literal-1.0.arazzo.yaml")
    await writeFile(file, text)
    expect((await checkDocument(file)).filter((d) => d.severity === "error")).toEqual([])
  })
})

const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0)
