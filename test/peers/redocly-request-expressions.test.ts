/**
 * Redocly Respect e2e cases about requests: `$request.*` runtime expressions in criteria and
 * outputs, and workflow-level `parameters` applied to every step.
 */
import { itLive } from "#line"
import { describe, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { against, cafeApi, emptyMenuPage, peer, peerServer, problemJson, registerValidationFailed } from "./support.js"

const cafe = { "cafe-api": cafeApi }
const menu = { status: 200, body: emptyMenuPage }

describe("Redocly Respect e2e cases: request expressions and workflow-level parameters", () => {
  itLive(
    "implicit: workflow-level header parameters reach every step; no body is invented from OpenAPI examples",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("redocly/implicit/implicit.arazzo.yaml")
        const server = yield* peerServer({
          "POST /activities": { status: 204 },
          "POST /quizzes": problemJson({
            type: "http://example.com",
            title: "Media type \"application/original\" is not supported",
            status: 400
          }, 400)
        })
        const error = yield* mod["implicitContentType"]!({}).pipe(against({ testing_acme: server.url }), Effect.flip)
        expect(server.log()).toEqual(["POST /activities", "POST /quizzes"])
        for (const request of server.received) expect(request.headers["imf-key"]).toBe("test-key")
        // Respect fills a request body and a `Content-Type: application/original` header from the
        // OpenAPI examples, so its criterion `$request.header.content-type == 'application/original'`
        // holds. Arazzo 1.0.1 sends what the step describes: these steps have no requestBody and no
        // Content-Type parameter, so nothing is sent and the criterion does not hold.
        expect(server.received.map((r) => r.body)).toEqual(["", ""])
        expect(server.received[1]!.headers["content-type"]).toBeUndefined()
        expect(error).toMatchObject({
          _tag: "StepFailed",
          stepId: "post-quizzes",
          status: 400,
          criterion: "$request.header.content-type == 'application/original'"
        })
      })
  )

  itLive(
    "case-insensitive-headers: one header per name whatever its case, read back case-insensitively",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("redocly/case-insensitive-headers/case-insensitive-headers.arazzo.yaml", cafe)
        const server = yield* peerServer({
          "GET /menu": {
            status: 200,
            headers: { "X-Powered-By": "Express", "Content-Type": "application/json; charset=utf-8" },
            body: JSON.stringify(emptyMenuPage)
          }
        })
        const result = yield* mod["getMenuItems"]!({}).pipe(against({ "cafe-api": server.url }))
        expect(result._tag).toBe("Completed")
        const [request] = server.received
        expect(request!.headers["cammelcasedheader"]).toBe("custom-header")
        // Respect sent `content-type: third`: the three parameters name one header (RFC 9110 names
        // are case-insensitive) and the last one given wins.
        expect(request!.headers["content-type"]).toBe("third")
      })
  )

  itLive(
    "outputs-in-path-parameters: a step output taken from $request.query fills the next step's path",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("redocly/outputs-in-path-parameters/outputs-in-path-parameters.arazzo.yaml", cafe)
        const id = "prd_0000000000seedtrams0000000"
        const server = yield* peerServer({
          "GET /menu": menu,
          [`GET /menu-item-images/${id}`]: {
            status: 200,
            headers: { "content-type": "text/plain" },
            body: "A classic Italian tiramisu layered with mascarpone and espresso"
          }
        })
        const result = yield* mod["photoByMenuItemId"]!({}).pipe(against({ "cafe-api": server.url }))
        expect(server.log()).toEqual([`GET /menu?search=${id}`, `GET /menu-item-images/${id}`])
        expect(server.received[1]!.headers["accept"]).toBe("text/plain")
        expect(result._tag).toBe("Completed")
        expect(result.steps["search-menu-by-id"]).toEqual({ menuItemId: id })
      })
  )

  itLive(
    "inputs-passed-to-step-target-workflow (events.arazzo.yaml alone): the request carries workflow-level headers and a payload from inputs",
    () =>
      Effect.gen(function*() {
        const mod = yield* peer("redocly/inputs-passed-to-step-target-workflow/events.arazzo.yaml", cafe)
        const server = yield* peerServer({ "POST /oauth2/register": problemJson(registerValidationFailed, 400) })
        const result = yield* mod["clientRegistration"]!({
          PROJECT_CLIENT_ID: "0000001",
          PROJECT_CLIENT_SECRET: "PROJECT_CLIENT_SECRET",
          PROJECT_SUBSCRIPTION_KEY: "PROJECT_SUBSCRIPTION_KEY",
          custom_price: 800,
          env: { AUTH_TOKEN: "Bearer t0k3n" }
        }).pipe(
          against({ "cafe-api": server.url }),
          Effect.match({ onSuccess: () => "completed", onFailure: (error) => error._tag })
        )
        // The outcome (Respect: passed) is asserted in pending/redocly-jsonpath-on-object.pending.ts:
        // the criterion `$[?@.title == 'Validation failed']` does not hold here today.
        expect(["completed", "StepFailed"]).toContain(result)
        const [request] = server.received
        expect(request!.headers["authorization"]).toBe("Bearer t0k3n")
        expect(request!.headers["multi-word-secret"]).toBe("composed Bearer t0k3n")
        expect(request!.headers["content-type"]).toMatch(/^application\/json/)
        expect(request!.json).toEqual({
          PROJECT_CLIENT_ID: "0000001",
          PROJECT_CLIENT_SECRET: "PROJECT_CLIENT_SECRET",
          PROJECT_SUBSCRIPTION_KEY: "PROJECT_SUBSCRIPTION_KEY",
          price: 800
        })
      })
  )
})
