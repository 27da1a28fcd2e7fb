/**
 * Control flow beyond success gotos, over real HTTP: failure `goto` to a step, `goto` to another
 * workflow (on success and on failure), `retry` that goes to a step or runs a workflow first,
 * `dependsOn`, steps that run a workflow with their own criteria and failure actions, reusable
 * parameters (with a `value` override), workflow-level parameters, and the request expressions
 * `$url`, `$method`, `$request.query…`, `$request.header…`, `$sourceDescriptions.x.url`.
 */
import {
  annotateOrder,
  checkedInvoice,
  exportOrder,
  findInvoice,
  invoiceAfterRefresh,
  invoiceOfFirstOpen,
  listOpenOrders,
  orderOrFallback,
  ordersByStatus,
  taggedOrders
} from "#generated/order-control-flow.js"
import { HttpClientLive, itLive } from "#line"
import * as Arazzo from "#runtime"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { IncomingMessage, ServerResponse } from "node:http"
import { misbehavingServer } from "../support/misbehaving-server.js"

const json = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(body === undefined ? "" : JSON.stringify(body))
}

/** Answers from a list, one per request; the last repeats. */
const inTurn = (...answers: ReadonlyArray<readonly [number, unknown?]>) => {
  let n = 0
  return (_req: unknown, res: ServerResponse) => {
    const [status, body] = answers[Math.min(n++, answers.length - 1)]!
    json(res, status, body)
  }
}

const ordersApi = (routes: Record<string, (req: unknown, res: ServerResponse) => void>) =>
  misbehavingServer({
    "GET /orders": (_req, res, ctx) => {
      const status = new URL(ctx.exchange.url, "http://x").searchParams.get("status")
      json(res, 200, { items: [{ id: `${status}-1`, status }] })
    },
    ...routes
  })

const provide = (url: string) => Effect.provide(Layer.mergeAll(HttpClientLive, Arazzo.Servers.layer({ orders: url })))

describe("failure goto and retry to a step (find-invoice)", () => {
  itLive("reads the order again while the invoice is missing, then succeeds", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({
        "GET /orders/o1": inTurn([200, { id: "o1", status: "paid" }]),
        "GET /orders/o1/invoice": inTurn([404], [404], [200, { total: 42 }])
      })
      const result = yield* findInvoice({ orderId: "o1" }).pipe(provide(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "readInvoice", action: "done", via: "onSuccess" })
      expect(result.outputs).toEqual({ total: 42, firstOpen: undefined })
      // retry with stepId: readOrder runs again before each retry, twice at most
      expect(server.hits("GET /orders/o1")).toBe(3)
      expect(server.hits("GET /orders/o1/invoice")).toBe(3)
      expect(server.hits("GET /orders")).toBe(0)
    }))

  itLive("when the retries are used up, the next failure action goes to listOpen", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({
        "GET /orders/o1": inTurn([200, { id: "o1", status: "paid" }]),
        "GET /orders/o1/invoice": inTurn([404])
      })
      const result = yield* findInvoice({ orderId: "o1" }).pipe(provide(server.url))
      expect(result._tag).toBe("Completed")
      expect(result.outputs).toEqual({ total: undefined, firstOpen: "open-1" })
      expect(server.hits("GET /orders/o1/invoice")).toBe(3) // first try + 2 retries
      expect(server.hits("GET /orders/o1")).toBe(3)
      expect(server.exchanges.filter((e) => e.route === "GET /orders").map((e) => e.url)).toEqual([
        "/orders?status=open"
      ])
    }))

  itLive("a failure no action matches fails the step with its status", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({
        "GET /orders/o1": inTurn([200, { id: "o1", status: "paid" }]),
        "GET /orders/o1/invoice": inTurn([500, { error: "boom" }])
      })
      const error = yield* Effect.flip(findInvoice({ orderId: "o1" }).pipe(provide(server.url)))
      expect(error).toMatchObject({
        _tag: "StepFailed",
        stepId: "readInvoice",
        status: 500,
        criterion: "$statusCode == 200",
        stepOutputs: { readOrder: { status: "paid" } }
      })
    }))
})

