import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { describe, expect } from "vitest"
import { formatBytes, readBody } from "../../runtime/effect3/internal/read-body.js"

/** A response whose body arrives in the given chunks, with the given headers. */
const response = (
  chunks: ReadonlyArray<string>,
  init: { readonly status?: number; readonly headers?: Record<string, string>; readonly method?: "GET" | "HEAD" } = {}
) => {
  let pulled = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulled++]
      if (chunk === undefined) controller.close()
      else controller.enqueue(new TextEncoder().encode(chunk))
    }
  })
  const request = HttpClientRequest.make(init.method ?? "GET")("http://127.0.0.1/x")
  const res = HttpClientResponse.fromWeb(
    request,
    new Response(init.status === 204 ? null : body, { status: init.status ?? 200, headers: init.headers ?? {} })
  )
  return { res, pulled: () => pulled }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe("readBody", () => {
  it.effect("joins the chunks of a body within the limit", () =>
    Effect.gen(function*() {
      const { res } = response(["{\"a\":", "1", "}"], { headers: { "content-length": "7" } })
      expect(text(yield* readBody(res, 7))).toBe("{\"a\":1}")
    }))

  it.effect("stops at the first chunk past the limit", () =>
    Effect.gen(function*() {
      const { pulled, res } = response(["aaaa", "bbbb", "cccc", "dddd"])
      const error = yield* Effect.flip(readBody(res, 6))
      expect(error._tag).toBe("BodyTooLarge")
      expect(error).toMatchObject({ status: 200, limit: 6, announced: undefined })
      expect(pulled()).toBeLessThanOrEqual(3)
    }))

  it.effect("fails on the first bytes of a body whose Content-Length is over the limit", () =>
    Effect.gen(function*() {
      const { res } = response(["a"], { headers: { "content-length": String(64 * 1024 * 1024) } })
      const error = yield* Effect.flip(readBody(res, 1024 * 1024))
      expect(error._tag).toBe("BodyTooLarge")
      if (error._tag === "BodyTooLarge") {
        expect(error.detail).toBe(
          "body exceeds 1 MiB, the step's maxResponseBytes (Content-Length announces 64 MiB); it was not read further"
        )
      }
    }))

  it.effect("a body that ends short of its Content-Length is BodyIncomplete, whatever the client layer says", () =>
    Effect.gen(function*() {
      const { res } = response(["{\"a\":"], { headers: { "content-length": "100" } })
      const error = yield* Effect.flip(readBody(res, 1000))
      expect(error._tag).toBe("BodyIncomplete")
      if (error._tag === "BodyIncomplete") {
        expect(error.detail).toBe("the body ended after 5 of the 100 bytes Content-Length announced")
      }
    }))

  it.effect("HEAD, 204 and compressed bodies are not held to Content-Length", () =>
    Effect.gen(function*() {
      const head = response([], { method: "HEAD", headers: { "content-length": String(1 << 30) } })
      expect(yield* readBody(head.res, 10)).toHaveLength(0)
      const noContent = response([], { status: 204, headers: { "content-length": "10" } })
      expect(yield* readBody(noContent.res, 10)).toHaveLength(0)
      // A client may decompress: the bytes read then differ from the announced (compressed) size.
      const gzip = response(["abc"], { headers: { "content-length": "20", "content-encoding": "gzip" } })
      expect(text(yield* readBody(gzip.res, 10))).toBe("abc")
    }))
})

describe("formatBytes", () => {
  it("names whole MiB and KiB, else bytes", () => {
    expect([formatBytes(32 * 1024 * 1024), formatBytes(512 * 1024), formatBytes(1000)])
      .toEqual(["32 MiB", "512 KiB", "1000 bytes"])
  })
})
