/**
 * Failure actions over real HTTP: workflow-level actions from components (end on 404, retry
 * server errors, end otherwise), a step overriding one by name, retry limits passing on to the
 * next matching action, and Retry-After overruling retryAfter.
 */
import { orderStatus } from "#generated/order-failure-actions.js"
import { fork, HttpClientLive, itLive, itScoped, TestClock } from "#line"
import * as Arazzo from "#runtime"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type { ServerResponse } from "node:http"
import { eventually, realSleep } from "../support/img2img.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

/** Answers each request to a route with the next status in `statuses` (the last one repeats). */
const sequence = (statuses: ReadonlyArray<number>, ok: unknown, headers: Record<string, string> = {}) => {
  let n = 0
  return (_req: unknown, res: ServerResponse) => {
    const status = statuses[Math.min(n++, statuses.length - 1)]!
    json(res, status, status === 200 ? ok : { error: status }, status === 200 ? {} : headers)
  }
}

const run = (url: string) =>
  orderStatus({ orderId: "o-1" }).pipe(
    Effect.provide(Layer.mergeAll(HttpClientLive, Arazzo.Servers.layer({ orders: url })))
  )

const order = { id: "o-1", status: "paid" }
const NOW = { "retry-after": "0" } // the server asks for no wait: Retry-After overrules retryAfter

describe("failure actions (order-status)", () => {
  itLive(
    "a 404 on getOrder ends the workflow through the workflow-level not_found action",
    () =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer({ "GET /v1/orders/o-1": sequence([404], order) })
        const result = yield* run(`${server.url}/v1`)
        expect(result).toMatchObject({ _tag: "Ended", stepId: "getOrder", action: "not_found", via: "onFailure" })
        if (result._tag !== "Ended" || result.via !== "onFailure") return
        expect(result.failure.status).toBe(404)
        expect(result.failure.criterion).toBe("$statusCode == 200")
        expect(result.outputs).toEqual({ status: undefined, total: undefined })
        expect(server.hits("GET /v1/orders/o-1")).toBe(1)
      })
  )

  itLive(
    "server errors are retried (Retry-After: 0 overrules retryAfter: 2) until the step succeeds",
    () =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer({
          "GET /v1/orders/o-1": sequence([500, 502, 200], order, NOW),
          "GET /v1/orders/o-1/invoice": sequence([200], { total: 42 })
        })
        const started = Date.now()
        const result = yield* run(`${server.url}/v1`)
        expect(Date.now() - started).toBeLessThan(1500) // not 2 × 2 s
        expect(result).toEqual({ _tag: "Completed", outputs: { status: "paid", total: 42 }, steps: expect.anything() })
        expect(server.hits("GET /v1/orders/o-1")).toBe(3)
      })
  )

  itScoped("without Retry-After the retry waits retryAfter seconds (TestClock)", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({
        "GET /v1/orders/o-1": sequence([500, 200], order),
        "GET /v1/orders/o-1/invoice": sequence([200], { total: 1 })
      })
      const fiber = yield* run(`${server.url}/v1`).pipe(fork)
      yield* eventually(() => server.hits("GET /v1/orders/o-1") === 1)
      yield* realSleep(100)
      yield* TestClock.adjust("1999 millis")
      yield* realSleep(100)
      expect(server.hits("GET /v1/orders/o-1")).toBe(1)
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      expect(result._tag).toBe("Completed")
      expect(server.hits("GET /v1/orders/o-1")).toBe(2)
    }))

  itLive("a retry that runs out passes on to the next matching action (default_failure)", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /v1/orders/o-1": sequence([500], order, NOW) })
      const result = yield* run(`${server.url}/v1`)
      expect(result).toMatchObject({ _tag: "Ended", stepId: "getOrder", action: "default_failure", via: "onFailure" })
      expect(server.hits("GET /v1/orders/o-1")).toBe(4) // the first try and retryLimit 3
    }))

  itLive(
    "a step's own action overrides the workflow's of the same name: getInvoice retries a 404",
    () =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer({
          "GET /v1/orders/o-1": sequence([200], order),
          "GET /v1/orders/o-1/invoice": sequence([404, 200], { total: 9.5 }, NOW)
        })
        const result = yield* run(`${server.url}/v1`)
        expect(result).toMatchObject({ _tag: "Completed", outputs: { status: "paid", total: 9.5 } })
        expect(server.hits("GET /v1/orders/o-1/invoice")).toBe(2)
      })
  )

  itLive(
    "when getInvoice's retries run out, the workflow's not_found (overridden) does not apply: default_failure",
    () =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer({
          "GET /v1/orders/o-1": sequence([200], order),
          "GET /v1/orders/o-1/invoice": sequence([404], {}, NOW)
        })
        const result = yield* run(`${server.url}/v1`)
        expect(result).toMatchObject({
          _tag: "Ended",
          stepId: "getInvoice",
          action: "default_failure",
          via: "onFailure"
        })
        expect(server.hits("GET /v1/orders/o-1/invoice")).toBe(3) // retryLimit 2
        if (result._tag === "Ended") expect(result.steps.getOrder).toEqual({ status: "paid" }) // gathered before the end
      })
  )
})