describe("goto a workflow (order-or-fallback)", () => {
  itLive("a shipped order hands over to invoice-of, whose result the caller gets", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({
        "GET /orders/o2": inTurn([200, { id: "o2", status: "shipped" }]),
        "GET /orders/o2/invoice": inTurn([200, { total: 7 }])
      })
      const result = yield* orderOrFallback({ orderId: "o2" }).pipe(provide(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "readOrder", action: "shipped", via: "onSuccess" })
      if (result._tag !== "Ended") return
      expect(result.transfer?.workflowId).toBe("invoice-of")
      expect(result.transfer?.result).toMatchObject({ _tag: "Completed", outputs: { total: 7 } })
      expect(result.outputs).toEqual({ status: "shipped", paidListUrl: undefined })
      expect(server.hits("GET /orders")).toBe(0) // listPaid never ran
    }))

  itLive("a missing order hands over to list-open-orders through a failure action", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/o3": inTurn([404]) })
      const result = yield* orderOrFallback({ orderId: "o3" }).pipe(provide(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "readOrder", action: "missing", via: "onFailure" })
      if (result._tag !== "Ended" || result.via !== "onFailure") return
      expect(result.failure).toMatchObject({ _tag: "StepFailed", status: 404 })
      expect(result.transfer?.result.outputs).toMatchObject({ firstOpen: "open-1" })
    }))

  itLive(
    "an order that is neither goes on; the reusable parameter's value is overridden",
    () =>
      Effect.gen(function*() {
        const server = yield* ordersApi({ "GET /orders/o4": inTurn([200, { id: "o4", status: "open" }]) })
        const result = yield* orderOrFallback({ orderId: "o4" }).pipe(provide(server.url))
        expect(result._tag).toBe("Completed")
        expect(result.outputs).toEqual({ status: "open", paidListUrl: `${server.url}/orders?status=paid` })
      })
  )
})

describe("request expressions and workflow-level parameters (list-open-orders)", () => {
  itLive("$url, $method, $request.query and $request.header read the request as sent", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({})
      const result = yield* listOpenOrders({}).pipe(provide(server.url))
      expect(result.outputs).toEqual({
        firstOpen: "open-1",
        requestUrl: `${server.url}/orders?status=open`,
        client: "arazzo-effect"
      })
      expect(server.exchanges[0]!.headers["x-client"]).toBe("arazzo-effect")
    }))
})

describe("dependsOn (invoice-of-first-open)", () => {
  itLive("runs list-open-orders first and reads its output through $workflows", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/open-1/invoice": inTurn([200, { total: 99 }]) })
      const result = yield* invoiceOfFirstOpen({}).pipe(provide(server.url))
      expect(result.outputs).toEqual({ total: 99, api: "./orders.openapi.yaml" })
      expect(server.exchanges.map((e) => e.route)).toEqual(["GET /orders", "GET /orders/open-1/invoice"])
    }))

  itLive("a dependency that fails fails the workflow before its own steps run", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders": (_req, res) => json(res, 503, { error: "down" }) })
      const error = yield* Effect.flip(
        invoiceOfFirstOpen({}).pipe(
          Effect.provide(Arazzo.Policies.layer({ retry: Schedule.recurs(0) })),
          provide(server.url)
        )
      )
      expect(error).toMatchObject({
        _tag: "StepFailed",
        workflowId: "list-open-orders",
        stepId: "listOpen",
        status: 503
      })
      expect(server.exchanges.some((e) => e.route.includes("invoice"))).toBe(false)
    }))
})

describe("a step that runs a workflow, with criteria and failure actions (checked-invoice)", () => {
  itLive("succeeds when the called workflow's outputs meet the criterion", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/o5/invoice": inTurn([200, { total: 12 }]) })
      const result = yield* checkedInvoice({ orderId: "o5" }).pipe(provide(server.url))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { total: 12 } })
    }))

  itLive("retries once when the criterion fails, then ends with a CallFailed naming it", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/o6/invoice": inTurn([200, { total: 0 }]) })
      const result = yield* checkedInvoice({ orderId: "o6" }).pipe(provide(server.url))
      expect(result).toMatchObject({ _tag: "Ended", stepId: "invoice", action: "noInvoice", via: "onFailure" })
      if (result._tag !== "Ended") return
      expect(result.failure).toMatchObject({
        _tag: "CallFailed",
        calledWorkflowId: "invoice-of",
        criterion: "$outputs.total > 0"
      })
      expect(server.hits("GET /orders/o6/invoice")).toBe(2)
    }))

  itLive("a failing called workflow goes through the same failure actions", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/o7/invoice": inTurn([404]) })
      const result = yield* checkedInvoice({ orderId: "o7" }).pipe(provide(server.url))
      if (result._tag !== "Ended") return expect.unreachable("expected the noInvoice end")
      expect(result.failure).toMatchObject({
        _tag: "CallFailed",
        cause: { _tag: "StepFailed", workflowId: "invoice-of", status: 404 }
      })
      expect(server.hits("GET /orders/o7/invoice")).toBe(2)
    }))
})

