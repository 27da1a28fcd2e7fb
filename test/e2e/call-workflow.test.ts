/** A step that runs another workflow of the document: inputs in, typed outputs out, errors through. */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ServerResponse } from "node:http"
import { orderSummary } from "../../generated/order-summary.js"
import { misbehavingServer } from "../support/misbehaving-server.js"
import { recordingTracer } from "../support/recording-tracer.js"

const send = (status: number, body: unknown) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const run = (url: string) =>
  orderSummary({ orderId: "o-7" }).pipe(
    Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, Arazzo.Servers.layer({ orders: url })))
  )

describe("calling a workflow (order-summary → read-order)", () => {
  it.scopedLive("passes the inputs, reads the called workflow's outputs, and nests its spans", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({
        "GET /orders/o-7": send(200, { id: "o-7", status: "shipped" }),
        "GET /orders/o-7/invoice": send(200, { total: 12 })
      })
      const { tracer, spans } = recordingTracer()
      const result = yield* run(server.url).pipe(Effect.withTracer(tracer))
      expect(result).toMatchObject({ _tag: "Completed", outputs: { status: "shipped", total: 12 } })
      expect(result.steps.readOrder).toEqual({ status: "shipped" })
      const names = spans.map((s) => s.name)
      expect(names).toEqual(expect.arrayContaining([
        "arazzo.workflow read-order",
        "arazzo.step readOrder",
        "arazzo.workflow order-summary"
      ]))
    }))

  it.scopedLive("a failure inside the called workflow comes through as that workflow's typed error", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer({ "GET /orders/o-7": send(404, { error: "no such order" }) })
      const error = yield* run(server.url).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "StepFailed", workflowId: "read-order", stepId: "getOrder", status: 404 })
      expect(server.hits("GET /orders/o-7/invoice")).toBe(0)
    }))
})
