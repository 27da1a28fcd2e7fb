/**
 * JSONPath (RFC 9535) and regex criteria over real HTTP: a query selects in the bare context,
 * a pattern tests a header, and the nested Criterion Expression Type Object form works.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ServerResponse } from "node:http"
import { findShippedOrder } from "../../generated/order-search.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

const send =
  (status: number, body: unknown, contentType = "application/json") => (_req: unknown, res: ServerResponse) => {
    res.writeHead(status, { "content-type": contentType })
    res.end(JSON.stringify(body))
  }

const run = (url: string) =>
  findShippedOrder({}).pipe(
    Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, Arazzo.Servers.layer({ orders: url })))
  )

describe("jsonpath and regex criteria (find-shipped-order)", () => {
  it.scopedLive("goes on when the query selects a shipped order, and checks the next body with a filter on the root's members", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({
        "GET /orders": send(200, { items: [{ id: "a", status: "paid" }, { id: "b", status: "shipped" }] }),
        "GET /orders/a": send(200, { id: "a", status: "paid" })
      })
      const result = yield* run(server.url)
      expect(result).toMatchObject({ _tag: "Completed", outputs: { firstId: "a", firstStatus: "paid" } })
    }))

  it.scopedLive("ends at noneShipped when the query selects nothing", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders": send(200, { items: [{ id: "a", status: "open" }] }) })
      const result = yield* run(server.url)
      expect(result).toMatchObject({ _tag: "Ended", stepId: "listOrders", action: "noneShipped", via: "onSuccess" })
      expect(server.hits("GET /orders/a")).toBe(0)
    }))

  it.scopedLive("a regex criterion on a header: text/plain fails the step, naming the pattern", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders": send(200, { items: [] }, "text/plain") })
      const error = yield* run(server.url).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "StepFailed", stepId: "listOrders", criterion: "^application/json" })
    }))

  it.scopedLive("a JSONPath filter that selects nothing in the body fails the step", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({
        "GET /orders": send(200, { items: [{ id: "a", status: "shipped" }] }),
        "GET /orders/a": send(200, { id: "a", status: "open" })
      })
      const error = yield* run(server.url).pipe(Effect.flip)
      expect(error).toMatchObject({
        _tag: "StepFailed",
        stepId: "readFirst",
        criterion: "$[?@ == 'shipped' || @ == 'paid']"
      })
    }))
})

describe("Arazzo.selects / Arazzo.matches", () => {
  it("runs the query against the bare context; a missing context selects nothing", () => {
    const query = Arazzo.jsonPath("$[?@.access_token == 't']")
    expect(Arazzo.selects(query, { access_token: "t" })).toBe(false) // a filter tests the root's members, not the root
    expect(Arazzo.selects(query, [{ access_token: "t" }])).toBe(true)
    // RFC 9535: an absent member is Nothing, and Nothing != null holds.
    expect(Arazzo.selects(Arazzo.jsonPath("$[?@.access_token != null]"), { access_token: "t" })).toBe(true)
    expect(Arazzo.selects(Arazzo.jsonPath("$.access_token"), { access_token: "t" })).toBe(true)
    expect(Arazzo.selects(Arazzo.jsonPath("$.x"), undefined)).toBe(false)
    expect(Arazzo.matches(/^\d+$/, 42)).toBe(true)
    expect(Arazzo.matches(/^\d+$/, { a: 1 })).toBe(false)
  })
})
