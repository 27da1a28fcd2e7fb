import { describe, expect, it } from "vitest"
import { conditionToString, conditionWarnings, parseCondition } from "../../generator/expressions/index.js"
import type { Condition, Operand, ParseResult } from "../../generator/expressions/index.js"

const valueOf = <A>(result: ParseResult<A>): A => {
  if (!result.ok) throw new Error(`expected success, got: ${result.error.message} @${result.error.span.start}`)
  return result.value
}

/** A fully parenthesised view of the tree, so precedence and associativity are visible. */
const tree = (c: Condition): string => {
  switch (c.type) {
    case "or":
    case "and":
      return `(${tree(c.left)} ${c.type === "or" ? "||" : "&&"} ${tree(c.right)})`
    case "not":
      return `!${tree(c.operand)}`
    case "compare":
      return `(${operand(c.left)} ${c.op} ${operand(c.right)})`
    case "operand":
      return operand(c.operand)
  }
}

const operand = (o: Operand): string => {
  const path = o.type === "literal"
    ? ""
    : o.accessors.map((a) => (a.type === "index" ? `[${a.index}]` : `.${a.name}`)).join("")
  switch (o.type) {
    case "literal":
      return typeof o.value === "string" ? `s:${o.value}` : `${typeof o.value}:${String(o.value)}`
    case "expression":
      return `${o.expression.type}<${o.expression.text}>${path}`
    case "context":
      return `ctx${path}`
  }
}

describe("parseCondition: structure", () => {
  const cases: ReadonlyArray<{ given: string; want: string; contextRoot?: boolean }> = [
    { given: "$statusCode == 200", want: "(statusCode<$statusCode> == number:200)" },
    { given: "$statusCode==200", want: "(statusCode<$statusCode> == number:200)" },
    { given: "200 == $statusCode", want: "(number:200 == statusCode<$statusCode>)" },
    { given: "$statusCode != 404", want: "(statusCode<$statusCode> != number:404)" },
    { given: "$statusCode < 300", want: "(statusCode<$statusCode> < number:300)" },
    { given: "$statusCode <= 299", want: "(statusCode<$statusCode> <= number:299)" },
    { given: "$statusCode > 199", want: "(statusCode<$statusCode> > number:199)" },
    { given: "$statusCode >= 200", want: "(statusCode<$statusCode> >= number:200)" },
    { given: "$response.body#/status == 'done'", want: "(body<$response.body#/status> == s:done)" },
    { given: "$response.body#/count>0", want: "(body<$response.body#/count> > number:0)" },
    { given: "$response.body#/a.b == 1", want: "(body<$response.body#/a.b> == number:1)" },
    {
      given: "$response.body#/items[0].id == 'x'",
      want: "(body<$response.body#/items>[0].id == s:x)"
    },
    { given: "$response.header.X-Rate < 10", want: "(header<$response.header.X-Rate> < number:10)" },
    { given: "$response.header.X-Flag!=1", want: "(header<$response.header.X-Flag> != number:1)" },
    { given: "$steps.check.outputs.ok", want: "stepOutputs<$steps.check.outputs.ok>" },
    { given: "$steps.a.outputs.b.c == true", want: "(stepOutputs<$steps.a.outputs.b.c> == boolean:true)" },
    { given: "$steps.a.outputs.list[1] == null", want: "(stepOutputs<$steps.a.outputs.list>[1] == object:null)" },
    { given: "$inputs.limit >= -1.5e2", want: "(inputs<$inputs.limit> >= number:-150)" },
    { given: "$inputs.ratio < 0.25", want: "(inputs<$inputs.ratio> < number:0.25)" },
    { given: "$inputs.x == 1E+3", want: "(inputs<$inputs.x> == number:1000)" },
    { given: "$inputs.name == 'it''s'", want: "(inputs<$inputs.name> == s:it's)" },
    { given: "$inputs.name == ''", want: "(inputs<$inputs.name> == s:)" },
    { given: "$inputs.name == 'a && b || (c)'", want: "(inputs<$inputs.name> == s:a && b || (c))" },
    { given: "$response.body.status == \"success\"", want: "(body<$response.body>.status == s:success)" },
    { given: "$inputs.q == \"say \"\"hi\"\"\"", want: "(inputs<$inputs.q> == s:say \"hi\")" },
    { given: "true", want: "boolean:true" },
    { given: "!$inputs.flag", want: "!inputs<$inputs.flag>" },
    { given: "!!$inputs.flag", want: "!!inputs<$inputs.flag>" },
    { given: "!($statusCode == 200)", want: "!(statusCode<$statusCode> == number:200)" },
    // Precedence: || < && < comparison < ! ; both binary operators left-associative.
    {
      given: "$statusCode == 200 || $statusCode == 201 && $inputs.x",
      want:
        "((statusCode<$statusCode> == number:200) || ((statusCode<$statusCode> == number:201) && inputs<$inputs.x>))"
    },
    {
      given: "$inputs.a && $inputs.b || $inputs.c",
      want: "((inputs<$inputs.a> && inputs<$inputs.b>) || inputs<$inputs.c>)"
    },
    {
      given: "$inputs.a || $inputs.b || $inputs.c",
      want: "((inputs<$inputs.a> || inputs<$inputs.b>) || inputs<$inputs.c>)"
    },
    {
      given: "$inputs.a && ($inputs.b || $inputs.c)",
      want: "(inputs<$inputs.a> && (inputs<$inputs.b> || inputs<$inputs.c>))"
    },
    { given: "!$inputs.a && $inputs.b", want: "(!inputs<$inputs.a> && inputs<$inputs.b>)" },
    { given: "($statusCode) == 200", want: "(statusCode<$statusCode> == number:200)" },
    { given: "  (\n$statusCode == 200\n)\n", want: "(statusCode<$statusCode> == number:200)" },
    // Context paths (jsonpath-style criteria with a context).
    { given: "$.status == 'processing'", want: "(ctx.status == s:processing)", contextRoot: true },
    {
      given: "$.status == 'processing' || $.status == 'preparing'",
      want: "((ctx.status == s:processing) || (ctx.status == s:preparing))",
      contextRoot: true
    },
    { given: "$.a.b[0].c == true", want: "(ctx.a.b[0].c == boolean:true)", contextRoot: true },
    { given: "$[0].state != \"running\"", want: "(ctx[0].state != s:running)", contextRoot: true },
    { given: "$.length > 0", want: "(ctx.length > number:0)", contextRoot: true },
    { given: "$", want: "ctx", contextRoot: true },
    {
      given: "$statusCode == 200 && $.ok",
      want: "((statusCode<$statusCode> == number:200) && ctx.ok)",
      contextRoot: true
    }
  ]
  it.each(cases)("$given", ({ given, want, contextRoot }) => {
    expect(tree(valueOf(parseCondition(given, { contextRoot: contextRoot ?? false })))).toBe(want)
  })
})

