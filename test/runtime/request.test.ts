import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { describe, expect } from "vitest"
import { build, form, json, multipart, operation } from "../../runtime/request.js"
import { source } from "../../runtime/servers.js"

const api = source("api", "https://api.example.com/v1")
const getItem = operation(api, "GET", "/items/{itemId}/parts/{part}", "getItem")

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
      expect(yield* build("https://h", post, {}, form("a=1")).pipe(Effect.flip)).toBe("a form body must be an object of fields, not a string")
      expect(yield* build("https://h", post, {}, multipart([1])).pipe(Effect.flip)).toBe("a multipart body must be an object of parts, not an array")
    }))
})
