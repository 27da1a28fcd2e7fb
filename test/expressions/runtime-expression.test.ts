import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  hasRuntimeExpressionPrefix,
  isRuntimeExpression,
  parseRuntimeExpression,
  resolveNamePath
} from "../../generator/expressions/index.js"
import type { ParseResult, RuntimeExpression } from "../../generator/expressions/index.js"

const VECTORS = new URL("../fixtures/swaggerexpert-runtime-expressions.json", import.meta.url).pathname

const valueOf = <A>(result: ParseResult<A>): A => {
  if (!result.ok) throw new Error(`expected success, got: ${result.error.message} @${result.error.span.start}`)
  return result.value
}

type Fields = RuntimeExpression extends infer E ? E extends unknown ? Omit<E, "text" | "span"> : never : never

describe("parseRuntimeExpression: forms", () => {
  const cases: ReadonlyArray<{ given: string; want: Fields }> = [
    { given: "$url", want: { type: "url" } },
    { given: "$method", want: { type: "method" } },
    { given: "$statusCode", want: { type: "statusCode" } },
    { given: "$request.header.X-Custom-Header", want: { type: "header", of: "request", name: "X-Custom-Header" } },
    { given: "$response.header.content-type", want: { type: "header", of: "response", name: "content-type" } },
    { given: "$request.query.page", want: { type: "query", of: "request", name: "page" } },
    { given: "$request.path.petId", want: { type: "path", of: "request", name: "petId" } },
    { given: "$request.body", want: { type: "body", of: "request", pointer: [] } },
    { given: "$response.body", want: { type: "body", of: "response", pointer: [] } },
    { given: "$response.body#", want: { type: "body", of: "response", pointer: [] } },
    { given: "$response.body#/", want: { type: "body", of: "response", pointer: [""] } },
    { given: "$response.body#/items/0/name", want: { type: "body", of: "response", pointer: ["items", "0", "name"] } },
    { given: "$response.body#/a~1b/c~0d/~01", want: { type: "body", of: "response", pointer: ["a/b", "c~d", "~1"] } },
    { given: "$response.body#/first name", want: { type: "body", of: "response", pointer: ["first name"] } },
    { given: "$inputs.apiKey", want: { type: "inputs", name: "apiKey", pointer: undefined } },
    { given: "$inputs.my.nested.name", want: { type: "inputs", name: "my.nested.name", pointer: undefined } },
    { given: "$inputs.filter[status]", want: { type: "inputs", name: "filter[status]", pointer: undefined } },
    { given: "$inputs.$expand", want: { type: "inputs", name: "$expand", pointer: undefined } },
    {
      given: "$inputs.customer#/address/city",
      want: { type: "inputs", name: "customer", pointer: ["address", "city"] }
    },
    { given: "$outputs.result#/items/0", want: { type: "outputs", name: "result", pointer: ["items", "0"] } },
    {
      given: "$steps.loginStep.outputs.user#/name",
      want: { type: "stepOutputs", stepId: "loginStep", name: "user", pointer: ["name"] }
    },
    {
      given: "$steps.browser-authorize.outputs.code",
      want: { type: "stepOutputs", stepId: "browser-authorize", name: "code", pointer: undefined }
    },
    {
      given: "$steps.s_1.outputs.list[0].id",
      want: { type: "stepOutputs", stepId: "s_1", name: "list[0].id", pointer: undefined }
    },
    {
      given: "$workflows.auth.outputs.token#/accessToken",
      want: { type: "workflowOutputs", workflowId: "auth", name: "token", pointer: ["accessToken"] }
    },
    {
      given: "$workflows.myWorkflow.inputs.username",
      want: { type: "workflowInputs", workflowId: "myWorkflow", name: "username", pointer: undefined }
    },
    { given: "$sourceDescriptions.petStore.url", want: { type: "sourceDescription", name: "petStore", field: "url" } },
    {
      given: "$sourceDescriptions.main-api.createUser",
      want: { type: "sourceDescription", name: "main-api", field: "createUser" }
    },
    { given: "$components.parameters.petId", want: { type: "component", kind: "parameters", name: "petId" } },
    { given: "$components.inputs.pagination", want: { type: "component", kind: "inputs", name: "pagination" } },
    {
      given: "$components.failureActions.logError",
      want: { type: "component", kind: "failureActions", name: "logError" }
    }
  ]
  it.each(cases)("$given", ({ given, want }) => {
    expect(valueOf(parseRuntimeExpression(given))).toEqual({
      ...want,
      text: given,
      span: { start: 0, end: given.length }
    })
    expect(isRuntimeExpression(given)).toBe(true)
  })
})

