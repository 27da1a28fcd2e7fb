/**
 * The parts of the testing mock that need no Effect, for both lines: the bodies and transport
 * failures a route answers with, route keys (`"GET /pets/{petId}"`) and how a request matches
 * one, and a mock answer as a web `Response`.
 */
import { BODILESS } from "./recording.js"

/** The body of a mock answer: at most one of `json`, `text` or `bytes`; none for an empty body. */
export type MockBody =
  | { readonly json: unknown; readonly text?: never; readonly bytes?: never }
  | { readonly text: string; readonly json?: never; readonly bytes?: never }
  | { readonly bytes: Uint8Array; readonly json?: never; readonly text?: never }
  | { readonly json?: never; readonly text?: never; readonly bytes?: never }

/** No response at all: the client fails with a transport `RequestError` carrying this message. */
export interface MockTransportError {
  readonly transportError: string
}

/** A route key, parsed: method, optional origin, and path segments (literal or `{name}`). */
export interface RouteKey {
  readonly key: string
  readonly method: string
  readonly origin: string | undefined
  readonly segments: ReadonlyArray<{ readonly literal: string } | { readonly param: string }>
  readonly literals: number
}

/** Parses `"METHOD /path"` (or `"METHOD https://host/path"`); a key of another shape throws, naming it. */
export const parseRouteKey = (key: string): RouteKey => {
  const match = /^([A-Za-z]+)\s+(https?:\/\/[^/\s]+)?(\/\S*)?$/.exec(key.trim())
  if (match === null) throw new Error(`MockApi: route \`${key}\` is not "METHOD /path" (e.g. "GET /pets/{petId}")`)
  const [, method = "", origin, path = "/"] = match
  const segments = path.split("/").slice(1).map((segment) => {
    const param = /^\{([^}]+)\}$/.exec(segment)?.[1]
    return param === undefined ? { literal: segment } : { param }
  })
  return {
    key,
    method: method.toUpperCase(),
    origin,
    segments,
    literals: segments.filter((s) => "literal" in s).length
  }
}

/** The decoded `{name}` values when the route matches, else `undefined`. */
export const matchRoute = (route: RouteKey, method: string, url: URL): Record<string, string> | undefined => {
  if (route.method !== method || (route.origin !== undefined && route.origin !== url.origin)) return undefined
  const parts = url.pathname.split("/").slice(1)
  if (parts.length !== route.segments.length) return undefined
  const params: Record<string, string> = {}
  for (const [index, segment] of route.segments.entries()) {
    const part = parts[index]!
    if ("literal" in segment) {
      if (segment.literal !== part) return undefined
    } else {
      if (part === "") return undefined
      params[segment.param] = decodeURIComponent(part)
    }
  }
  return params
}

const DEFAULT_CONTENT_TYPE = {
  json: "application/json",
  text: "text/plain; charset=utf-8",
  bytes: "application/octet-stream"
}

export const toWebResponse = (
  reply: MockBody & { readonly status?: number; readonly headers?: Readonly<Record<string, string>> }
): Response => {
  const headers = new Headers()
  let body: BodyInit | null = null
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json) ?? "null"
    headers.set("content-type", DEFAULT_CONTENT_TYPE.json)
  } else if (reply.text !== undefined) {
    body = reply.text
    headers.set("content-type", DEFAULT_CONTENT_TYPE.text)
  } else if (reply.bytes !== undefined) {
    body = reply.bytes as Uint8Array<ArrayBuffer>
    headers.set("content-type", DEFAULT_CONTENT_TYPE.bytes)
  }
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers.set(name, value)
  const status = reply.status ?? 200
  return new Response(BODILESS.has(status) ? null : body, { status, headers })
}
