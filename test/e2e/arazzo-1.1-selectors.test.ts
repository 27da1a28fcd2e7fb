/**
 * Arazzo 1.1 Selector Objects over HTTP, on both Effect lines (specs/behaviour/catalog-selectors):
 * JSONPath, JSON Pointer and XPath selectors in step and workflow outputs, parameter values,
 * payloads at any depth and replacement values; replacement targets chosen by JSONPath
 * (`targetSelectorType`) and XPath with an Expression Type Object; criteria typed by one.
 */
import { placeOrder, placeXmlOrder, productSummary, replaceNothing } from "#generated/catalog-selectors.js"
import { HttpClientLive, itLive } from "#line"
import * as Arazzo from "#runtime"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { IncomingMessage, ServerResponse } from "node:http"
import { misbehavingServer, sendJson, sendText } from "../support/misbehaving-server.js"

const SHEET = `<?xml version="1.0"?>
<Product sku="A-1"><Dimensions unit="cm"><Width>42</Width></Dimensions>
<Features><Feature>waterproof</Feature><Feature>foldable</Feature><Feature>light</Feature></Features></Product>`

const PRODUCTS = {
  total: 3,
  items: [
    { sku: "A-1", name: "Tent", price: 120 },
    { sku: "B-2", name: "Mug", price: 6.5 },
    { sku: "C-3", name: "Spoon", price: 2 }
  ]
}

/** What the server received: the route, query, headers and body of each request. */
interface Received {
  readonly route: string
  readonly query: URLSearchParams
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/** A catalog on 127.0.0.1 that records each request with its body; `answer` replies to it. */
const catalog = (answers: Record<string, (received: Received, res: ServerResponse) => void>) => {
  const received: Array<Received> = []
  return misbehavingServer(Object.fromEntries(
    Object.entries(answers).map(([route, answer]) => [route, (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x")
        const one = { route, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString() }
        received.push(one)
        answer(one, res)
      })
    }])
  )).pipe(Effect.map((server) => ({ ...server, received })))
}

const provide = (url: string) =>
  Effect.provide(Layer.mergeAll(
    HttpClientLive,
    Arazzo.Servers.layer({ catalog: url }),
    Arazzo.Policies.layer({ retry: Schedule.recurs(0) })
  ))

describe("Selector Objects in outputs and parameter values (1.1)", () => {
  itLive(
    "JSONPath, JSON Pointer and XPath selectors read the responses; a selected value is a parameter",
    () =>
      Effect.gen(function*() {
        const server = yield* catalog({
          "GET /products": (_, res) => sendJson(res, 200, PRODUCTS),
          "GET /products/A-1/spec": (_, res) => sendText(res, 200, SHEET, "application/xml")
        })
        const result = yield* productSummary({ category: "outdoor" }).pipe(provide(server.url))
        expect(result._tag).toBe("Completed")
        if (result._tag !== "Completed") return
        expect(result.outputs).toEqual({
          // singular queries: the value itself
          firstName: "Tent",
          lastSku: "C-3",
          // other queries: the list of what they select, in document order
          skus: ["A-1", "B-2", "C-3"],
          cheapest: "Mug",
          total: 3,
          // XPath: a node's string value, a computed value as it is
          width: "42",
          unit: "cm",
          features: 3
        })
        expect(result.steps.list?.cheapNames).toEqual(["Mug", "Spoon"])
        // `$[0]` of the `skus` list went into the path.
        expect(server.received.map((r) => r.route)).toEqual(["GET /products", "GET /products/A-1/spec"])
      })
  )

  itLive("a query that selects nothing: an empty list, or no value", () =>
    Effect.gen(function*() {
      const server = yield* catalog({
        "GET /products": (_, res) =>
          sendJson(res, 200, { total: 1, items: [{ sku: "A-1", name: "Tent", price: 120 }] }),
        "GET /products/A-1/spec": (_, res) => sendText(res, 200, SHEET, "application/xml")
      })
      const result = yield* productSummary({ category: "outdoor" }).pipe(provide(server.url))
      expect(result._tag).toBe("Completed")
      if (result._tag !== "Completed") return
      expect(result.steps.list?.cheapNames).toEqual([])
      expect(result.outputs.cheapest).toBeUndefined()
      expect(result.outputs.lastSku).toBe("A-1")
    }))

  itLive(
    "the Expression Type Object types criteria: a JSONPath criterion that selects nothing fails the step",
    () =>
      Effect.gen(function*() {
        const server = yield* catalog({
          "GET /products": (_, res) => sendJson(res, 200, { total: 0, items: [{ sku: "Z", name: "Free", price: 0 }] })
        })
        const error = yield* Effect.flip(productSummary({ category: "outdoor" }).pipe(provide(server.url)))
        expect(error).toMatchObject({ _tag: "StepFailed", stepId: "list", criterion: "$.items[?@.price > 0]" })
      })
  )

  itLive("an XPath criterion typed `xpath-31` is tested on the XML body", () =>
    Effect.gen(function*() {
      const server = yield* catalog({
        "GET /products": (_, res) => sendJson(res, 200, PRODUCTS),
        "GET /products/A-1/spec": (_, res) =>
          sendText(res, 200, SHEET.replace("<Width>42</Width>", "<Width>0</Width>"), "application/xml")
      })
      const error = yield* Effect.flip(productSummary({ category: "outdoor" }).pipe(provide(server.url)))
      expect(error).toMatchObject({ _tag: "StepFailed", stepId: "sheet", criterion: "/Product/Dimensions/Width > 0" })
    }))
})

