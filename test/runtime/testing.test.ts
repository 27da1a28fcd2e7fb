/** The mock HttpClient of `arazzo-effect/testing`: routing, replies, recording, unmatched requests. */
import { fork, HttpClient, HttpClientRequest, isTransportError, pollNow, TestClock } from "#line"
import { MockApi, type MockRoutes } from "#runtime/testing"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/** Runs `body` with a fresh mock of `routes` in context. */
const withMock = <A, E>(routes: MockRoutes, body: Effect.Effect<A, E, MockApi | HttpClient.HttpClient>) =>
  Effect.provide(body, MockApi.layer(routes))

const get = (url: string) => Effect.flatMap(HttpClient.HttpClient, (client) => client.get(url))

describe("MockApi", () => {
  it.effect("answers JSON with status 200 and application/json unless told otherwise", () =>
    withMock(
      {
        "GET /pets": { json: [{ id: 1 }] },
        "POST /pets": {
          status: 201,
          json: { id: 2 },
          headers: { "content-type": "application/vnd.pet+json", location: "/pets/2" }
        }
      },
      Effect.gen(function*() {
        const list = yield* get("https://api.test/pets")
        expect(list.status).toBe(200)
        expect(list.headers["content-type"]).toBe("application/json")
        expect(yield* list.json).toEqual([{ id: 1 }])

        const client = yield* HttpClient.HttpClient
        const created = yield* client.execute(HttpClientRequest.post("https://api.test/pets"))
        expect(created.status).toBe(201)
        expect(created.headers["content-type"]).toBe("application/vnd.pet+json")
        expect(created.headers["location"]).toBe("/pets/2")
      })
    ))

  it.effect("answers text, bytes and empty bodies with their default content types", () =>
    withMock(
      {
        "GET /text": { text: "hello" },
        "GET /bytes": { bytes: new Uint8Array([1, 2, 3]) },
        "DELETE /things/{id}": { status: 204 }
      },
      Effect.gen(function*() {
        const text = yield* get("http://x/text")
        expect(text.headers["content-type"]).toBe("text/plain; charset=utf-8")
        expect(yield* text.text).toBe("hello")
        const bytes = yield* get("http://x/bytes")
        expect(bytes.headers["content-type"]).toBe("application/octet-stream")
        expect(new Uint8Array(yield* bytes.arrayBuffer)).toEqual(new Uint8Array([1, 2, 3]))
        const client = yield* HttpClient.HttpClient
        const deleted = yield* client.execute(HttpClientRequest.make("DELETE")("http://x/things/7"))
        expect(deleted.status).toBe(204)
      })
    ))

  it.effect("matches path templates segment by segment, decodes their values, and prefers literal segments", () =>
    withMock(
      {
        "GET /workflows/{workflowId}": { json: { from: "template" } },
        "GET /workflows/latest": { json: { from: "literal" } }
      },
      Effect.gen(function*() {
        expect(yield* Effect.flatMap(get("http://x/workflows/latest"), (r) => r.json)).toEqual({ from: "literal" })
        expect(yield* Effect.flatMap(get("http://x/workflows/wf%201?x=1"), (r) => r.json)).toEqual({ from: "template" })
        // A template matches exactly one non-empty segment.
        expect((yield* get("http://x/workflows/a/b")).status).toBe(404)
        expect((yield* get("http://x/workflows/")).status).toBe(404)

        const api = yield* MockApi
        const [latest, templated] = api.requests
        expect(latest?.route).toBe("GET /workflows/latest")
        expect(templated?.route).toBe("GET /workflows/{workflowId}")
        expect(templated?.params).toEqual({ workflowId: "wf 1" })
        expect(templated?.query.get("x")).toBe("1")
        expect(api.calls("GET /workflows/{workflowId}")).toHaveLength(1)
      })
    ))

  it.effect("matches the origin only when the key names one", () =>
    withMock(
      {
        "GET https://one.test/items": { json: "one" },
        "GET /items": { json: "any" }
      },
      Effect.gen(function*() {
        expect(yield* Effect.flatMap(get("https://one.test/items"), (r) => r.json)).toBe("one")
        expect(yield* Effect.flatMap(get("https://two.test/items"), (r) => r.json)).toBe("any")
      })
    ))

  it.effect("a sequence answers in order, then repeats its last reply", () =>
    withMock(
      {
        "GET /jobs/{id}": [{ json: { status: "processing" } }, { json: { status: "processing" } }, {
          json: { status: "done" }
        }]
      },
      Effect.gen(function*() {
        const statuses: Array<unknown> = []
        for (let i = 0; i < 5; i++) statuses.push(yield* Effect.flatMap(get("http://x/jobs/1"), (r) => r.json))
        expect(statuses).toEqual([
          { status: "processing" },
          { status: "processing" },
          { status: "done" },
          { status: "done" },
          { status: "done" }
        ])
      })
    ))

  it.effect("a function route sees the recorded request and may answer with an Effect", () =>
    withMock(
      {
        "POST /echo/{name}": (request) => ({
          status: 201,
          json: { name: request.params["name"], got: request.json() }
        }),
        "GET /later": () => Effect.succeed({ text: "from an effect" })
      },
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const echoed = yield* client.execute(
          HttpClientRequest.post("http://x/echo/ada").pipe(
            HttpClientRequest.bodyText(JSON.stringify({ a: 1 }), "application/json")
          )
        )
        expect(echoed.status).toBe(201)
        expect(yield* echoed.json).toEqual({ name: "ada", got: { a: 1 } })
        expect(yield* Effect.flatMap(get("http://x/later"), (r) => r.text)).toBe("from an effect")
      })
    ))

  it.effect("records method, URL, headers and the body as bytes, text, JSON and form data", () =>
    withMock(
      { "POST /upload": { status: 201 }, "PUT /doc": { status: 200 } },
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const form = new FormData()
        form.append("file", new Blob([new Uint8Array([9, 8, 7])], { type: "image/png" }), "a.png")
        form.append("moderate", "true")
        yield* client.execute(
          HttpClientRequest.post("http://x/upload").pipe(
            HttpClientRequest.bearerToken("s3cret"),
            HttpClientRequest.bodyFormData(form)
          )
        )
        yield* client.execute(
          HttpClientRequest.put("http://x/doc?v=2").pipe(HttpClientRequest.bodyText("plain words", "text/plain"))
        )

        const [upload, doc] = yield* MockApi.requests
        expect(upload?.method).toBe("POST")
        expect(upload?.headers["authorization"]).toBe("Bearer s3cret")
        expect(upload?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
        const parts = yield* upload!.formData
        const file = parts.get("file") as File
        expect(file.name).toBe("a.png")
        expect(new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))).toEqual(new Uint8Array([9, 8, 7]))
        expect(parts.get("moderate")).toBe("true")

        expect(doc?.target).toBe("PUT /doc")
        expect(doc?.url.href).toBe("http://x/doc?v=2")
        expect(doc?.text).toBe("plain words")
        expect(doc?.body).toEqual(new TextEncoder().encode("plain words"))
        expect(doc?.headers["content-type"]).toBe("text/plain")
        expect(() => doc?.json()).toThrow(/Body of PUT \/doc: not JSON/)
      })
    ))

  it.effect("answers an unmatched request 404 with a JSON body naming it and the routes", () =>
    withMock(
      { "GET /known": { json: 1 } },
      Effect.gen(function*() {
        const response = yield* get("http://x/unknown")
        expect(response.status).toBe(404)
        expect(yield* response.json).toEqual({ error: "MockApi has no route for GET /unknown", routes: ["GET /known"] })
        const api = yield* MockApi
        expect(api.unmatched.map((r) => r.target)).toEqual(["GET /unknown"])
        expect(api.requests[0]?.route).toBeUndefined()
      })
    ))

  it.effect("a transport error fails the request with RequestError reason Transport", () =>
    withMock(
      { "GET /down": { transportError: "connection reset" } },
      Effect.gen(function*() {
        const error = yield* Effect.flip(get("http://x/down"))
        expect(isTransportError(error)).toBe(true)
        expect(error.message).toContain("connection reset")
      })
    ))

  it.effect("a delay waits on the Effect clock, so TestClock controls it", () =>
    withMock(
      { "GET /slow": { json: "done", delay: "10 seconds" } },
      Effect.gen(function*() {
        const fiber = yield* fork(Effect.flatMap(get("http://x/slow"), (r) => r.json))
        yield* TestClock.adjust("9 seconds")
        expect(pollNow(fiber)).toBeNull()
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(fiber)).toBe("done")
      })
    ))

  it.effect("each build of the layer starts with fresh sequences and an empty record", () =>
    Effect.gen(function*() {
      const routes: MockRoutes = { "GET /n": [{ json: 1 }, { json: 2 }] }
      const once = Effect.gen(function*() {
        const value = yield* Effect.flatMap(get("http://x/n"), (r) => r.json)
        return { value, recorded: (yield* MockApi.requests).length }
      })
      expect(yield* withMock(routes, once)).toEqual({ value: 1, recorded: 1 })
      expect(yield* withMock(routes, once)).toEqual({ value: 1, recorded: 1 })
    }))

  it("rejects a route key that is not METHOD /path", () => {
    expect(() => MockApi.make({ "/pets": { json: 1 } })).toThrow(/is not "METHOD \/path"/)
    expect(() => MockApi.make({ "GET /pets": [] })).toThrow(/cannot be empty/)
  })
})
