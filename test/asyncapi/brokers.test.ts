/**
 * AsyncAPI steps end to end against real brokers on 127.0.0.1 (Debian's mosquitto and
 * nats-server, started by scripts/brokers.ts and installed on first use): the same generated
 * module runs over MQTT and over NATS, the source pointed at each broker with `Servers.layer`
 * (the transport follows the URL's scheme). The other side of each channel is a plain client
 * of the broker library.
 */
import * as Arazzo from "#runtime"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { type BrokerProtocol, ensureBrokers, type RunningBroker, startBroker } from "../../scripts/brokers.js"
import { compiled, type Module, type Peer, peer, type WireMessage } from "./support.js"

const missing = ensureBrokers()
if (missing !== undefined) console.warn(`AsyncAPI broker tests skipped: ${missing}`)

/** Runs a generated workflow with an HTTP client, the sources at `urls`, and no transport retries. */
const run = (effect: Effect.Effect<any, unknown, any>, urls: Record<string, string>): Promise<any> =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(Layer.mergeAll(
        NodeHttpClient.layerUndici,
        Arazzo.Servers.layer(urls),
        Arazzo.Policies.layer({ retry: Schedule.recurs(0), stepTimeout: "5 seconds" })
      ))
    ) as Effect.Effect<unknown, unknown, never>
  )

const protocols: ReadonlyArray<BrokerProtocol> = ["mqtt", "nats"]

describe.skipIf(missing !== undefined).each(protocols)("message steps over %s", (protocol) => {
  let broker: RunningBroker
  let other: Peer
  let orders: Module
  let mixed: Module
  beforeAll(async () => {
    broker = await startBroker(protocol)
    other = await peer(protocol, broker.url)
    orders = await compiled("orders.arazzo.yaml")
    mixed = await compiled("mixed.arazzo.yaml")
  }, 60_000)
  /** Listeners a test started; stopped after it, so the next test's order service is the only one. */
  const listening: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const stop of listening.splice(0)) await stop()
  })
  afterAll(async () => {
    await other?.close()
    await broker?.stop()
  })

  /** The order service: answers each order on the reply channel, as the AsyncAPI describes it. */
  const answering = async (reply: (order: WireMessage) => ReadonlyArray<{ id: string; payload: unknown }>) => {
    const seen: Array<WireMessage> = []
    listening.push(
      await other.subscribe("pets/place-order", (order) => {
        seen.push(order)
        for (const { id, payload } of reply(order)) {
          void other.publish("pets/confirm-order", { orderRequestId: id }, payload)
        }
      })
    )
    return seen
  }

  it("a send step publishes its payload and headers; the step completes once the broker has it", async () => {
    const got: Array<WireMessage> = []
    listening.push(await other.subscribe("pets/audit", (m) => got.push(m)))
    const result = await run(orders["audit"]!({ event: `created-${protocol}` }), { orders: broker.url })
    expect(result).toMatchObject({ _tag: "Completed" })
    await waitFor(() => got.length > 0)
    expect(got).toHaveLength(1)
    expect(JSON.parse(got[0]!.payload)).toEqual({ event: `created-${protocol}` })
    expect(got[0]!.headers["content-type"]).toBe("application/json")
  })

  it("a receive step takes the message with its correlation id, not another one on the channel", async () => {
    const seen = await answering((order) => [
      // Another order's confirmation first: it must not be taken.
      { id: "someone-else", payload: { orderId: 999, status: "confirmed" } },
      { id: order.headers["orderRequestId"]!, payload: { orderId: 42, status: "confirmed" } }
    ])
    const result = await run(orders["placeAndConfirm"]!({ petId: 7, requestId: `r-${protocol}-1` }), {
      orders: broker.url
    })
    expect(result).toMatchObject({
      _tag: "Completed",
      outputs: { orderId: 42, sentId: `r-${protocol}-1` },
      steps: { confirmOrder: { orderId: 42, status: "confirmed" } }
    })
    expect(seen.map((m) => [m.headers["orderRequestId"], JSON.parse(m.payload)])).toEqual([
      [`r-${protocol}-1`, { petId: 7 }]
    ])
  })

  it("no matching message within the step's timeout: the step fails into its onFailure end", async () => {
    // Only confirmations for other orders arrive.
    await answering(() => [{ id: "not-this-one", payload: { orderId: 1, status: "confirmed" } }])
    const result = await run(orders["placeAndConfirm"]!({ petId: 7, requestId: `r-${protocol}-2` }), {
      orders: broker.url
    })
    expect(result).toMatchObject({ _tag: "Ended", stepId: "confirmOrder", action: "notConfirmed", via: "onFailure" })
    expect(result.failure).toMatchObject({ _tag: "StepTimeout", stepId: "confirmOrder" })
    expect(String(result.failure.message)).toContain("Timed out after 1s 500ms")
  })

  it("a message whose payload fails the success criteria goes to onFailure with the criterion", async () => {
    await answering((order) => [{ id: order.headers["orderRequestId"]!, payload: { orderId: 5, status: "rejected" } }])
    const result = await run(orders["placeAndConfirm"]!({ petId: 8, requestId: `r-${protocol}-3` }), {
      orders: broker.url
    })
    expect(result).toMatchObject({ _tag: "Ended", stepId: "confirmOrder", action: "notConfirmed" })
    expect(result.failure).toMatchObject({
      _tag: "StepFailed",
      criterion: "$message.payload#/status == 'confirmed'",
      body: { orderId: 5, status: "rejected" }
    })
  })

  it("HTTP and messages in one workflow: a confirmation published during the HTTP step is not lost", async () => {
    const requests: Array<string> = []
    const server = createServer((req: IncomingMessage, res) => {
      requests.push(`${req.method} ${req.url}`)
      if (req.method === "POST" && req.url === "/orders") {
        const id = String(req.headers["x-request-id"])
        // The confirmation goes out before the HTTP answer, so before the receive step starts.
        void other.publish("pets/confirm-order", { orderRequestId: id }, { orderId: 77, status: "confirmed" }).then(
          () => {
            res.writeHead(202, { "content-type": "application/json" })
            res.end(JSON.stringify({ accepted: true }))
          }
        )
        return
      }
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ orderId: Number(req.url!.split("/").pop()), state: "paid" }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const http = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const result = await run(mixed["orderByHttp"]!({ petId: 3, requestId: `m-${protocol}` }), {
        orders: broker.url,
        shop: http
      })
      expect(result).toMatchObject({ _tag: "Completed", outputs: { orderId: 77, state: "paid" } })
      expect(requests).toEqual(["POST /orders", "GET /orders/77"])
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe.skipIf(missing !== undefined)("brokers that cannot be reached", () => {
  it("fail the run before its first step with RequestFailed naming the broker", async () => {
    const orders = await compiled("orders.arazzo.yaml")
    const error = await run(Effect.flip(orders["audit"]!({ event: "x" })), { orders: "mqtt://127.0.0.1:1" })
    expect(error).toMatchObject({ _tag: "RequestFailed", reason: "Transport", request: { method: "CONNECT" } })
    expect(String((error as { detail: string }).detail)).toContain("127.0.0.1:1")
  })

  it("a protocol without a transport says how to add one", async () => {
    const orders = await compiled("orders.arazzo.yaml")
    const error = await run(Effect.flip(orders["audit"]!({ event: "x" })), { orders: "kafka://127.0.0.1:9092" })
    expect(String((error as { detail: string }).detail)).toContain("Arazzo.Transports.layer({ kafka")
  })
})

const waitFor = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
}
