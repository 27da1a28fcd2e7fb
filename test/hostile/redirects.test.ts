/**
 * Redirects never carry a step's credentials to another origin, whatever HttpClient the app
 * provides: on each client layer the docs name (undici, node:http, fetch), a 302 to another
 * origin is not followed (the other origin receives nothing; the 3xx is the step's response),
 * a redirect within the origin is followed, and a loop of redirects ends as a typed error.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { misbehavingServer } from "../support/misbehaving-server.js"

const KEY = "sk-live-do-not-leak-4b1d"

const api = Arazzo.source("api", "https://api.invalid")
const getStart = Arazzo.operation(api, "GET", "/start", { operationId: "getStart" })

interface Steps {
  readonly start: { readonly status: number; readonly location: string | undefined }
}

const Inputs = Schema.Struct({ apiKey: Schema.String })
const definition: Arazzo.WorkflowDefinition<typeof Inputs.Type, Steps, Record<string, never>> = {
  workflowId: "redirected",
  inputs: Inputs,
  secrets: ["apiKey"],
  outputs: () => ({})
}

/** One step that sends the key in a header and accepts any 2xx or 3xx answer. */
const redirected = (input: typeof Inputs.Type) =>
  Arazzo.runWorkflow(definition, input, (run, inputs) =>
    Effect.gen(function*() {
      yield* run.step({
        stepId: "start",
        operation: getStart,
        parameters: { header: { "x-api-key": inputs.apiKey } },
        successCriteria: [Arazzo.criterion("$statusCode < 400", (r) => r.status < 400)],
        outputs: { status: Arazzo.statusCode, location: Arazzo.header("location") }
      })
      return run.completed()
    }))

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["undici", NodeHttpClient.layerUndici],
  ["node:http", NodeHttpClient.layer],
  ["fetch", FetchHttpClient.layer]
]

describe.each(clients)("redirects over %s", (_, layer) => {
  const run = (url: string) =>
    redirected({ apiKey: KEY }).pipe(Effect.provide(Layer.mergeAll(layer, Arazzo.Servers.layer({ api: url }))))

  it.scopedLive("a redirect to another origin is not followed: it never receives the key", () =>
    Effect.gen(function*() {
      const other = yield* misbehavingServer({
        "GET /steal": (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("stolen")
      })
      const origin = yield* misbehavingServer({
        "GET /start": (_req, res) => res.writeHead(302, { location: `${other.url}/steal` }).end()
      })
      const result = yield* run(origin.url)
      expect(result._tag).toBe("Completed")
      expect(result.steps.start).toEqual({ status: 302, location: `${other.url}/steal` })
      expect(other.exchanges).toHaveLength(0)
    }))

  it.scopedLive("a redirect within the origin is followed, with the step's headers", () =>
    Effect.gen(function*() {
      const origin = yield* misbehavingServer({
        "GET /start": (_req, res) => res.writeHead(307, { location: "/final" }).end(),
        "GET /final": (req, res) =>
          res.writeHead(200, { "content-type": "text/plain" }).end(String(req.headers["x-api-key"] === KEY))
      })
      const result = yield* run(origin.url)
      expect(result.steps.start?.status).toBe(200)
      expect(origin.hits("GET /final")).toBe(1)
    }))

  it.scopedLive("a redirect loop ends as RequestFailed (Redirect), the key redacted", () =>
    Effect.gen(function*() {
      const origin = yield* misbehavingServer({
        "GET /start": (_req, res) => res.writeHead(302, { location: `/start?k=${KEY}` }).end()
      })
      const error = yield* Effect.flip(run(origin.url))
      expect(error).toMatchObject({ _tag: "RequestFailed", reason: "Redirect", stepId: "start" })
      expect(origin.hits("GET /start")).toBe(6) // the request and 5 redirects
      for (const text of [error.message, JSON.stringify(error)]) expect(text).not.toContain(KEY)
    }))
})
