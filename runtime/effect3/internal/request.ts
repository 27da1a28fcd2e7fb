/**
 * Building a step's HTTP request from what the generator decided: the operation (method and
 * path template, and how its parameters are serialized), parameter values by location, and the
 * body with its media type.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { type Body, type HttpMethod, isFields } from "../../core/body.js"
import {
  cookieParameter,
  headerParameter,
  type ParameterLocation,
  pathParameter,
  queryParameter,
  type ResolvedStyle,
  resolveStyle,
  scalarText,
  type Serialization,
  styleOf
} from "../../core/serialize.js"
import type { Source } from "./servers.js"

export type { ParameterStyle, Serialization } from "../../core/serialize.js"

type PathPart = { readonly literal: string } | { readonly param: string }

/** An OpenAPI operation as a step calls it. */
export interface Operation {
  readonly source: Source
  readonly operationId: string | undefined
  readonly method: HttpMethod
  /** The path template as the OpenAPI description writes it, e.g. `/workflows/{workflowId}`. */
  readonly path: string
  readonly parts: ReadonlyArray<PathPart>
  /** Parameters whose serialization is not their location's OpenAPI default; absent means none. */
  readonly serialization: Serialization | undefined
}

/** Declares an operation; the path template is split once, when the generated module loads. */
export const operation = (
  source: Source,
  method: HttpMethod,
  path: string,
  operationId?: string,
  serialization?: Serialization
): Operation => ({
  source,
  operationId,
  method,
  path,
  parts: path.split(/(\{[^}]+\})/).filter((s) => s !== "").map((s) =>
    s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s }
  ),
  serialization
})

/** Parameter values of a step by location; `undefined` values are left out. */
export interface Parameters {
  readonly path?: Readonly<Record<string, unknown>>
  readonly query?: Readonly<Record<string, unknown>>
  readonly header?: Readonly<Record<string, unknown>>
  readonly cookie?: Readonly<Record<string, unknown>>
}

const present = (record: Readonly<Record<string, unknown>> | undefined): Array<[string, unknown]> =>
  Object.entries(record ?? {}).filter(([, v]) => v !== undefined && v !== null)

/**
 * Serializes every present parameter of a location with its declared style (or the location's
 * default), failing with a message that names a parameter whose style does not apply there.
 */
const serializeAll = <A>(
  op: Operation,
  location: ParameterLocation,
  values: Readonly<Record<string, unknown>> | undefined,
  serialize: (name: string, value: unknown, style: ResolvedStyle) => A
): Array<A> | { readonly error: string } => {
  const out: Array<A> = []
  for (const [name, value] of present(values)) {
    const style = resolveStyle(location, styleOf(op.serialization, location, name))
    if ("error" in style) return { error: `${location} parameter \`${name}\`: ${style.error}` }
    out.push(serialize(name, value, style))
  }
  return out
}

const buildPath = (op: Operation, values: Readonly<Record<string, unknown>>): string | { readonly error: string } => {
  let path = ""
  for (const part of op.parts) {
    if ("literal" in part) {
      path += part.literal
      continue
    }
    const value = values[part.param]
    if (value === undefined || value === null || value === "") {
      return { error: `path parameter \`${part.param}\` has no value` }
    }
    const style = resolveStyle("path", styleOf(op.serialization, "path", part.param))
    if ("error" in style) return { error: `path parameter \`${part.param}\`: ${style.error}` }
    path += pathParameter(part.param, value, style)
  }
  return path
}

/** Form body fields as `application/x-www-form-urlencoded` pairs: arrays repeat the name, objects spread. */
const formPairs = (fields: Readonly<Record<string, unknown>>): Array<[string, string]> =>
  present(fields).flatMap(([name, value]): Array<[string, string]> => {
    if (Array.isArray(value)) return value.map((v) => [name, scalarText(v)])
    if (typeof value === "object" && !(value instanceof Date)) {
      return present(value as Record<string, unknown>).map(([k, v]) => [k, scalarText(v)])
    }
    return [[name, scalarText(value)]]
  })

/** The request and a description of it that is safe to show. */
export interface BuiltRequest {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly url: string
}

