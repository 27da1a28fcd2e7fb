/**
 * Runs on both Effect lines (the root suite for Effect 3, test/effect4/ for Effect 4): the
 * aliasing shared suites rely on. `effect` and `@effect/vitest` resolve to the line's own copies,
 * `#line` to the line's helper, and a request goes over the line's HTTP client to a local server.
 */
import * as Line from "#line"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

const listen = () =>
  new Promise<Server>((resolve) => {
    const server = createServer((request, response) => {
      response.writeHead(200, { "content-type": "text/plain" })
      response.end(`${request.method} ${request.url} on Effect ${Line.major}`)
    })
    server.listen(0, "127.0.0.1", () => resolve(server))
  })

describe(`the Effect ${Line.major} line`, () => {
  it("imports the line's own effect, the one its helper resolves", () => {
    expect(Number(Line.effectVersion.split(".")[0])).toBe(Line.major)
    expect(Effect).toBe(Line.Effect)
  })

  it.effect("sends a request to a server on 127.0.0.1 over the line's HTTP client", () =>
    Effect.acquireUseRelease(
      Effect.promise(listen),
      (server) =>
        Effect.gen(function*() {
          const client = yield* Line.HttpClient.HttpClient
          const response = yield* client.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ping?x=1`)
          expect(response.status).toBe(200)
          expect(yield* response.text).toBe(`GET /ping?x=1 on Effect ${Line.major}`)
        }),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    ).pipe(Effect.provide(Line.HttpClientLive)))

  it.effect("sleeps on the TestClock: a minute passes when the test says so", () =>
    Effect.gen(function*() {
      const [woke] = yield* Effect.all([
        Effect.sleep("1 minute").pipe(Effect.as("woke")),
        Line.TestClock.adjust("1 minute")
      ], { concurrency: "unbounded" })
      expect(woke).toBe("woke")
    }))
})
