/**
 * OpenAPI descriptions as the generator needs them: every operation with its method, path,
 * parameters, request body media types and response schemas, from a description whose `$ref`s
 * ./references.ts has resolved (circular references are left as `$ref` and typed `unknown`).
 */
import type { HttpMethod } from "../../runtime/core/body.js"
import type { SecurityScheme, SecurityScopes } from "../../runtime/core/credentials.js"
import { isObject } from "../../runtime/core/json.js"
import type { ParameterLocation } from "../../runtime/core/serialize.js"
import { scopesOf, securitySchemesOf } from "./security-schemes.js"

export type JsonSchema = Readonly<Record<string, unknown>> | boolean

export interface ApiParameter {
  readonly name: string
  readonly in: ParameterLocation
  readonly required: boolean
  readonly schema: JsonSchema | undefined
  /**
   * How the value is serialized, when the description says more than its location's default:
   * OpenAPI 3 `style` / `explode` / `allowReserved`, or Swagger 2.0 `collectionFormat` as the style.
   */
  readonly serialization:
    | { readonly style?: string; readonly explode?: boolean; readonly allowReserved?: boolean }
    | undefined
}

export interface MediaTypes {
  readonly [mediaType: string]: { readonly schema: JsonSchema | undefined }
}

export interface ApiOperation {
  readonly operationId: string | undefined
  readonly method: HttpMethod
  readonly path: string
  readonly summary: string | undefined
  readonly parameters: ReadonlyArray<ApiParameter>
  readonly requestBody: { readonly required: boolean; readonly content: MediaTypes } | undefined
  readonly responses: Readonly<Record<string, { readonly content: MediaTypes }>>
  /**
   * The security requirement in force (the operation's own, else the document's): alternatives,
   * each the scheme names that go together; empty when none is needed.
   */
  readonly security: ReadonlyArray<ReadonlyArray<string>>
  /** The OAuth2 / OpenID Connect scopes that requirement asks for, by scheme (none listed: absent). */
  readonly securityScopes: SecurityScopes
}

export interface ApiDescription {
  readonly file: string
  /** References that could not be resolved (the schemas behind them are typed `unknown`). */
  readonly brokenRefs: ReadonlyArray<string>
  readonly title: string | undefined
  /** The first server's URL with its variables at their defaults; `undefined` when none is absolute. */
  readonly serverUrl: string | undefined
  readonly operations: ReadonlyArray<ApiOperation>
  /**
   * Operations the description declares under `paths` whose object is a `$ref` that cannot be
   * resolved (a file absent beside it): known by method and path only, so not in `operations`.
   * `method` is `*` when the whole path item is such a reference.
   */
  readonly unresolvedOperations?: ReadonlyArray<
    { readonly method: string; readonly path: string; readonly reason: string }
  >
  /** The security schemes the runtime can apply, by name (see ./security-schemes.ts). */
  readonly securitySchemes: Readonly<Record<string, SecurityScheme>>
  readonly raw: unknown
}

const METHODS: ReadonlyArray<HttpMethod> = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"]
const LOCATIONS = new Set(["path", "query", "header", "cookie"])

type Json = Record<string, unknown>
const objectAt = (o: Json, key: string): Json => (isObject(o[key]) ? (o[key] as Json) : {})
const stringAt = (
  o: Json,
  key: string
): string | undefined => (typeof o[key] === "string" ? (o[key] as string) : undefined)

/** A value computed on first read, then kept. */
const once = <A>(compute: () => A): () => A => {
  let done = false
  let value: A
  return () => {
    if (!done) {
      value = compute()
      done = true
    }
    return value
  }
}

/**
 * Every operation of a description. Only the method, path, operationId, summary and security
 * are read up front; parameters, request body and responses (where the `$ref`s are) are resolved
 * with `resolve` when first read, so a large description costs what the operations used cost.
 * `resolve` is the identity for a description json-schema-ref-parser has already dereferenced.
 */
