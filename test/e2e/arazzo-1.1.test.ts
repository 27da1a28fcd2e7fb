/**
 * Arazzo 1.1 constructs compiled from test/fixtures/arazzo-1.1 and run over HTTP against a
 * 127.0.0.1 server, on both Effect lines.
 */
import { itLive } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, compiled, echoServer, type Seen } from "../support/arazzo-1.1.js"

const delayed = (request: Seen) => {
  const delay = Number(new URLSearchParams(request.rawQuery).get("delay"))
  return { status: 200, body: { waited: delay }, delay }
}

describe("step timeout (1.1)", () => {
  itLive("a step that answers in time completes", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("timeout.arazzo.yaml")
      const server = yield* echoServer({ "GET /slow": delayed })
      const result = yield* mod["boundedWithFallback"]!({ delay: 0 }).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { waited: 0 } })
    }))

  itLive("exceeding the step's timeout fails the step into onFailure", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("timeout.arazzo.yaml")
      const server = yield* echoServer({ "GET /slow": delayed })
      const result = yield* mod["boundedWithFallback"]!({ delay: 3000 }).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "slowCall", action: "tooSlow", via: "onFailure" })
      if (result._tag !== "Ended") return
      expect(result.failure).toMatchObject({ _tag: "StepTimeout", stepId: "slowCall" })
      expect(String(result.failure?.message)).toContain("Timed out after 300ms")
      expect(server.seen).toHaveLength(1)
    }))

  itLive("the document's timeout overrides the policy's stepTimeout", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("timeout.arazzo.yaml")
      const server = yield* echoServer({ "GET /slow": delayed })
      // The policy alone would end the run after 20 ms; the step's own 300 ms holds.
      const result = yield* mod["boundedWithFallback"]!({ delay: 100 }).pipe(
        against(server.url, { stepTimeout: "20 millis" })
      )
      expect(result).toMatchObject({ _tag: "Completed", outputs: { waited: 100 } })
    }))

  itLive("without failure actions the timeout is the step's typed error", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("timeout.arazzo.yaml")
      const server = yield* echoServer({ "GET /slow": delayed })
      const error = yield* Effect.flip(mod["boundedWithoutActions"]!({ delay: 3000 }).pipe(against(server.url)))
      expect(error).toMatchObject({ _tag: "StepTimeout", workflowId: "boundedWithoutActions", stepId: "slowCall" })
    }))
})

/** Answers with the query string exactly as it arrived. */
const echoQuery = (request: Seen) => ({ status: 200, body: { query: request.rawQuery } })

describe("in: querystring (1.1)", () => {
  itLive("a static value is the whole query string, as written", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("querystring.arazzo.yaml")
      const server = yield* echoServer({ "GET /search": echoQuery })
      const result = yield* mod["searchStatic"]!({}).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { query: "filter=active&sort=desc" } })
    }))

  itLive(
    "embedded expressions are substituted; what a query cannot hold is percent-encoded",
    () =>
      Effect.gen(function*() {
        const mod = yield* compiled("querystring.arazzo.yaml")
        const server = yield* echoServer({ "GET /search": echoQuery })
        const result = yield* mod["searchFor"]!({ category: "toys", minPrice: 2.5 }).pipe(against(server.url))
        expect(result).toMatchObject({
          _tag: "Completed",
          outputs: { query: "category=toys&minPrice=2.5&note=a%20b" }
        })
      })
  )

  itLive("a workflow step's parameters without `in` are the called workflow's inputs", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("querystring.arazzo.yaml")
      const server = yield* echoServer({ "GET /search": echoQuery })
      const result = yield* mod["viaWorkflowStep"]!({}).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { query: "category=toys&minPrice=5&note=a%20b" } })
      expect(server.seen.map((r) => r.path)).toEqual(["/search"])
    }))
})

/** Records the body it is sent, and answers with it. */
const recordBody = (request: Seen) => ({ status: 201, body: JSON.parse(request.body) as unknown })