describe("parseCondition: spans", () => {
  it("covers each node's source, grouping parentheses included", () => {
    const c = valueOf(parseCondition("!($inputs.x) || $statusCode == 200"))
    expect(c.span).toEqual({ start: 0, end: 34 })
    if (c.type !== "or") throw new Error("expected or")
    expect(c.left.span).toEqual({ start: 0, end: 12 })
    if (c.left.type !== "not") throw new Error("expected not")
    expect(c.left.operand.span).toEqual({ start: 1, end: 12 })
    expect(c.right.span).toEqual({ start: 16, end: 34 })
    if (c.right.type !== "compare") throw new Error("expected compare")
    expect(c.right.left.span).toEqual({ start: 16, end: 27 })
    expect(c.right.right).toEqual({ type: "literal", value: 200, span: { start: 31, end: 34 } })
  })

  it("gives embedded expressions spans in the whole string", () => {
    const c = valueOf(parseCondition("1 < $response.body#/items[2]"))
    if (c.type !== "compare" || c.right.type !== "expression") throw new Error("expected compare with expression")
    expect(c.right.expression).toEqual({
      type: "body",
      of: "response",
      pointer: ["items"],
      text: "$response.body#/items",
      span: { start: 4, end: 25 }
    })
    expect(c.right.accessors).toEqual([{ type: "index", index: 2 }])
    expect(c.right.span).toEqual({ start: 4, end: 28 })
  })

  it("records how string literals were quoted", () => {
    const c = valueOf(parseCondition("'a' == \"b\""))
    if (c.type !== "compare") throw new Error("expected compare")
    expect(c.left).toEqual({ type: "literal", value: "a", quote: "'", span: { start: 0, end: 3 } })
    expect(c.right).toEqual({ type: "literal", value: "b", quote: "\"", span: { start: 7, end: 10 } })
  })
})

