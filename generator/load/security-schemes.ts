/**
 * The security schemes of an OpenAPI description as the runtime applies them: OpenAPI 3
 * `components.securitySchemes` and Swagger 2.0 `securityDefinitions`, each read into one
 * `SecurityScheme`. A scheme the runtime cannot apply (mutual TLS, an apiKey without a name, an
 * OAuth2 scheme with only an implicit flow and no token URL still can take an access token) is
 * left out; `security-not-sent` says so where a step needs it.
 */
import type { SecurityScheme, SecurityScopes } from "../../runtime/core/credentials.js"
import { isObject } from "../../runtime/core/json.js"

type Json = Record<string, unknown>

const text = (o: Json, key: string): string | undefined =>
  typeof o[key] === "string" && o[key] !== "" ? (o[key] as string) : undefined

/** A URL as written: absolute, or relative to the API's server (resolved at run time against the source's base URL). */
const absolute = (url: string | undefined): string | undefined => url

/** An OAuth2 scheme's token and refresh URLs: client credentials first (the flow a program can run alone). */
const oauth2 = (raw: Json): SecurityScheme => {
  if (!isObject(raw["flows"])) {
    // Swagger 2.0: one `flow` with its `tokenUrl` (`application` is client credentials).
    const tokenUrl = absolute(text(raw, "tokenUrl"))
    return { type: "oauth2", ...(tokenUrl !== undefined ? { tokenUrl } : {}) }
  }
  const flows = raw["flows"]
  const order = ["clientCredentials", "authorizationCode", "password"]
  const flow = order.map((name) => flows[name]).find((f): f is Json => isObject(f) && text(f, "tokenUrl") !== undefined)
  const tokenUrl = flow === undefined ? undefined : absolute(text(flow, "tokenUrl"))
  const refreshUrl = [flow, ...order.map((name) => flows[name]), flows["implicit"]]
    .map((f) => isObject(f) ? absolute(text(f, "refreshUrl")) : undefined)
    .find((url) => url !== undefined)
  return {
    type: "oauth2",
    ...(tokenUrl !== undefined ? { tokenUrl } : {}),
    ...(refreshUrl !== undefined ? { refreshUrl } : {})
  }
}

const scheme = (raw: Json): SecurityScheme | undefined => {
  switch (raw["type"]) {
    case "apiKey": {
      const name = text(raw, "name")
      const where = raw["in"]
      return name !== undefined && (where === "header" || where === "query" || where === "cookie")
        ? { type: "apiKey", in: where, name }
        : undefined
    }
    case "http": {
      const name = text(raw, "scheme")
      return name === undefined ? undefined : { type: "http", scheme: name.toLowerCase() }
    }
    case "basic":
      return { type: "http", scheme: "basic" }
    case "oauth2":
      return oauth2(raw)
    case "openIdConnect": {
      const url = absolute(text(raw, "openIdConnectUrl"))
      return url === undefined ? undefined : { type: "openIdConnect", openIdConnectUrl: url }
    }
    default:
      return undefined
  }
}

/** The schemes of a description by name, in the order it writes them. */
export const securitySchemesOf = (doc: Json): Readonly<Record<string, SecurityScheme>> => {
  const components = isObject(doc["components"]) ? doc["components"] : {}
  const table = isObject(components["securitySchemes"])
    ? components["securitySchemes"]
    : isObject(doc["securityDefinitions"])
    ? doc["securityDefinitions"]
    : {}
  const schemes: Record<string, SecurityScheme> = {}
  for (const [name, raw] of Object.entries(table)) {
    const read = isObject(raw) ? scheme(raw) : undefined
    if (read !== undefined) schemes[name] = read
  }
  return schemes
}

/** The scopes a `security` list asks for, by scheme, merged over its alternatives; `undefined` without a list. */
export const scopesOf = (list: unknown): SecurityScopes | undefined => {
  if (!Array.isArray(list)) return undefined
  const scopes: Record<string, Array<string>> = {}
  for (const requirement of list.filter(isObject)) {
    for (const [name, asked] of Object.entries(requirement)) {
      if (!Array.isArray(asked)) continue
      for (const scope of asked) {
        if (typeof scope === "string" && scope !== "" && !(scopes[name] ??= []).includes(scope)) {
          scopes[name].push(scope)
        }
      }
    }
  }
  for (const name of Object.keys(scopes)) if (scopes[name]!.length === 0) delete scopes[name]
  return scopes
}
