/**
 * Plumbing for the peer-runner behaviour tests: generate a copied peer document into
 * test/.generated/peers/ through the generator API, import the module it produced, stand up a
 * 127.0.0.1 server that answers like the peer's recorded or mocked responses and records every
 * request in full, and run a workflow against it.
 */
import { callback, type HttpClient, HttpClientLive, major, spacedUpTo } from "#line"
import * as Arazzo from "#runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type Diagnostic, formatDiagnostic, generate, writeFiles } from "../../generator/index.js"

export const root = path.resolve(import.meta.dirname, "../..")
export const fixtures = path.join(import.meta.dirname, "fixtures")
// One directory per Effect line: each line's modules import that line's runtime.
const out = path.join(root, "test/.generated", (major as number) === 3 ? "peers" : `peers-effect${major}`)

/** The local copy of Redocly's Cafe API (the multi-file source of cafe.redocly.com/_bundle/openapi/cafe.yaml). */
export const cafeApi = "redocly/cafe-api/cafe.yaml"

/** What generating one document gave. */
export interface Generated {
  readonly diagnostics: ReadonlyArray<Diagnostic>
  readonly errors: ReadonlyArray<Diagnostic>
  readonly files: ReadonlyArray<string>
}

/**
 * Generates one document of test/peers/fixtures (path relative to it); `sources` maps a source
 * name to a fixture file standing in for its `url`. Writes nothing when there are errors.
 */
export const generatePeer = async (
  document: string,
  sources: Readonly<Record<string, string>> = {}
): Promise<Generated & { readonly outDir: string }> => {
  const outDir = path.join(out, document.replace(/\.(ya?ml|json)$/i, "").replace(/[^A-Za-z0-9_-]+/g, "_"))
  const result = await generate([path.join(fixtures, document)], {
    outDir,
    cwd: root,
    effect: major,
    sources: Object.fromEntries(Object.entries(sources).map(([name, file]) => [name, path.join(fixtures, file)]))
  })
  const errors = result.diagnostics.filter((d) => d.severity === "error")
  if (errors.length === 0) await writeFiles(outDir, result.files)
  return {
    diagnostics: result.diagnostics,
    errors,
    files: result.files.map((f) => f.name).filter((n) => n !== "index.ts"),
    outDir
  }
}

/** A generated workflow function, as seen through a dynamic import. */
export type WorkflowFn = (
  input: unknown
) => Effect.Effect<Arazzo.WorkflowResult<any, any, any>, Arazzo.WorkflowError, HttpClient.HttpClient>

export type PeerModule = Readonly<Record<string, WorkflowFn>>

/** Generates a document that must compile, and imports its module. Throws with the diagnostics otherwise. */
export const loadPeer = async (
  document: string,
  sources: Readonly<Record<string, string>> = {}
): Promise<PeerModule> => {
  const generated = await generatePeer(document, sources)
  // The first module is the document's own; documents of `arazzo` sources it runs follow it.
  if (generated.errors.length > 0 || generated.files.length === 0) {
    throw new Error(`${document} does not compile:\n${generated.diagnostics.map(formatDiagnostic).join("\n")}`)
  }
  return (await import(pathToFileURL(path.join(generated.outDir, generated.files[0]!)).href)) as PeerModule
}

/** `loadPeer` as an Effect. */
export const peer = (document: string, sources: Readonly<Record<string, string>> = {}) =>
  Effect.promise(() => loadPeer(document, sources))

// The server.

/** One request as the server received it. */
export interface Received {
  readonly method: string
  readonly path: string
  /** The raw query string after `?` ("" when none). */
  readonly rawQuery: string
  readonly query: Readonly<Record<string, string | Array<string>>>
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown
}

/** An answer: status, headers and a body (an object or array is sent as JSON). */
export interface Answer {
  readonly status: number
  readonly headers?: OutgoingHttpHeaders
  readonly body?: unknown
}

export type Route = Answer | ((request: Received, n: number) => Answer)

export interface PeerServer {
  readonly url: string
  readonly received: ReadonlyArray<Received>
  /** Requests to a route `"METHOD /path"`. */
  readonly to: (route: string) => ReadonlyArray<Received>
  /** `"METHOD /path?query"` of every request, in order. */
  readonly log: () => ReadonlyArray<string>
}