describe("1.1 runtime expressions", () => {
  itLive("`$inputs.name#/pointer` reads into an input", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("querystring.arazzo.yaml")
      const server = yield* echoServer({ "GET /search": echoQuery })
      const result = yield* mod["searchByPointer"]!({ filter: { category: "games" } }).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { query: "category=games&minPrice=1&note=a%20b" } })
    }))
})

describe("success and failure action parameters (1.1)", () => {
  itLive("a success goto to a workflow passes its parameters as that workflow's inputs", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("action-parameters.arazzo.yaml")
      const server = yield* echoServer({
        "GET /items/i-7": () => ({ status: 200, body: { id: "i-7", owner: { name: "Ada" } } }),
        "POST /items": recordBody
      })
      const result = yield* mod["lookUp"]!({ id: "i-7" }).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "find", action: "reportFound", via: "onSuccess" })
      if (result._tag !== "Ended") return
      expect(result.transfer).toMatchObject({
        workflowId: "report",
        result: { _tag: "Completed", outputs: { recorded: { itemId: "i-7", label: "found Ada" } } }
      })
      expect(JSON.parse(server.seen[1]!.body)).toEqual({ itemId: "i-7", label: "found Ada" })
    }))

  itLive("a failure goto reads the failing response and reusable parameters", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("action-parameters.arazzo.yaml")
      const server = yield* echoServer({ "GET /items/nope": () => ({ status: 404 }), "POST /items": recordBody })
      const result = yield* mod["lookUp"]!({ id: "nope" }).pipe(against(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "find", action: "reportMissing", via: "onFailure" })
      if (result._tag !== "Ended") return
      expect(result.transfer?.result).toMatchObject({
        _tag: "Completed",
        outputs: { recorded: { itemId: "nope", label: "missing", status: 404 } }
      })
    }))
})

describe("1.1 runtime expressions: `$self` and the embedding rules", () => {
  itLive(
    "`$self` is the document's URI; embedded objects and arrays are JSON, scalars text, absent nothing",
    () =>
      Effect.gen(function*() {
        const mod = yield* compiled("expressions.arazzo.yaml")
        const server = yield* echoServer({ "POST /items": recordBody })
        const result = yield* mod["embed"]!({ filter: { n: 2 }, tags: ["a", "b"] }).pipe(against(server.url))
        expect(result).toMatchObject({ _tag: "Completed" })
        expect(JSON.parse(server.seen[0]!.body)).toEqual({
          self: "https://example.test/arazzo/expressions.arazzo.yaml",
          note: "filter={\"n\":2} tags=[\"a\",\"b\"] n=2 missing=[]"
        })
      })
  )

  itLive("`$outputs.name#/pointer` reads into a called workflow's output", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("expressions.arazzo.yaml")
      const server = yield* echoServer({ "POST /items": recordBody })
      const result = yield* mod["readCalledOutput"]!({ filter: { n: 3 } }).pipe(against(server.url))
      expect(result).toMatchObject({
        _tag: "Completed",
        outputs: { note: "filter={\"n\":3} tags=[\"x\"] n=3 missing=[]" }
      })
    }))
})

const item = () => ({ status: 200, body: { id: "i-42", owner: { name: "Ada" } } })
const prices = () => ({ status: 200, xml: "<prices><price>3</price><price>12</price></prices>" })