const CART = {
  customer: { id: "c-9", tier: "gold" },
  lines: [{ sku: "A-1", qty: 2 }, { sku: "B-2", qty: 5 }]
}

describe("Selector Objects in payloads and replacements (1.1)", () => {
  itLive(
    "selectors at any depth of a JSON payload, in a header, and as replacement values; JSONPath targets",
    () =>
      Effect.gen(function*() {
        const server = yield* catalog({
          "GET /stock": (r, res) =>
            sendJson(res, 200, { sku: r.query.get("sku"), level: `low for ${r.headers["x-tier"]}` }),
          "POST /orders": (r, res) => sendJson(res, 201, JSON.parse(r.body))
        })
        const result = yield* placeOrder({ cart: CART, sheetXml: SHEET }).pipe(provide(server.url))
        expect(result._tag).toBe("Completed")
        const [stock, order] = server.received
        expect(stock?.query.get("sku")).toBe("A-1")
        expect(stock?.headers["x-tier"]).toBe("gold")
        expect(JSON.parse(order!.body)).toEqual({
          customer: { id: "c-9" },
          skus: ["A-1", "B-2"],
          shipping: { parcels: [{ width: "42", unit: "cm" }] },
          // each filter's quantity, and every `note` at any depth
          lines: [{ sku: "A-1", quantity: 2, note: "low for gold" }, { sku: "B-2", quantity: 5, note: "low for gold" }],
          // the default target type: a JSON Pointer, which may add a member
          status: "placed"
        })
        if (result._tag === "Completed") expect(result.outputs.placed).toEqual(JSON.parse(order!.body))
      })
  )

  itLive(
    "XPath targets (a name and an Expression Type Object) take values selected by JSONPath",
    () =>
      Effect.gen(function*() {
        const server = yield* catalog({
          "POST /orders/xml": (r, res) => sendText(res, 201, r.body, "application/xml")
        })
        const result = yield* placeXmlOrder({ cart: CART }).pipe(provide(server.url))
        expect(server.received[0]?.body).toBe("<Order><Customer id=\"c-9\"/><Quantity>2</Quantity></Order>")
        expect(result).toMatchObject({ _tag: "Completed", outputs: { customerId: "c-9" } })
      })
  )

  itLive(
    "a JSONPath target that selects nothing is a RequestInvalid naming it, and nothing is sent",
    () =>
      Effect.gen(function*() {
        const server = yield* catalog({ "POST /orders": (r, res) => sendJson(res, 201, JSON.parse(r.body)) })
        const error = yield* Effect.flip(replaceNothing({}).pipe(provide(server.url)))
        expect(error).toMatchObject({ _tag: "RequestInvalid", stepId: "order" })
        expect(String(error.message)).toContain("replacement `$.lines[*].quantity`: selects nothing in the payload")
        expect(server.received).toEqual([])
      })
  )
})