describe("parseCondition: errors", () => {
  const cases: ReadonlyArray<{ given: string; message: RegExp; start: number; end: number; contextRoot?: boolean }> = [
    { given: "", message: /expected a condition/, start: 0, end: 0 },
    { given: "   ", message: /expected a condition/, start: 3, end: 3 },
    {
      given: "$statusCode == 200 &&",
      message: /expected an operand after '&&', found end of input/,
      start: 21,
      end: 21
    },
    {
      given: "$statusCode == 200 && ",
      message: /expected an operand after '&&', found end of input/,
      start: 22,
      end: 22
    },
    { given: "$statusCode == 200 || )", message: /expected an operand after '\|\|', found '\)'/, start: 22, end: 23 },
    { given: "$statusCode ==", message: /expected an operand after '==', found end of input/, start: 14, end: 14 },
    { given: "$statusCode == !1", message: /expected an operand after '==', found '!'/, start: 15, end: 16 },
    { given: "!", message: /expected an operand after '!'/, start: 1, end: 1 },
    { given: "(", message: /expected an operand after '\('/, start: 1, end: 1 },
    {
      given: "($statusCode == 200",
      message: /expected '\)' to close the '\(' at offset 0, found end of input/,
      start: 19,
      end: 19
    },
    { given: "$statusCode == 200)", message: /found '\)' without a matching '\('/, start: 18, end: 19 },
    { given: "1 == 2 == 3", message: /'==' cannot be chained after '=='/, start: 7, end: 9 },
    { given: "1 < $inputs.x < 3", message: /'<' cannot be chained after '<'/, start: 14, end: 15 },
    { given: "!$inputs.a == 1", message: /expected a value before '=='.*'!\(a == b\)'/, start: 0, end: 10 },
    { given: "($inputs.a && $inputs.b) == true", message: /expected a value before '=='/, start: 0, end: 24 },
    { given: "$inputs.s == 'abc", message: /unterminated string literal/, start: 13, end: 14 },
    { given: "$inputs.s == 'it''s", message: /unterminated string literal/, start: 13, end: 14 },
    { given: "$inputs.s == \"abc", message: /unterminated string literal: expected a closing "/, start: 13, end: 14 },
    { given: "$statusCode = 200", message: /found '=' \(equality is written '=='\)/, start: 12, end: 13 },
    { given: "$inputs.a & $inputs.b", message: /found '&' \(logical and is written '&&'\)/, start: 10, end: 11 },
    { given: "$inputs.a | $inputs.b", message: /found '\|' \(logical or is written '\|\|'\)/, start: 10, end: 11 },
    {
      given: "$inputs.a $inputs.b",
      message: /expected an operator .* or end of condition, found '\$'/,
      start: 10,
      end: 11
    },
    { given: "'a'.length > 1", message: /expected an operator/, start: 3, end: 4 },
    { given: "$statusCode == 200ms", message: /after the number '200', found 'm'/, start: 18, end: 19 },
    { given: "$inputs.x == 1.", message: /after the number '1', found '\.'/, start: 14, end: 15 },
    { given: "$inputs.x == -", message: /expected a digit after '-'/, start: 14, end: 14 },
    { given: "$inputs.x == 1e999", message: /'1e999' is out of range/, start: 13, end: 18 },
    { given: "status == 'ok'", message: /expected an operand .*found 'status'/, start: 0, end: 6 },
    { given: "used_excellent", message: /expected an operand .*found 'used_excellent'/, start: 0, end: 14 },
    { given: "$type == 'x'", message: /expected a runtime expression .*found '\$type'/, start: 0, end: 5 },
    { given: "$steps.a == 1", message: /expected '\.outputs\.' after step id 'a', found ' '/, start: 8, end: 9 },
    { given: "$response.body#/a~2 == 1", message: /expected '0' or '1' after '~'/, start: 17, end: 19 },
    { given: "$.status == 'x'", message: /'\$' alone is the criterion context/, start: 0, end: 1 },
    {
      given: "$[?count(@.pets) > 0]",
      message: /expected a non-negative integer index after '\['/,
      start: 2,
      end: 3,
      contextRoot: true
    },
    {
      given: "$.items[*].id == 1",
      message: /expected a non-negative integer index/,
      start: 8,
      end: 9,
      contextRoot: true
    },
    { given: "$.items[0 == 1", message: /expected '\]' after index 0/, start: 9, end: 10, contextRoot: true },
    { given: "$. == 1", message: /expected a property name after '\.'/, start: 2, end: 3, contextRoot: true },
    { given: "$status == 1", message: /found '\$status'/, start: 0, end: 7, contextRoot: true }
  ]
  it.each(cases)("$given", ({ given, message, start, end, contextRoot }) => {
    const result = parseCondition(given, { contextRoot: contextRoot ?? false })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.message).toMatch(message)
    expect(result.error.span).toEqual({ start, end })
  })
})