describe("1.1 criteria: `{$…}` substituted into regex, JSONPath and XPath conditions", () => {
  itLive("substituted conditions hold when their texts match", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("expressions.arazzo.yaml")
      const server = yield* echoServer({ "GET /items/i-42": item, "GET /prices": prices })
      const found = yield* mod["substituted"]!({ id: "i-42", idPattern: "i-\\d+", owner: "Ada" }).pipe(
        against(server.url)
      )
      expect(found).toMatchObject({ _tag: "Completed", outputs: { id: "i-42" } })
      const priced = yield* mod["substitutedXml"]!({ minimum: 10 }).pipe(against(server.url))
      expect(priced).toMatchObject({ _tag: "Completed" })
    }))

  itLive("a substituted condition that does not match fails the step as any criterion", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("expressions.arazzo.yaml")
      const server = yield* echoServer({ "GET /items/i-42": item, "GET /prices": prices })
      const regex = yield* Effect.flip(
        mod["substituted"]!({ id: "i-42", idPattern: "x-\\d+", owner: "Ada" }).pipe(against(server.url))
      )
      expect(regex).toMatchObject({ _tag: "StepFailed", stepId: "find", criterion: "^({$inputs.idPattern})$" })
      expect(regex).not.toHaveProperty("detail")
      const owner = yield* Effect.flip(
        mod["substituted"]!({ id: "i-42", idPattern: "i-\\d+", owner: "Bob" }).pipe(against(server.url))
      )
      expect(owner).toMatchObject({ _tag: "StepFailed", criterion: "$[?(@.name == \"{$inputs.owner}\")]" })
      const xpath = yield* Effect.flip(mod["substitutedXml"]!({ minimum: 20 }).pipe(against(server.url)))
      expect(xpath).toMatchObject({ _tag: "StepFailed", stepId: "prices" })
      expect(xpath).not.toHaveProperty("detail")
    }))

  itLive(
    "a substitution that makes the pattern invalid is a failed criterion that says why",
    () =>
      Effect.gen(function*() {
        const mod = yield* compiled("expressions.arazzo.yaml")
        const server = yield* echoServer({ "GET /items/i-42": item })
        const error = yield* Effect.flip(
          mod["substituted"]!({ id: "i-42", idPattern: "i-(", owner: "Ada" }).pipe(against(server.url))
        )
        expect(error).toMatchObject({ _tag: "StepFailed", stepId: "find", criterion: "^({$inputs.idPattern})$" })
        expect(String((error as { detail?: string }).detail)).toContain("`^(i-()$` is not a pattern")
        expect(error.message).toContain("could not be evaluated")
      })
  )

  itLive("a substitution that breaks the JSONPath query is reported", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("expressions.arazzo.yaml")
      const server = yield* echoServer({ "GET /items/i-42": item })
      const error = yield* Effect.flip(
        mod["substituted"]!({ id: "i-42", idPattern: "i-\\d+", owner: "A\"]" }).pipe(against(server.url))
      )
      expect(String((error as { detail?: string }).detail)).toContain("is not an RFC 9535 JSONPath query")
    }))

  itLive(
    "an xpath criterion on a body that is not XML is reported in 1.1, and silently false in 1.0",
    () =>
      Effect.gen(function*() {
        const server = yield* echoServer({ "GET /items/i-1": item })
        const strict = yield* compiled("expressions.arazzo.yaml")
        const reported = yield* Effect.flip(strict["xpathOnJson"]!({}).pipe(against(server.url)))
        expect(reported).toMatchObject({ _tag: "StepFailed", stepId: "find", criterion: "/item/id" })
        expect(String((reported as { detail?: string }).detail)).toContain("context is not XML text")
        const loose = yield* compiled("criteria-1.0.arazzo.yaml")
        const silent = yield* Effect.flip(loose["xpathOnJson"]!({}).pipe(against(server.url)))
        expect(silent).toMatchObject({ _tag: "StepFailed", criterion: "/item/id" })
        expect(silent).not.toHaveProperty("detail")
      })
  )
})

describe("1.1 `$components.successActions` / `failureActions` references", () => {
  itLive("a step's actions may be reusable components, each applied as written there", () =>
    Effect.gen(function*() {
      const mod = yield* compiled("expressions.arazzo.yaml")
      const found = yield* echoServer({ "GET /items/i-9": item })
      const done = yield* mod["reusableActions"]!({}).pipe(against(found.url))
      expect(done).toMatchObject({ _tag: "Ended", stepId: "find", action: "done", via: "onSuccess" })
      expect(found.seen.map((r) => r.path)).toEqual(["/items/i-9"])
      const missing = yield* echoServer({})
      const gaveUp = yield* mod["reusableActions"]!({}).pipe(against(missing.url))
      expect(gaveUp).toMatchObject({ _tag: "Ended", stepId: "find", action: "giveUp", via: "onFailure" })
    }))
})