export const indexDescription = (
  file: string,
  document: unknown,
  brokenRefs: ReadonlyArray<string> = [],
  resolve: (node: unknown) => unknown = (node) => node,
  brokenAt: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly reason: string }> = []
): ApiDescription => {
  const doc = isObject(document) ? document : {}
  const swagger2 = typeof doc["swagger"] === "string"
  const documentSecurity = securityOf(doc["security"]) ?? []
  const documentScopes = scopesOf(doc["security"]) ?? {}
  const operations: Array<ApiOperation> = []
  for (const [path, written] of Object.entries(objectAt(doc, "paths"))) {
    if (!isObject(written)) continue
    const item = typeof written["$ref"] === "string" ? resolve(written) : written
    if (!isObject(item)) continue
    const shared = once(() => parametersOf(resolve(item["parameters"])))
    for (const method of METHODS) {
      const op = item[method.toLowerCase()]
      if (!isObject(op)) continue
      const merged = once(() => {
        const own = parametersOf(resolve(op["parameters"]))
        return [...shared().filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own]
      })
      const resolved = once(() => resolve(op) as Json)
      const parameters = once(() => merged().filter((p): p is ApiParameter => LOCATIONS.has(p.in)))
      const requestBody = once(() => (swagger2 ? swagger2Body(doc, op, merged()) : openApi3Body(resolved())))
      const responses = once(() => responsesOf(doc, resolved(), swagger2))
      operations.push({
        operationId: stringAt(op, "operationId"),
        method,
        path,
        summary: stringAt(op, "summary"),
        get parameters() {
          return parameters()
        },
        get requestBody() {
          return requestBody()
        },
        get responses() {
          return responses()
        },
        security: securityOf(op["security"]) ?? documentSecurity,
        securityScopes: scopesOf(op["security"]) ?? documentScopes
      })
    }
  }
  // A broken `$ref` standing for an operation (or a path item) leaves no operation to index.
  const unresolvedOperations = brokenAt.flatMap(({ path, reason }) => {
    if (path[0] !== "paths" || typeof path[1] !== "string") return []
    if (path.length === 2) return [{ method: "*", path: path[1], reason }]
    const method = String(path[2]).toUpperCase()
    return path.length === 3 && (METHODS as ReadonlyArray<string>).includes(method)
      ? [{ method, path: path[1], reason }]
      : []
  })
  return {
    file,
    brokenRefs,
    unresolvedOperations,
    title: stringAt(objectAt(doc, "info"), "title"),
    serverUrl: swagger2 ? swagger2Server(doc) : openApi3Server(doc),
    operations,
    securitySchemes: securitySchemesOf(doc),
    raw: document
  }
}

interface RawParameter {
  readonly name: string
  readonly in: string
  readonly required: boolean
  readonly schema: JsonSchema | undefined
  readonly serialization: ApiParameter["serialization"]
}

const parametersOf = (list: unknown): Array<RawParameter> =>
  (Array.isArray(list) ? list : []).filter(isObject).map((p) => ({
    name: stringAt(p, "name") ?? "",
    in: stringAt(p, "in") ?? "",
    required: p["required"] === true || p["in"] === "path",
    // Swagger 2.0 puts type information on the parameter itself.
    schema: (p["schema"] as JsonSchema | undefined) ?? (typeof p["type"] === "string" ? p : undefined),
    serialization: serializationOf(p)
  }))

/**
 * Style, explode and allowReserved as declared (absent: the location's default). A Swagger 2.0
 * array parameter says `collectionFormat`, whose default is `csv`, unlike OpenAPI 3's `form`.
 */
const serializationOf = (p: Json): RawParameter["serialization"] => {
  if (p["type"] === "array" && p["schema"] === undefined) {
    return { style: typeof p["collectionFormat"] === "string" ? p["collectionFormat"] : "csv" }
  }
  const declared = {
    ...(typeof p["style"] === "string" ? { style: p["style"] } : {}),
    ...(typeof p["explode"] === "boolean" ? { explode: p["explode"] } : {}),
    ...(p["allowReserved"] === true ? { allowReserved: true } : {})
  }
  return Object.keys(declared).length > 0 ? declared : undefined
}

