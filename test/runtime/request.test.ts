import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { describe, expect } from "vitest"
import { form, json, multipart } from "../../runtime/core/body.js"
import { type Body } from "../../runtime/core/body.js"
import { buildRequest, type Parameters } from "../../runtime/core/request.js"
import { type Operation, operation } from "../../runtime/effect3/internal/operation.js"
import { clientRequest } from "../../runtime/effect3/internal/send.js"
import { source } from "../../runtime/effect3/internal/servers.js"

/** The request a step sends: built (a failure is its message), then made a client request. */
const build = (base: string, op: Operation, parameters: Parameters, body: Body | undefined) => {
  const parts = buildRequest(base, op, parameters, body)
  return "error" in parts
    ? Effect.fail(parts.error)
    : Effect.map(clientRequest(parts), (request) => ({ request, url: parts.url }))
}
import { misbehavingServer, sendJson } from "../support/misbehaving-server.js"

const api = source("api", "https://api.example.com/v1")
const getItem = operation(api, "GET", "/items/{itemId}/parts/{part}", { operationId: "getItem" })

describe("build", () => {
  it.effect("percent-encodes path parameters and leaves out absent query, header and cookie values", () =>
    Effect.gen(function*() {
      const built = yield* build("https://api.example.com/v1", getItem, {
        path: { itemId: "a b/c?d", part: 7 },
        query: { q: "x&y", empty: undefined, tags: ["t1", "t2"], none: null },
        header: { "X-Trace": "abc", "X-Absent": undefined },
        cookie: { session: "s 1" }
      }, undefined)
      expect(built.url).toBe("https://api.example.com/v1/items/a%20b%2Fc%3Fd/parts/7?q=x%26y&tags=t1&tags=t2")
      expect(built.request.headers).toMatchObject({ "x-trace": "abc", cookie: "session=s%201" })
      expect(built.request.headers).not.toHaveProperty("x-absent")
    }))

  it.effect("fails, naming the parameter, when a path parameter has no value", () =>
    Effect.gen(function*() {
      const error = yield* build("https://h", getItem, { path: { itemId: "1" } }, undefined).pipe(Effect.flip)
      expect(error).toBe("path parameter `part` has no value")
    }))

  it.effect("encodes JSON, form and multipart bodies with their content types", () =>
    Effect.gen(function*() {
      const post = operation(api, "POST", "/items")
      const asJson = yield* build("https://h", post, {}, json({ a: 1, skipped: undefined }))
      expect(asJson.request.body).toMatchObject({ _tag: "Uint8Array", contentType: "application/json" })
      if (asJson.request.body._tag === "Uint8Array") {
        expect(new TextDecoder().decode(asJson.request.body.body)).toBe("{\"a\":1}")
      }
      const asForm = yield* build("https://h", post, {}, form({ a: "1 2", b: undefined }))
      if (asForm.request.body._tag === "Uint8Array") {
        expect(new TextDecoder().decode(asForm.request.body.body)).toBe("a=1+2")
      }
      const bytes = new Uint8Array([0, 1, 2, 255])
      const asMultipart = yield* build("https://h", post, {}, multipart({ file: bytes, flag: true, absent: undefined }))
      const body = asMultipart.request.body
      expect(body._tag).toBe("Uint8Array")
      if (body._tag !== "Uint8Array") return
      expect(body.contentType).toMatch(/^multipart\/form-data; boundary=/)
      const parsed = yield* Effect.promise(() =>
        new Response(body.body as Uint8Array<ArrayBuffer>, { headers: { "content-type": body.contentType } }).formData()
      )
      const file = parsed.get("file")
      expect(file).toBeInstanceOf(Blob)
      expect(new Uint8Array(yield* Effect.promise(() => (file as Blob).arrayBuffer()))).toEqual(bytes)
      expect(parsed.get("flag")).toBe("true")
      expect(parsed.has("absent")).toBe(false)
    }))
})

describe("form and multipart bodies from a whole value", () => {
  it.effect("send an object of fields, and fail with a clear detail otherwise", () =>
    Effect.gen(function*() {
      const post = operation(source("api", "https://h"), "POST", "/x")
      const ok = yield* build("https://h", post, {}, form({ a: "1" }))
      expect(ok.request.body._tag).toBe("Uint8Array")
      expect(yield* build("https://h", post, {}, form("a=1")).pipe(Effect.flip)).toBe(
        "a form body must be an object of fields, not a string"
      )
      expect(yield* build("https://h", post, {}, multipart([1])).pipe(Effect.flip)).toBe(
        "a multipart body must be an object of parts, not an array"
      )
    }))
})