describe("parseRuntimeExpression: errors", () => {
  const cases: ReadonlyArray<{ given: string; message: RegExp; start: number; end: number }> = [
    { given: "", message: /expected a runtime expression .*found end of input/, start: 0, end: 0 },
    { given: "1", message: /expected a runtime expression .*found '1'/, start: 0, end: 1 },
    { given: "$type", message: /found '\$type'/, start: 0, end: 5 },
    { given: "$5 fee", message: /found '\$5'/, start: 0, end: 2 },
    { given: "$url2", message: /found '\$url2'/, start: 0, end: 5 },
    { given: "$inputs", message: /expected '\.' after '\$inputs'/, start: 7, end: 7 },
    { given: "$inputs.", message: /expected a name after '\$inputs\.'/, start: 8, end: 8 },
    { given: "$inputs.{foo}", message: /expected a name after '\$inputs\.', found '\{'/, start: 8, end: 9 },
    {
      given: "$inputs.foo{",
      message: /expected end of runtime expression after '\$inputs\.foo', found '\{'/,
      start: 11,
      end: 12
    },
    { given: "$inputs.a b", message: /expected end of runtime expression .*found ' b'/, start: 9, end: 11 },
    { given: "$url.x", message: /expected end of runtime expression after '\$url'/, start: 4, end: 6 },
    { given: "$request.query.", message: /expected a query parameter name/, start: 15, end: 15 },
    { given: "$request.cookie.x", message: /expected 'header\.', 'query\.', 'path\.' or 'body'/, start: 9, end: 15 },
    { given: "$response.query.x", message: /only on '\$request\.'/, start: 10, end: 15 },
    { given: "$response.headers.Etag", message: /'header', singular/, start: 10, end: 17 },
    { given: "$response.header.", message: /expected a header name/, start: 17, end: 17 },
    { given: "$response.header.a b", message: /expected end of runtime expression/, start: 18, end: 20 },
    { given: "$response.body.status", message: /'\$response\.body#\/status'/, start: 14, end: 21 },
    { given: "$response.body.data[0].id", message: /'\$response\.body#\/data\/0\/id'/, start: 14, end: 25 },
    {
      given: "$response.body#status",
      message: /expected '\/' to start the JSON pointer .*'#\/status'/,
      start: 15,
      end: 16
    },
    { given: "$request.body#/a~2b", message: /expected '0' or '1' after '~'/, start: 16, end: 18 },
    { given: "$request.body#/a~", message: /expected '0' or '1' after '~'/, start: 16, end: 17 },
    {
      given: "$request.body#/{foo}",
      message: /expected end of runtime expression .*found '\{foo\}'/,
      start: 15,
      end: 20
    },
    { given: "$steps.", message: /expected a step id after '\$steps\.'/, start: 7, end: 7 },
    { given: "$steps.a", message: /expected '\.outputs\.' after step id 'a'/, start: 8, end: 8 },
    { given: "$steps.a.result", message: /expected '\.outputs\.' after step id 'a', found '\.'/, start: 8, end: 9 },
    { given: "$steps.a.outputs.", message: /expected an output name/, start: 17, end: 17 },
    {
      given: "$workflows.w.steps.x",
      message: /expected '\.inputs\.' or '\.outputs\.' after workflow id 'w'/,
      start: 12,
      end: 13
    },
    {
      given: "$sourceDescriptions.api",
      message: /expected '\.' and a field .*source description 'api'/,
      start: 23,
      end: 23
    },
    { given: "$sourceDescriptions.api#/paths", message: /found '#'/, start: 23, end: 24 },
    {
      given: "$components.schemas.Pet",
      message: /expected 'parameters', 'successActions', 'failureActions', 'inputs'/,
      start: 12,
      end: 19
    },
    { given: "$components.parameters.", message: /expected a component name after 'parameters\.'/, start: 23, end: 23 }
  ]
  it.each(cases)("$given", ({ given, message, start, end }) => {
    const result = parseRuntimeExpression(given)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.message).toMatch(message)
    expect(result.error.span).toEqual({ start, end })
    expect(isRuntimeExpression(given)).toBe(false)
  })
})

