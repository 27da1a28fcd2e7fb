/**
 * A step that goes back to itself and reads its own outputs from the previous pass: each page's
 * cursor is sent with the next request; on the first pass there is none, and it is left out.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { IncomingMessage, ServerResponse } from "node:http"
import { readAllEvents } from "../../generated/event-pages.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

/** Pages of events keyed by the cursor that asks for them (`""`: no cursor, the first page). */
const pagesApi = (
  pages: Readonly<Record<string, { readonly events: ReadonlyArray<string>; readonly next?: string }>>
) => ({
  "GET /events": (req: IncomingMessage, res: ServerResponse) => {
    const cursor = new URL(req.url ?? "/", "http://localhost").searchParams.get("cursor") ?? ""
    const page = pages[cursor]
    res.writeHead(page ? 200 : 400, { "content-type": "application/json" })
    res.end(JSON.stringify(page ?? { error: `no page for cursor ${JSON.stringify(cursor)}` }))
  }
})

const run = (url: string) =>
  readAllEvents({}).pipe(Effect.provide(Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Arazzo.Servers.layer({ pages: url }),
    Arazzo.Policies.layer({})
  )))

describe("pagination: a step reads its own outputs from the previous pass", () => {
  it.scopedLive("sends no cursor first, then each page's cursor, and stops at the page without one", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(pagesApi({
        "": { events: ["a", "b"], next: "p2" },
        p2: { events: ["c"], next: "p3" },
        p3: { events: ["d"] }
      }))
      const result = yield* run(server.url)
      expect(result._tag).toBe("Completed")
      expect(result.outputs).toEqual({ lastPage: ["d"] })
      expect(server.exchanges.map((e) => e.url)).toEqual(["/events", "/events?cursor=p2", "/events?cursor=p3"])
    }))

  it.scopedLive("a single page: one request, without a cursor", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(pagesApi({ "": { events: ["only"] } }))
      const result = yield* run(server.url)
      expect(result.outputs).toEqual({ lastPage: ["only"] })
      expect(server.exchanges.map((e) => e.url)).toEqual(["/events"])
    }))
})