describe("parameter serialization", () => {
  const colors = { path: { color: ["blue", "black", "brown"] } }

  it.effect("uses each parameter's declared style, and the location's default for the others", () =>
    Effect.gen(function*() {
      const op = operation(api, "GET", "/paint/{color}/{shade}", {
        operationId: "paint",
        serialization: {
          path: { color: { style: "matrix", explode: true } },
          query: { filter: { style: "deepObject", explode: true }, ids: { style: "pipeDelimited" } },
          header: { "X-Colors": { explode: true } },
          cookie: { prefs: { explode: false } }
        }
      })
      const built = yield* build("https://api.example.com/v1", op, {
        path: { ...colors.path, shade: ["light", "dark"] },
        query: { filter: { R: 100, G: 200 }, ids: [1, 2], tags: ["a b", "c"] },
        header: { "x-colors": { R: 100, G: 200 }, "X-Plain": ["a", "b"] },
        cookie: { prefs: ["x", "y"], session: "s 1" }
      }, undefined)
      expect(built.url).toBe(
        "https://api.example.com/v1/paint/;color=blue;color=black;color=brown/light,dark" +
          "?filter%5BR%5D=100&filter%5BG%5D=200&ids=1%7C2&tags=a%20b&tags=c"
      )
      expect(built.request.headers).toMatchObject({
        "x-colors": "R=100,G=200",
        "x-plain": "a,b",
        cookie: "prefs=x,y; session=s%201"
      })
    }))

  it.effect("fails, naming the parameter, when its style does not apply to its location", () =>
    Effect.gen(function*() {
      const op = operation(api, "GET", "/paint/{color}", {
        operationId: "paint",
        serialization: { path: { color: { style: "form" } } }
      })
      expect(yield* build("https://h", op, colors, undefined).pipe(Effect.flip))
        .toBe("path parameter `color`: style `form` does not apply to path parameters")
      const badQuery = operation(api, "GET", "/paint", {
        operationId: "paint",
        serialization: { query: { q: { style: "matrix" } } }
      })
      expect(yield* build("https://h", badQuery, { query: { q: 1 } }, undefined).pipe(Effect.flip))
        .toBe("query parameter `q`: style `matrix` does not apply to query parameters")
    }))

  // What the server receives is the proof: a client could re-encode the query on the way.
  const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
    ["undici", NodeHttpClient.layerUndici],
    ["node:http", NodeHttpClient.layer],
    ["fetch", FetchHttpClient.layer]
  ]
  it.each(clients)(
    "sends the serialized URL, headers and cookies unchanged over %s",
    (_, layer) =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer({
          "GET /paint/.blue.black.brown": (_req, res) => sendJson(res, 200, {})
        })
        const op = operation(source("api", server.url), "GET", "/paint/{color}", {
          operationId: "paint",
          serialization: {
            path: { color: { style: "label", explode: true } },
            query: {
              spaced: { style: "spaceDelimited" },
              raw: { allowReserved: true },
              filter: { style: "deepObject", explode: true },
              csv: { style: "form", explode: false }
            },
            header: { "x-rgb": { explode: true } },
            cookie: { list: { explode: false } }
          }
        })
        const built = yield* build(server.url, op, {
          path: colors.path,
          query: { spaced: ["a", "b"], raw: "x/y?z:@!$'()*+,;=", filter: { R: 100 }, csv: ["1", "2"], plain: "p q~" },
          header: { "X-RGB": { R: 100, G: 200 } },
          cookie: { list: ["a", "b"], one: "1" }
        }, undefined)
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(built.request)
        expect(response.status).toBe(200)
        const exchange = server.exchanges[0]
        expect(exchange?.url).toBe(
          "/paint/.blue.black.brown?spaced=a%20b&raw=x/y?z:@!$%27()*+,;=&filter%5BR%5D=100&csv=1,2&plain=p%20q~"
        )
        expect(exchange?.headers["x-rgb"]).toBe("R=100,G=200")
        expect(exchange?.headers["cookie"]).toBe("list=a,b; one=1")
      }).pipe(Effect.provide(layer), Effect.scoped, Effect.runPromise)
  )
})