interface Vectors {
  readonly valid: ReadonlyArray<string>
  readonly valid_arazzo_1_1_only: ReadonlyArray<string>
  readonly invalid: ReadonlyArray<string>
  readonly changed_verdict: ReadonlyArray<{ readonly expression: string }>
}

describe("swaggerexpert/arazzo-runtime-expression vectors", () => {
  const vectors = JSON.parse(readFileSync(VECTORS, "utf8")) as Vectors

  /**
   * Debatable upstream verdicts we deliberately do not follow. The 1.0.1 ABNF (`name = *CHAR`)
   * admits an empty query/path name, and upstream accepts it; a parameter with no name cannot be
   * read, so we reject it with "expected a … parameter name".
   */
  const rejectedOnPurpose = new Set(["$request.path.", "$request.query."])

  it("has the vectors this suite was written against", () => {
    expect(vectors.valid).toHaveLength(74)
    expect(vectors.invalid).toHaveLength(8)
    expect([...rejectedOnPurpose].every((v) => vectors.valid.includes(v))).toBe(true)
  })

  it.each(vectors.valid.filter((v) => !rejectedOnPurpose.has(v)))("valid: %s", (given) => {
    const expression = valueOf(parseRuntimeExpression(given))
    expect(expression.text).toBe(given)
    expect(expression.span).toEqual({ start: 0, end: given.length })
  })

  it.each([...rejectedOnPurpose])("valid upstream, rejected here (empty name): %s", (given) => {
    const result = parseRuntimeExpression(given)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.span).toEqual({ start: given.length, end: given.length })
  })

  it.each(vectors.invalid)("invalid: %j", (given) => {
    expect(parseRuntimeExpression(given).ok).toBe(false)
  })

  // Arazzo 1.1 only: `$self` and `$message.header…`/`$message.payload…` parse (lowering refuses
  // `$self` in a 1.0 document, see test/validate/expressions-1.1.test.ts, and allows `$message`
  // in AsyncAPI steps only). The ABNF also lets `$message.` take `body`, `query.`, `path.`: a
  // message has only headers and a payload, so those stay rejected.
  const accepted11 = (v: string) => v === "$self" || /^\$message\.(header\.|payload)/.test(v)
  it.each(vectors.valid_arazzo_1_1_only)("1.1 only: %s", (given) => {
    expect(parseRuntimeExpression(given).ok).toBe(accepted11(given))
  })

  // Braces inside JSON pointers: RFC 6901 allows them and the pre-1.1 grammar accepted them; we follow
  // Arazzo 1.1 and reject them, so `{$request.body#/a}` embedding stays unambiguous.
  it.each(vectors.changed_verdict.map((v) => v.expression))("braces in a pointer, rejected: %s", (given) => {
    expect(parseRuntimeExpression(given).ok).toBe(false)
  })
})

describe("hasRuntimeExpressionPrefix", () => {
  it.each(
    [
      ["$url", true],
      ["$statusCode == 200", true],
      ["$inputs.a b", true],
      ["$steps.", true],
      ["$inputs", false],
      ["$urls", false],
      ["$type", false],
      ["$5 fee", false],
      ["url", false],
      ["", false]
    ] as const
  )("%j → %s", (given, want) => {
    expect(hasRuntimeExpressionPrefix(given)).toBe(want)
  })
})

describe("resolveNamePath", () => {
  const declared = (...names: ReadonlyArray<string>) => (candidate: string) => names.includes(candidate)
  it.each([
    { given: "token", names: ["token"], want: { name: "token", accessors: [] } },
    { given: "a.b", names: ["a.b", "a"], want: { name: "a.b", accessors: [] } },
    { given: "a.b", names: ["a"], want: { name: "a", accessors: [{ type: "property", name: "b" }] } },
    {
      given: "list[0].id",
      names: ["list"],
      want: { name: "list", accessors: [{ type: "index", index: 0 }, { type: "property", name: "id" }] }
    },
    {
      given: "x.y.z",
      names: ["x", "x.y"],
      want: { name: "x.y", accessors: [{ type: "property", name: "z" }] }
    },
    { given: "filter[status]", names: ["filter[status]"], want: { name: "filter[status]", accessors: [] } },
    { given: "filter[status]", names: ["filter"], want: undefined },
    { given: "missing", names: ["other"], want: undefined },
    { given: "list[*].id", names: ["list"], want: undefined }
  ])("$given with $names", ({ given, names, want }) => {
    expect(resolveNamePath(given, declared(...names))).toEqual(want)
  })
})
