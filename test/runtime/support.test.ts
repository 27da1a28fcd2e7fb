import { it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { describe, expect } from "vitest"
import { Secrets } from "../../runtime/core/redact.js"
import { decodeBody, retryAfterMillis } from "../../runtime/core/response.js"
import { baseUrl, configKey, Servers, source } from "../../runtime/effect3/internal/servers.js"

describe("Servers", () => {
  const api = source("civitaiOrchestrationApi", "https://orchestration.civitai.com/")
  it.effect("uses the OpenAPI server by default, a Layer or Config when given", () =>
    Effect.gen(function*() {
      expect(yield* baseUrl(api)).toBe("https://orchestration.civitai.com")
      expect(
        yield* baseUrl(api).pipe(Effect.provide(Servers.layer({ civitaiOrchestrationApi: "http://127.0.0.1:9/" })))
      )
        .toBe("http://127.0.0.1:9")
      expect(configKey("civitaiOrchestrationApi")).toBe("ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API")
      const fromConfig = Servers.layerConfig(["civitaiOrchestrationApi"]).pipe(
        Layer.provide(
          Layer.setConfigProvider(
            ConfigProvider.fromMap(new Map([["ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API", "http://staging"]]))
          )
        )
      )
      expect(yield* baseUrl(api).pipe(Effect.provide(fromConfig))).toBe("http://staging")
    }))
})

describe("response bodies", () => {
  const bytes = (s: string) => new TextEncoder().encode(s)
  it("decodes JSON, text and binary by content type; bad JSON is an error, not a crash", () => {
    expect(decodeBody(bytes("{\"a\":1}"), "application/json; charset=utf-8")).toEqual({ body: { a: 1 } })
    expect(decodeBody(bytes("{\"a\":1}"), "application/problem+json")).toEqual({ body: { a: 1 } })
    expect(decodeBody(bytes("<a/>"), "application/xml")).toEqual({ body: "<a/>" })
    expect(decodeBody(new Uint8Array([1, 2]), "image/png")).toEqual({ body: new Uint8Array([1, 2]) })
    expect(decodeBody(new Uint8Array(), "application/json")).toEqual({ body: undefined })
    expect(decodeBody(bytes("{oops"), "application/json")).toHaveProperty("error")
  })

  it("reads Retry-After as seconds or a future HTTP date; negative, past and unreadable values ask for nothing", () => {
    const now = Date.parse("2026-11-24T10:00:00Z")
    expect(retryAfterMillis("120", now)).toBe(120_000)
    expect(retryAfterMillis(" 0 ", now)).toBe(0)
    expect(retryAfterMillis("1.5", now)).toBe(1_500)
    expect(retryAfterMillis("0.0001", now)).toBe(1) // rounded up to the millisecond
    expect(retryAfterMillis("Tue, 24 Nov 2026 10:00:05 GMT", now)).toBe(5_000)
    // Each of these would otherwise mean "retry at once", over and over.
    expect(retryAfterMillis("-5", now)).toBeUndefined()
    expect(retryAfterMillis("-0.5", now)).toBeUndefined()
    expect(retryAfterMillis("Tue, 24 Nov 2026 09:00:00 GMT", now)).toBeUndefined()
    expect(retryAfterMillis("Tue, 24 Nov 2026 10:00:00 GMT", now)).toBeUndefined()
    expect(retryAfterMillis("1e3", now)).toBeUndefined()
    expect(retryAfterMillis("soon", now)).toBeUndefined()
    expect(retryAfterMillis(undefined, now)).toBeUndefined()
  })
})

describe("Secrets", () => {
  it("redacts secret values, also percent-encoded, in text and nested values", () => {
    const secrets = Secrets.of(["s3cr3t/value", "abc", undefined])
    expect(secrets.text("https://h/x?key=s3cr3t%2Fvalue")).toBe("https://h/x?key=<redacted>")
    expect(secrets.value({ a: ["Bearer s3cr3t/value"], n: 1 })).toEqual({ a: ["Bearer <redacted>"], n: 1 })
    expect(secrets.appearsIn("nothing here, abc")).toBe(false) // values shorter than 4 characters are not treated as secrets
  })
})
