/**
 * A `node:http` server on 127.0.0.1 that answers each route with a handler from a table, so a
 * test can make it misbehave on purpose: bad bodies, cut connections, lies about lengths,
 * answers that never come. It records every exchange, and whether the client went away before
 * the answer was finished. Closed (connections included) when the test's scope closes.
 */
import { callback } from "#line"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Buffer } from "node:buffer"
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** One request and how its answer ended. */
export interface Exchange {
  /** `"GET /results/bad-json"`: the method and the path without the query. */
  readonly route: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  /** Body bytes the handler handed to the socket. */
  written: number
  /** Whether the response was ended normally (false when the connection closed first). */
  finished: boolean
  /** Whether the connection is gone. */
  closed: boolean
}

export interface HandlerContext {
  readonly exchange: Exchange
  /** Runs `f` after `ms`, unless the server has closed by then. */
  readonly after: (ms: number, f: () => void) => void
}

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: HandlerContext) => void

export interface MisbehavingServer {
  readonly url: string
  readonly exchanges: ReadonlyArray<Exchange>
  /** How many requests a route received. */
  readonly hits: (route: string) => number
}

/**
 * Starts the server. Routes are keyed `"METHOD /path"`; anything else is a 404 JSON problem.
 */
export const misbehavingServer = (
  routes: Readonly<Record<string, Handler>>
): Effect.Effect<MisbehavingServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    callback<{ readonly server: MisbehavingServer; readonly close: () => Promise<void> }>((resume) => {
      const exchanges: Array<Exchange> = []
      const timers = new Set<ReturnType<typeof setTimeout>>()
      const after = (ms: number, f: () => void) => {
        const timer = setTimeout(() => {
          timers.delete(timer)
          f()
        }, ms)
        timers.add(timer)
      }
      const server = createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://localhost").pathname
        const exchange: Exchange = {
          route: `${req.method} ${path}`,
          url: req.url ?? "/",
          headers: req.headers,
          written: 0,
          finished: false,
          closed: false
        }
        exchanges.push(exchange)
        res.on("finish", () => (exchange.finished = true))
        res.on("close", () => (exchange.closed = true))
        const handler = routes[exchange.route]
        if (handler === undefined) return sendJson(res, 404, { message: `no route ${exchange.route}` })
        handler(req, res, { exchange, after })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          server: {
            url: `http://127.0.0.1:${port}`,
            exchanges,
            hits: (route) => exchanges.filter((e) => e.route === route).length
          },
          close: () =>
            new Promise<void>((resolve) => {
              for (const timer of timers) clearTimeout(timer)
              server.closeAllConnections()
              server.close(() => resolve())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ server }) => server))

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export const closedPort: Effect.Effect<number> = callback((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

// Answers, as building blocks for handlers.

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}) =>
  sendText(res, status, JSON.stringify(body), "application/json", headers)

export const sendText = (
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: OutgoingHttpHeaders = {}
) => {
  const bytes = Buffer.from(text)
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": bytes.byteLength })
  res.end(bytes)
}

/**
 * Streams `total` bytes of a JSON-looking filler, respecting back-pressure, and stops as soon
 * as the client goes away; `written` in the exchange says how far it got.
 */
export const streamBytes = (
  res: ServerResponse,
  exchange: Exchange,
  total: number,
  headers: OutgoingHttpHeaders = {}
) => {
  const chunk = Buffer.alloc(64 * 1024, "a")
  res.writeHead(200, { "content-type": "application/json", ...headers })
  const pump = () => {
    while (exchange.written < total && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.byteLength, total - exchange.written))
      exchange.written += piece.byteLength
      if (!res.write(piece)) return void res.once("drain", pump)
    }
    if (!res.destroyed) res.end()
  }
  pump()
}

/** Writes bytes straight to the socket, bypassing Node's HTTP framing, then closes it. */
export const sendRaw = (res: ServerResponse, raw: string) => {
  const socket = res.socket
  if (socket === null) return
  socket.end(raw)
}