describe("retry that runs a workflow first (invoice-after-refresh)", () => {
  itLive("runs list-open-orders between the two attempts", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({ "GET /orders/o8/invoice": inTurn([404], [200, { total: 5 }]) })
      const result = yield* invoiceAfterRefresh({ orderId: "o8" }).pipe(provide(server.url))
      expect(result.outputs).toEqual({ total: 5 })
      expect(server.exchanges.map((e) => e.route)).toEqual([
        "GET /orders/o8/invoice",
        "GET /orders",
        "GET /orders/o8/invoice"
      ])
    }))
})

describe("parameter serialization from the OpenAPI description (tagged-orders)", () => {
  itLive("sends a pipeDelimited array and an exploded header object as declared", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({})
      const result = yield* taggedOrders({}).pipe(provide(server.url))
      expect(result.outputs.url).toBe(`${server.url}/orders?tags=rush%7Cgift`)
      expect(server.exchanges[0]!.url).toBe("/orders?tags=rush%7Cgift")
      expect(server.exchanges[0]!.headers["x-filter"]).toBe("region=eu,tier=2")
    }))
})

/** Keeps each request body as text, and answers 201. */
const noteTaker = () => {
  const bodies: Array<{ type: string | undefined; text: string }> = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      bodies.push({ type: req.headers["content-type"], text: Buffer.concat(chunks).toString("utf8") })
      json(res, 201, {})
    })
  }
  return { bodies, handler }
}

describe("payload replacements (annotate-order)", () => {
  itLive(
    "replaces and creates JSON members by pointer, and XML text and attributes by XPath",
    () =>
      Effect.gen(function*() {
        const notes = noteTaker()
        const server = yield* misbehavingServer({ "POST /orders/o9/notes": notes.handler })
        const template = { note: "TBD", kind: "internal" }
        const result = yield* annotateOrder({ orderId: "o9", note: "ship by Friday", template }).pipe(
          provide(server.url)
        )
        expect(result._tag).toBe("Completed")
        expect(notes.bodies[0]!.type).toBe("application/json")
        expect(JSON.parse(notes.bodies[0]!.text)).toEqual({
          note: "ship by Friday",
          kind: "internal",
          meta: { by: "arazzo-effect", tags: ["rush"] }
        })
        expect(template).toEqual({ note: "TBD", kind: "internal" }) // the input itself is untouched
        expect(notes.bodies[1]!.type).toBe("application/xml")
        expect(notes.bodies[1]!.text).toBe("<note><text>ship by Friday</text><by kind=\"tool\">someone</by></note>")
      })
  )
})

describe("XPath criteria on XML bodies (export-order)", () => {
  const xml = (status: string, lines: number) => (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/xml" })
    res.end(`<?xml version="1.0"?><order><status>${status}</status>${"<line/>".repeat(lines)}</order>`)
  }

  itLive("holds for a paid order with lines", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders/o10/export": xml("paid", 2) })
      const result = yield* exportOrder({ orderId: "o10" }).pipe(provide(server.url))
      expect(result._tag).toBe("Completed")
      expect(String(result.outputs.xml)).toContain("<status>paid</status>")
    }))

  itLive("fails the step, naming the XPath, for an order that is not paid", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders/o11/export": xml("open", 2) })
      const error = yield* Effect.flip(exportOrder({ orderId: "o11" }).pipe(provide(server.url)))
      expect(error).toMatchObject({
        _tag: "StepFailed",
        stepId: "export",
        criterion: "/order/status = 'paid' and count(/order/line) > 0"
      })
    }))
})

describe("JSON Schema defaults of inputs (orders-by-status)", () => {
  itLive("fills in inputs left out, nested ones too, and keeps what the caller gave", () =>
    Effect.gen(function*() {
      const server = yield* ordersApi({})
      const defaulted = yield* ordersByStatus({ paging: {} }).pipe(provide(server.url))
      expect(defaulted.outputs).toEqual({ url: `${server.url}/orders?status=open`, status: "open", limit: 10 })
      const given = yield* ordersByStatus({ status: "paid", paging: { limit: 3 } }).pipe(provide(server.url))
      expect(given.outputs).toEqual({ url: `${server.url}/orders?status=paid`, status: "paid", limit: 3 })
      const bare = yield* ordersByStatus({}).pipe(provide(server.url))
      expect(bare.outputs.limit).toBeUndefined() // no paging object, so nothing to fill in
    }))
})
