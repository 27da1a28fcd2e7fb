/**
 * Redocly Respect e2e case "replacements": payload replacements on a JSON body (replacing
 * members with a string, a step output and an array) and on form bodies, written as a templated
 * string and as an object. Replacement values of any type are accepted, as Arazzo 1.0.1 says
 * (`value: Any | {expression}`), though the bundled JSON Schema types them as strings.
 */
import { itLive } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, cafeApi, emptyMenuPage, peer, peerServer, problemJson, registerValidationFailed } from "./support.js"

describe("Redocly Respect e2e: replacements", () => {
  itLive("JSON and form bodies with replaced values", () =>
    Effect.gen(function*() {
      const mod = yield* peer("redocly/replacements/replacements.arazzo.yaml", { "cafe-api": cafeApi })
      const unauthorized = problemJson(
        { type: "about:blank", title: "Unauthorized", status: 401, instance: "/orders" },
        401
      )
      const server = yield* peerServer({
        "GET /menu": { status: 200, body: emptyMenuPage },
        "POST /oauth2/register": problemJson(registerValidationFailed, 400),
        "POST /orders": unauthorized
      })
      const result = yield* mod["replacements"]!({}).pipe(
        against({ "cafe-api": server.url }, {}, { "cafe-api": { OAuth2: "peer-test-access-token" } })
      )
      expect(result._tag).toBe("Completed")
      const [, json, form1, form2] = server.received
      expect(json!.json).toEqual({ object: "my-custom-object", page: ["2025-01-01"], items: "list" })
      expect(form1!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
      expect(Object.fromEntries(new URLSearchParams(form1!.body))).toEqual({
        customerName: "list",
        location: "New York"
      })
      expect(Object.fromEntries(new URLSearchParams(form2!.body))).toEqual({
        customerName: "list",
        location: "Jakarta"
      })
    }))
})