const parseJson = (text: string): unknown => {
  try {
    return text === "" ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A server on 127.0.0.1 answering `"METHOD /path"` routes; anything else is a 404 problem. */
export const peerServer = (routes: Readonly<Record<string, Route>>): Effect.Effect<PeerServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    callback<{ readonly server: PeerServer; readonly close: () => Promise<void> }>((resume) => {
      const received: Array<Received> = []
      const counts = new Map<string, number>()
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1")
          const query: Record<string, string | Array<string>> = {}
          for (const [k, v] of url.searchParams) {
            const had = query[k]
            query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
          }
          const body = Buffer.concat(chunks).toString("utf8")
          const request: Received = {
            method: req.method ?? "GET",
            path: url.pathname,
            rawQuery: (req.url ?? "").includes("?") ? (req.url ?? "").slice((req.url ?? "").indexOf("?") + 1) : "",
            query,
            headers: req.headers,
            body,
            json: parseJson(body)
          }
          received.push(request)
          const key = `${request.method} ${request.path}`
          const n = counts.get(key) ?? 0
          counts.set(key, n + 1)
          const route = routes[key]
          const answer: Answer = route === undefined
            ? {
              status: 404,
              body: { title: `no route ${key}` },
              headers: { "content-type": "application/problem+json" }
            }
            : typeof route === "function"
            ? route(request, n)
            : route
          const headers: OutgoingHttpHeaders = { ...answer.headers }
          let text = ""
          if (answer.body !== undefined) {
            if (typeof answer.body === "string") text = answer.body
            else {
              text = JSON.stringify(answer.body)
              if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
                headers["content-type"] = "application/json"
              }
            }
          }
          res.writeHead(answer.status, { ...headers, "content-length": Buffer.byteLength(text) })
          res.end(text)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          server: {
            url: `http://127.0.0.1:${port}`,
            received,
            to: (route) => received.filter((r) => `${r.method} ${r.path}` === route),
            log: () => received.map((r) => `${r.method} ${r.path}${r.rawQuery === "" ? "" : `?${r.rawQuery}`}`)
          },
          close: () =>
            new Promise<void>((resolve) => {
              server.closeAllConnections()
              server.close(() => resolve())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ server }) => server))

/** Fast, deterministic policies: no transport retries, short polls, a small step guard. */
export const fastPolicies: Arazzo.PolicySettings = {
  retry: Schedule.recurs(0),
  poll: spacedUpTo("5 millis", "2 seconds"),
  stepTimeout: "5 seconds",
  workflowTimeout: "20 seconds"
}

/**
 * Provides an HTTP client, the given server URLs per source name, fast policies, and credentials
 * for operations whose OpenAPI asks for them (else such a step fails with `CredentialMissing`).
 */
export const against = (
  servers: Readonly<Record<string, string>>,
  policy: Arazzo.PolicySettings = {},
  credentials: Parameters<typeof Arazzo.Credentials.layer>[0] = {}
) =>
<A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>): Effect.Effect<A, E> =>
  effect.pipe(Effect.provide(Layer.mergeAll(
    HttpClientLive,
    Arazzo.Servers.layer(servers),
    Arazzo.Policies.layer({ ...fastPolicies, ...policy }),
    Arazzo.Credentials.layer(credentials)
  )))

/** A recorded Redocly Cafe `GET /menu` answer (the empty page every Respect e2e case received). */
export const emptyMenuPage = {
  object: "list",
  page: { startCursor: null, endCursor: null, hasNextPage: false, hasPrevPage: false, limit: 10, total: 0 },
  items: []
}

/** The Cafe API's recorded 400 to `POST /oauth2/register` without `name`. */
export const registerValidationFailed = {
  type: "about:blank",
  title: "Validation failed",
  status: 400,
  instance: "/oauth2/register",
  details: {
    errors: [{ code: "invalid_type", expected: "string", received: "undefined", path: ["name"], message: "Required" }]
  }
}

export const problemJson = (body: unknown, status: number): Answer => ({
  status,
  headers: { "content-type": "application/problem+json" },
  body
})
