/**
 * A step's HTTP request built from what the generator decided: the operation (method, path
 * template split once, each parameter's serialization resolved once), the parameter values by
 * location, and the body. Synchronous and Effect-free; both Effect lines turn the result into
 * their client's request.
 */
import { type Body, type HttpMethod, isFields } from "./body.js"
import type { SecurityScopes } from "./credentials.js"
import { encodeMultipart, type MultipartBody } from "./multipart.js"
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
} from "./serialize.js"

type PathPart = { readonly literal: string } | { readonly param: string }

/** One way an operation may be authorized: every named scheme of one OpenAPI security requirement. */
export type SecurityRequirement = ReadonlyArray<string>

/** An OpenAPI operation as steps call it, prepared once when the generated module loads. */
export interface OperationShape {
  readonly operationId: string | undefined
  readonly method: HttpMethod
  /** The path template as the OpenAPI description writes it, e.g. `/workflows/{workflowId}`. */
  readonly path: string
  readonly parts: ReadonlyArray<PathPart>
  /** Parameters whose serialization is not their location's OpenAPI default; absent means none. */
  readonly serialization: Serialization | undefined
  /**
   * The security the OpenAPI description asks for: alternatives, each a list of schemes that go
   * together; empty when the operation needs none. Named in errors for a 401 or 403.
   */
  readonly security: ReadonlyArray<SecurityRequirement>
  /** The OAuth2 / OpenID Connect scopes that security asks for, by scheme; absent when none are listed. */
  readonly securityScopes: SecurityScopes | undefined
  /** Resolved styles by location and name, filled on first use. */
  readonly styles: Map<string, ResolvedStyle | { readonly error: string }>
}

export interface OperationOptions {
  readonly operationId?: string
  readonly serialization?: Serialization
  readonly security?: ReadonlyArray<SecurityRequirement>
  readonly securityScopes?: SecurityScopes
}

export const prepareOperation = (method: HttpMethod, path: string, options: OperationOptions = {}): OperationShape => ({
  operationId: options.operationId,
  method,
  path,
  parts: path.split(/(\{[^}]+\})/).filter((s) => s !== "").map((s) =>
    s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s }
  ),
  serialization: options.serialization,
  security: options.security ?? [],
  securityScopes: options.securityScopes,
  styles: new Map()
})

/** Parameter values of a step by location; `undefined` and `null` values are left out. */
export interface Parameters {
  readonly path?: Readonly<Record<string, unknown>>
  readonly query?: Readonly<Record<string, unknown>>
  readonly header?: Readonly<Record<string, unknown>>
  readonly cookie?: Readonly<Record<string, unknown>>
  /** Arazzo 1.1 `in: querystring`: the whole query string, as text (`a=1&b=2`). */
  readonly querystring?: unknown
}

/** A body ready for the wire. Multipart bodies may still hold `Blob`s to read. */
export type EncodedBody =
  | { readonly _tag: "Text"; readonly text: string; readonly contentType: string }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array; readonly contentType: string }
  | { readonly _tag: "Multipart"; readonly multipart: MultipartBody }
  /** A `Blob` body: its bytes can only be read asynchronously. */
  | { readonly _tag: "Blob"; readonly blob: Blob; readonly contentType: string }

export interface RequestParts {
  readonly method: HttpMethod
  /** The URL as sent, query included. */
  readonly url: string
  /** Header values by name as the step gives them, `content-type` and `cookie` included. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: EncodedBody | undefined
}

const styleFor = (op: OperationShape, location: ParameterLocation, name: string) => {
  const key = `${location}\u0000${name}`
  let style = op.styles.get(key)
  if (style === undefined) op.styles.set(key, style = resolveStyle(location, styleOf(op.serialization, location, name)))
  return style
}

const isPresent = (value: unknown) => value !== undefined && value !== null

/**
 * A `querystring` value as it goes after `?`: the text as written, its separators (`&`, `=`) and
 * escapes kept, only what a URL query cannot hold percent-encoded (spaces, quotes, braces,
 * non-ASCII, a `%` that starts no escape, `#`). A leading `?` is the author's, not a character.
 */
const wholeQuery = (value: unknown): string | { readonly error: string } => {
  if (!isPresent(value)) return ""
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    return { error: "the `querystring` parameter must be text such as `a=1&b=2`" }
  }
  const text = String(value).replace(/^\?/, "")
  return text.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (c) => encodeURIComponent(c))
}

const buildPath = (
  op: OperationShape,
  values: Readonly<Record<string, unknown>>
): string | { readonly error: string } => {
  let path = ""
  for (const part of op.parts) {
    if ("literal" in part) {
      path += part.literal
      continue
    }
    const value = Object.hasOwn(values, part.param) ? values[part.param] : undefined
    if (value === undefined || value === null || value === "") {
      return { error: `path parameter \`${part.param}\` has no value` }
    }
    const style = styleFor(op, "path", part.param)
    if ("error" in style) return { error: `path parameter \`${part.param}\`: ${style.error}` }
    path += pathParameter(part.param, value, style)
  }
  return path
}

