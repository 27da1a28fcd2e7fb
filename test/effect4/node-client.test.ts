/**
 * The runtime's own `node:http` client (`runtime/effect4/node-client.ts`), Effect 4 line, against a real server
 * on 127.0.0.1: bodies both ways, statuses and headers, streamed reads, a refused connection,
 * and interruption dropping the request.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeClient from "../../runtime/effect4/node-client.js"

let server: Http.Server
let base = ""
let aborted = 0

beforeAll(async () => {
  server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      if (req.url === "/echo") {
        res.writeHead(201, { "content-type": "application/json", "x-seen": req.headers["x-token"] ?? "" })
        res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], bytes: [...body] }))
      } else if (req.url === "/chunked") {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("one,")
        setTimeout(() => res.end("two"), 10)
      } else if (req.url === "/slow") {
        res.on("close", () => void (res.writableFinished || aborted++))
      } else {
        res.writeHead(404)
        res.end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const run = <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) => Effect.provide(effect, NodeClient.layer)

describe("NodeClient", () => {
  it.effect("sends the method, headers and body, and reads status, headers and JSON", () =>
    run(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(
        HttpClientRequest.post(`${base}/echo`).pipe(
          HttpClientRequest.setHeader("x-token", "t1"),
          HttpClientRequest.bodyUint8Array(new Uint8Array([1, 2, 3]), "application/octet-stream")
        )
      )
      expect(response.status).toBe(201)
      expect(response.headers["x-seen"]).toBe("t1")
      expect(yield* response.json).toEqual({ method: "POST", type: "application/octet-stream", bytes: [1, 2, 3] })
      // A second read gets the same body.
      expect(JSON.parse(yield* response.text)).toMatchObject({ method: "POST" })
      const missing = yield* client.get(`${base}/nothing`)
      expect(missing.status).toBe(404)
      expect((yield* missing.arrayBuffer).byteLength).toBe(0)
    })))

  it.effect("streams a chunked body as it arrives", () =>
    run(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.get(`${base}/chunked`)
      const chunks = yield* Stream.runCollect(response.stream)
      expect(Buffer.concat(chunks).toString()).toBe("one,two")
    })))

  it.effect("a refused connection is an HttpClientError whose reason is a TransportError", () =>
    run(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(client.get("http://127.0.0.1:9/"))
      expect(error.reason._tag).toBe("TransportError")
    })))

  it.live("interrupting a request in flight destroys it (the server sees the connection close)", () =>
    run(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const before = aborted
      const outcome = yield* Effect.timeout(client.get(`${base}/slow`), Duration.millis(100)).pipe(Effect.result)
      expect(outcome._tag).toBe("Failure")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
      expect(aborted).toBe(before + 1)
    })))
})
