/**
 * HTTP plumbing for the Civitai Orchestration mock: reading request bodies, and answering
 * through a `Reply` that reports the status it sent so the request log is exact.
 */
import { Buffer } from "node:buffer"
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http"
import { Readable } from "node:stream"

export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | JsonObject
export interface JsonObject {
  readonly [key: string]: JsonValue
}

/** The outcome of validating something a client sent: a value, or why it was refused. */
export type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }

export const accept = <A>(value: A): Parsed<A> => ({ ok: true, value })
export const refuse = <A>(message: string): Parsed<A> => ({ ok: false, message })

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The `Error` schema of the OpenAPI description. */
export interface ErrorJson {
  readonly code: string
  readonly message: string
  readonly traceId: string
}

export interface Reply {
  json(status: number, body: unknown, headers?: OutgoingHttpHeaders): void
  error(status: number, code: string, message: string, headers?: OutgoingHttpHeaders): void
  bytes(status: number, bytes: Uint8Array, contentType: string): void
  empty(status: number): void
}

/**
 * Answers one request. `onStatus` runs before the head is written, so a client that has its
 * response already finds the status in the log. Writes after the socket is gone are dropped:
 * `close()` destroys sockets while handlers may still be running.
 */
export const makeReply = (res: ServerResponse, traceId: string, onStatus: (status: number) => void): Reply => {
  const send = (status: number, headers: OutgoingHttpHeaders, body: Uint8Array | undefined) => {
    if (res.headersSent || res.destroyed) return
    onStatus(status)
    res.writeHead(status, { ...headers, "content-length": body?.byteLength ?? 0 })
    res.end(body)
  }
  const json = (status: number, body: unknown, headers: OutgoingHttpHeaders = {}) =>
    send(status, { ...headers, "content-type": "application/json; charset=utf-8" }, Buffer.from(JSON.stringify(body)))
  return {
    json,
    error: (status, code, message, headers = {}) =>
      json(status, { code, message, traceId } satisfies ErrorJson, headers),
    bytes: (status, bytes, contentType) => send(status, { "content-type": contentType }, bytes),
    empty: (status) => send(status, {}, undefined)
  }
}

/** Header names are already lower case in Node; repeated headers are joined with ", ". */
export const headerRecord = (req: IncomingMessage): Readonly<Record<string, string>> =>
  Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]]
    )
  )

export const readBodyBytes = async (req: IncomingMessage): Promise<Uint8Array> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req as AsyncIterable<unknown>) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  }
  return new Uint8Array(Buffer.concat(chunks))
}

export const readJsonBody = async (req: IncomingMessage): Promise<Parsed<JsonValue>> => {
  const text = new TextDecoder().decode(await readBodyBytes(req))
  if (text.trim() === "") return refuse("expected a JSON request body")
  try {
    return accept(JSON.parse(text) as JsonValue)
  } catch {
    return refuse("the request body is not valid JSON")
  }
}

/**
 * Parses a multipart body with Node's built-in `Request.formData()`, streaming the request in.
 * Rejects when the body is not multipart/form-data.
 */
export const readFormData = (req: IncomingMessage, url: URL): Promise<FormData> => {
  // `duplex` is required by Node for streamed bodies but absent from the DOM typings.
  const init: RequestInit & { readonly duplex: "half" } = {
    method: req.method ?? "POST",
    headers: { "content-type": req.headers["content-type"] ?? "" },
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: "half"
  }
  return new Request(url, init).formData()
}