const mediaTypes = (content: unknown): MediaTypes =>
  Object.fromEntries(
    Object.entries(isObject(content) ? content : {}).map(([type, media]) => [
      type,
      { schema: isObject(media) ? (media["schema"] as JsonSchema | undefined) : undefined }
    ])
  )

const openApi3Body = (op: Json): ApiOperation["requestBody"] => {
  const body = op["requestBody"]
  if (!isObject(body)) return undefined
  return { required: body["required"] === true, content: mediaTypes(body["content"]) }
}

const swagger2Body = (doc: Json, op: Json, parameters: ReadonlyArray<RawParameter>): ApiOperation["requestBody"] => {
  const consumes = (Array.isArray(op["consumes"]) ? op["consumes"] : doc["consumes"]) as Array<string> | undefined
  const body = parameters.find((p) => p.in === "body")
  if (body) {
    const types = consumes && consumes.length > 0 ? consumes : ["application/json"]
    return { required: body.required, content: Object.fromEntries(types.map((t) => [t, { schema: body.schema }])) }
  }
  const fields = parameters.filter((p) => p.in === "formData")
  if (fields.length === 0) return undefined
  const schema = {
    type: "object",
    required: fields.filter((f) => f.required).map((f) => f.name),
    properties: Object.fromEntries(fields.map((f) => {
      const s = isObject(f.schema) ? f.schema : {}
      return [f.name, s["type"] === "file" ? { type: "string", format: "binary" } : s]
    }))
  }
  const type =
    consumes?.includes("multipart/form-data") || fields.some((f) => isObject(f.schema) && f.schema["type"] === "file")
      ? "multipart/form-data"
      : "application/x-www-form-urlencoded"
  return { required: fields.some((f) => f.required), content: { [type]: { schema } } }
}

const responsesOf = (doc: Json, op: Json, swagger2: boolean): ApiOperation["responses"] =>
  Object.fromEntries(
    Object.entries(objectAt(op, "responses")).map(([status, response]) => {
      const r = isObject(response) ? response : {}
      if (!swagger2) return [status, { content: mediaTypes(r["content"]) }]
      const produces = (Array.isArray(op["produces"]) ? op["produces"] : doc["produces"]) as Array<string> | undefined
      const types = produces && produces.length > 0 ? produces : ["application/json"]
      const schema = r["schema"] as JsonSchema | undefined
      return [status, { content: schema === undefined ? {} : Object.fromEntries(types.map((t) => [t, { schema }])) }]
    })
  )

const openApi3Server = (doc: Json): string | undefined => {
  const servers = Array.isArray(doc["servers"]) ? doc["servers"].filter(isObject) : []
  for (const server of servers) {
    const url = stringAt(server, "url")
    if (url === undefined) continue
    const variables = objectAt(server, "variables")
    const expanded = url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const variable = objectAt(variables, name)
      return typeof variable["default"] === "string" ? variable["default"] : whole
    })
    if (/^https?:\/\//i.test(expanded)) return expanded
  }
  return undefined
}

const swagger2Server = (doc: Json): string | undefined => {
  const host = stringAt(doc, "host")
  if (host === undefined) return undefined
  const schemes = Array.isArray(doc["schemes"]) ? (doc["schemes"] as Array<string>) : []
  const scheme = schemes.includes("https") || schemes.length === 0 ? "https" : schemes[0]
  return `${scheme}://${host}${stringAt(doc, "basePath") ?? ""}`
}

/**
 * A `security` list: each requirement object's scheme names (`{}` is "no credential needed",
 * which leaves the whole requirement satisfiable without one: an empty list of alternatives).
 */
const securityOf = (list: unknown): ReadonlyArray<ReadonlyArray<string>> | undefined => {
  if (!Array.isArray(list)) return undefined
  const alternatives = list.filter(isObject).map((requirement) => Object.keys(requirement).sort())
  return alternatives.some((schemes) => schemes.length === 0) ? [] : alternatives
}