export const build = (
  baseUrl: string,
  op: Operation,
  parameters: Parameters,
  body: Body | undefined
): Effect.Effect<BuiltRequest, string> =>
  Effect.gen(function*() {
    const path = buildPath(op, parameters.path ?? {})
    if (typeof path !== "string") return yield* Effect.fail(path.error)
    const query = serializeAll(op, "query", parameters.query, queryParameter)
    if ("error" in query) return yield* Effect.fail(query.error)
    const headerValues = serializeAll(op, "header", parameters.header, (name, value, style) =>
      [name, headerParameter(value, style)] as const)
    if ("error" in headerValues) {
      return yield* Effect.fail(headerValues.error)
    }
    const cookies = serializeAll(op, "cookie", parameters.cookie, cookieParameter)
    if ("error" in cookies) {
      return yield* Effect.fail(cookies.error)
    }

    const url = new URL(baseUrl + path)
    const pairs = query.flat()
    // The pairs are already percent-encoded; `search` keeps them as they are. The request is made
    // from the URL string, so the client sends this query unchanged (it re-encodes only `urlParams`).
    if (pairs.length > 0) {
      url.search = [url.search.slice(1), ...pairs].filter((s) =>
        s !== ""
      ).join("&")
    }
    const headers: Record<string, string> = Object.fromEntries(headerValues)
    const cookieHeader = cookies.flat().join("; ")
    if (cookieHeader !== "") {
      headers["cookie"] = cookieHeader
    }
    let request = HttpClientRequest.make(op.method)(url.toString(), { headers })
    if (body !== undefined) {
      request = yield* withBody(request, body)
    }
    return { request, url: url.toString() }
  })

const withBody = (
  request: HttpClientRequest.HttpClientRequest,
  body: Body
): Effect.Effect<HttpClientRequest.HttpClientRequest, string> => {
  switch (body._tag) {
    case "Json":
      return Effect.try({
        try: () => HttpClientRequest.bodyText(request, JSON.stringify(body.value) ?? "null", body.contentType),
        catch: (cause) => `JSON body cannot be encoded: ${String(cause)}`
      })
    case "Text":
      return Effect.succeed(HttpClientRequest.bodyText(request, body.text, body.contentType))
    case "Form":
      return isFields(body.fields)
        ? Effect.succeed(HttpClientRequest.bodyUrlParams(request, formPairs(body.fields)))
        : Effect.fail(`a form body must be an object of fields, not ${describeValue(body.fields)}`)
    case "Multipart":
      return isFields(body.parts)
        ? Effect.map(
          encodeMultipart(body.parts),
          ({ bytes, contentType }) => HttpClientRequest.bodyUint8Array(request, bytes, contentType)
        )
        : Effect.fail(`a multipart body must be an object of parts, not ${describeValue(body.parts)}`)
  }
}

const describeValue = (
  value: unknown
) => (value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`)

const partBlob = (value: unknown): Blob | undefined => {
  if (value instanceof Blob) return value
  if (value instanceof Uint8Array) {
    return new Blob([value as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" })
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return new Blob([JSON.stringify(value)], { type: "application/json" })
  }
  return undefined
}

/**
 * Encodes multipart/form-data to bytes up front. Sending Node's global `FormData` through the
 * undici client layer fails on Node 20 (nodejs/undici#4212); bytes work with every client layer.
 */
const encodeMultipart = (
  parts: Readonly<Record<string, unknown>>
): Effect.Effect<{ readonly bytes: Uint8Array; readonly contentType: string }, string> =>
  Effect.tryPromise({
    try: async () => {
      const form = new FormData()
      for (const [name, value] of present(parts)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          const blob = partBlob(item)
          if (blob === undefined) form.append(name, scalarText(item))
          else form.append(name, blob, blob instanceof File ? blob.name : name)
        }
      }
      const encoded = new Response(form)
      return {
        bytes: new Uint8Array(await encoded.arrayBuffer()),
        contentType: encoded.headers.get("content-type") ?? "multipart/form-data"
      }
    },
    catch: (cause) => `multipart body cannot be encoded: ${String(cause)}`
  })
