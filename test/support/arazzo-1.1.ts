/**
 * Plumbing for the Arazzo 1.1 end-to-end suite: generate a document of test/fixtures/arazzo-1.1
 * for this Effect line into test/.generated/, import its module, and answer its requests from a
 * 127.0.0.1 server whose routes may answer late (step timeouts) and see every request in full.
 */
import { callback, type HttpClient, HttpClientLive, major } from "#line"
import * as Arazzo from "#runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type Diagnostic, formatDiagnostic, generate, writeFiles } from "../../generator/index.js"

const root = path.resolve(import.meta.dirname, "../..")
const fixtures = path.join(root, "test/fixtures/arazzo-1.1")
const out = path.join(root, "test/.generated", (major as number) === 3 ? "arazzo-1.1" : `arazzo-1.1-effect${major}`)

export type WorkflowFn = (
  input: unknown
) => Effect.Effect<Arazzo.WorkflowResult<any, any, any>, Arazzo.WorkflowError, HttpClient.HttpClient>

/** Generates a fixture document (it must compile) and imports its module. */
export const compiled = (document: string): Effect.Effect<Readonly<Record<string, WorkflowFn>>> =>
  Effect.promise(async () => {
    const outDir = path.join(out, document.replace(/\.ya?ml$/, ""))
    const result = await generate([path.join(fixtures, document)], { outDir, cwd: root, effect: major })
    const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === "error")
    if (errors.length > 0) throw new Error(`${document} does not compile:\n${errors.map(formatDiagnostic).join("\n")}`)
    await writeFiles(outDir, result.files)
    const module = result.files.find((f) => f.name !== "index.ts")!.name
    return (await import(pathToFileURL(path.join(outDir, module)).href)) as Record<string, WorkflowFn>
  })

/** A request as the server got it. */
export interface Seen {
  readonly method: string
  readonly path: string
  /** Everything after `?`, as sent. */
  readonly rawQuery: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly body: string
}

export interface Reply {
  readonly status: number
  readonly body?: unknown
  /** Milliseconds to wait before answering. */
  readonly delay?: number
  /** Answer this XML text instead of `body` as JSON. */
  readonly xml?: string
}

export interface EchoServer {
  readonly url: string
  readonly seen: ReadonlyArray<Seen>
}

/** A server on 127.0.0.1: `"METHOD /path"` → reply (or a function of the request); anything else a 404. */
export const echoServer = (
  routes: Readonly<Record<string, (request: Seen) => Reply>>
): Effect.Effect<EchoServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    callback<{ readonly server: EchoServer; readonly close: () => Promise<void> }>((resume) => {
      const seen: Array<Seen> = []
      const timers = new Set<ReturnType<typeof setTimeout>>()
      const send = (res: ServerResponse, reply: Reply) => {
        const text = reply.xml ?? (reply.body === undefined ? "" : JSON.stringify(reply.body))
        const type = reply.xml === undefined ? "application/json" : "application/xml"
        res.writeHead(reply.status, { "content-type": type, "content-length": Buffer.byteLength(text) })
        res.end(text)
      }
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const raw = req.url ?? "/"
          const at = raw.indexOf("?")
          const request: Seen = {
            method: req.method ?? "GET",
            path: at === -1 ? raw : raw.slice(0, at),
            rawQuery: at === -1 ? "" : raw.slice(at + 1),
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          seen.push(request)
          const route = routes[`${request.method} ${request.path}`]
          const reply = route === undefined ? { status: 404, body: { missing: request.path } } : route(request)
          if (reply.delay === undefined) return send(res, reply)
          const timer = setTimeout(() => {
            timers.delete(timer)
            if (!res.destroyed) send(res, reply)
          }, reply.delay)
          timers.add(timer)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          server: { url: `http://127.0.0.1:${port}`, seen },
          close: () =>
            new Promise<void>((resolve) => {
              for (const t of timers) clearTimeout(t)
              server.closeAllConnections()
              server.close(() => resolve())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ server }) => server))

/** An HTTP client, the server for source `echo`, no transport retries; `policy` over that. */
export const against =
  (url: string, policy: Arazzo.PolicySettings = {}) =>
  <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>): Effect.Effect<A, E> =>
    effect.pipe(Effect.provide(Layer.mergeAll(
      HttpClientLive,
      Arazzo.Servers.layer({ echo: url }),
      Arazzo.Policies.layer({ retry: Schedule.recurs(0), stepTimeout: "5 seconds", ...policy })
    )))