/** Form body fields as `application/x-www-form-urlencoded` text: arrays repeat the name, objects spread. */
const formText = (fields: Readonly<Record<string, unknown>>): string => {
  const params = new URLSearchParams()
  for (const name of Object.keys(fields)) {
    const value = fields[name]
    if (!isPresent(value)) continue
    if (Array.isArray(value)) {
      for (const item of value) if (isPresent(item)) params.append(name, scalarText(item))
    } else if (typeof value === "object" && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (isPresent(v)) params.append(k, scalarText(v))
      }
    } else {
      params.append(name, scalarText(value))
    }
  }
  return params.toString()
}

const describeValue = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

const encodeBody = (body: Body): EncodedBody | { readonly error: string } => {
  switch (body._tag) {
    case "Json": {
      let text: string | undefined
      try {
        text = JSON.stringify(body.value)
      } catch (cause) {
        return { error: `JSON body cannot be encoded: ${String(cause)}` }
      }
      return { _tag: "Text", text: text ?? "null", contentType: body.contentType }
    }
    case "Text":
      return { _tag: "Text", text: body.text, contentType: body.contentType }
    case "Form":
      return isFields(body.fields)
        ? { _tag: "Text", text: formText(body.fields), contentType: "application/x-www-form-urlencoded" }
        : { error: `a form body must be an object of fields, not ${describeValue(body.fields)}` }
    case "Multipart":
      return isFields(body.parts)
        ? { _tag: "Multipart", multipart: encodeMultipart(body.parts) }
        : { error: `a multipart body must be an object of parts, not ${describeValue(body.parts)}` }
    case "Binary": {
      const { value, contentType } = body
      if (value instanceof Uint8Array) return { _tag: "Bytes", bytes: value, contentType }
      if (value instanceof Blob) return { _tag: "Blob", blob: value, contentType }
      if (typeof value === "string") return { _tag: "Text", text: value, contentType }
      return { error: `a ${contentType} body must be bytes, a Blob or text, not ${describeValue(value)}` }
    }
  }
}

/** The media type an encoded body carries. */
export const bodyContentType = (body: EncodedBody): string =>
  body._tag === "Multipart" ? body.multipart.contentType : body.contentType

/**
 * Builds the request. A `Content-Type` the step sets as a header parameter is sent as set: it
 * wins over the body's (the generator warns when the two disagree in the document).
 */
export const buildRequest = (
  baseUrl: string,
  op: OperationShape,
  parameters: Parameters,
  body: Body | undefined
): RequestParts | { readonly error: string } => {
  const path = buildPath(op, parameters.path ?? {})
  if (typeof path !== "string") return path
  let query = ""
  const queryValues = parameters.query
  if (queryValues !== undefined) {
    for (const name of Object.keys(queryValues)) {
      const value = queryValues[name]
      if (!isPresent(value)) continue
      const style = styleFor(op, "query", name)
      if ("error" in style) return { error: `query parameter \`${name}\`: ${style.error}` }
      for (const pair of queryParameter(name, value, style)) query += (query === "" ? "" : "&") + pair
    }
  }
  const whole = wholeQuery(parameters.querystring)
  if (typeof whole !== "string") return whole
  if (whole !== "") query = query === "" ? whole : `${query}&${whole}`
  const headers: Record<string, string> = {}
  let stepContentType = false
  const headerValues = parameters.header
  if (headerValues !== undefined) {
    for (const name of Object.keys(headerValues)) {
      const value = headerValues[name]
      if (!isPresent(value)) continue
      const style = styleFor(op, "header", name)
      if ("error" in style) return { error: `header parameter \`${name}\`: ${style.error}` }
      headers[name] = headerParameter(value, style)
      if (name.toLowerCase() === "content-type") stepContentType = true
    }
  }
  const cookieValues = parameters.cookie
  if (cookieValues !== undefined) {
    const pairs: Array<string> = []
    for (const name of Object.keys(cookieValues)) {
      const value = cookieValues[name]
      if (!isPresent(value)) continue
      const style = styleFor(op, "cookie", name)
      if ("error" in style) return { error: `cookie parameter \`${name}\`: ${style.error}` }
      pairs.push(...cookieParameter(name, value, style))
    }
    if (pairs.length > 0) headers["cookie"] = pairs.join("; ")
  }
  let encoded: EncodedBody | undefined
  if (body !== undefined) {
    const result = encodeBody(body)
    if ("error" in result) return result
    encoded = result
    if (!stepContentType) headers["content-type"] = bodyContentType(result)
  }
  const url = query === "" ? baseUrl + path : `${baseUrl}${path}?${query}`
  return { method: op.method, url, headers, body: encoded }
}