/** The tree without spans or quote styles: what printing must preserve. */
const stripped = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(stripped)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "span" && key !== "quote")
      .map(([key, v]) => [key, key === "expression" ? (v as { text: string }).text : stripped(v)])
  )
}

describe("conditionToString", () => {
  const cases: ReadonlyArray<{ given: string; want: string; contextRoot?: boolean }> = [
    { given: "$statusCode==200", want: "$statusCode == 200" },
    { given: "  $statusCode   ==   200  ", want: "$statusCode == 200" },
    { given: "$inputs.a && ($inputs.b || $inputs.c)", want: "$inputs.a && ($inputs.b || $inputs.c)" },
    { given: "($inputs.a && $inputs.b) || $inputs.c", want: "$inputs.a && $inputs.b || $inputs.c" },
    { given: "$inputs.a || ($inputs.b || $inputs.c)", want: "$inputs.a || ($inputs.b || $inputs.c)" },
    { given: "($inputs.a || $inputs.b) || $inputs.c", want: "$inputs.a || $inputs.b || $inputs.c" },
    { given: "$inputs.a && ($inputs.b && $inputs.c)", want: "$inputs.a && ($inputs.b && $inputs.c)" },
    { given: "!($inputs.a && $inputs.b)", want: "!($inputs.a && $inputs.b)" },
    { given: "!($statusCode == 200)", want: "!($statusCode == 200)" },
    { given: "!(!$inputs.a)", want: "!!$inputs.a" },
    { given: "(($statusCode))", want: "$statusCode" },
    { given: "$inputs.s == \"it's\"", want: "$inputs.s == 'it''s'" },
    { given: "$inputs.n == -0", want: "$inputs.n == -0" },
    { given: "$inputs.n == 1e21", want: "$inputs.n == 1e+21" },
    { given: "$inputs.n == 0.000001", want: "$inputs.n == 0.000001" },
    { given: "$inputs.n == 1e-7", want: "$inputs.n == 1e-7" },
    { given: "$inputs.n == null", want: "$inputs.n == null" },
    { given: "$response.body#/items[0].id >= 1", want: "$response.body#/items[0].id >= 1" },
    { given: "$.status == 'a' || $.status == 'b'", want: "$.status == 'a' || $.status == 'b'", contextRoot: true },
    { given: "$[0].state != \"running\"", want: "$[0].state != 'running'", contextRoot: true }
  ]
  it.each(cases)("$given → $want", ({ given, want, contextRoot }) => {
    const options = { contextRoot: contextRoot ?? false }
    const parsed = valueOf(parseCondition(given, options))
    const printed = conditionToString(parsed)
    expect(printed).toBe(want)
    // Round trip: the printed text parses to the same tree and prints the same again.
    const reparsed = valueOf(parseCondition(printed, options))
    expect(stripped(reparsed)).toEqual(stripped(parsed))
    expect(conditionToString(reparsed)).toBe(printed)
  })
})

describe("conditionWarnings", () => {
  it("flags double-quoted strings and property access on a body", () => {
    const c = valueOf(parseCondition("$statusCode == 200 && $response.body.data[0].status == \"success\""))
    expect(conditionWarnings(c)).toEqual([
      {
        message: "select body fields with a JSON pointer: write $response.body#/data/0/status",
        span: { start: 22, end: 51 }
      },
      { message: "string literals are single-quoted in Arazzo: write 'success'", span: { start: 55, end: 64 } }
    ])
  })

  it("has nothing to say about spec-form conditions", () => {
    const c = valueOf(parseCondition("$response.body#/data/0/status == 'success' && !$steps.a.outputs.ok"))
    expect(conditionWarnings(c)).toEqual([])
  })
})
