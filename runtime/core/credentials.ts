/**
 * Credentials from an OpenAPI description's security schemes, the Effect-free part both lines
 * share: which scheme of an operation's `security` a request is sent with (alternatives and
 * combinations), how a credential goes on the request (header, query, cookie, `Authorization`),
 * the OAuth2 token request and response, and the token cache. The Effect lines provide the
 * credentials (a Layer), fetch tokens and lock per cache key.
 */
import type { Parameters, RequestParts } from "./request.js"

/** One entry of `components.securitySchemes` (Swagger 2.0 `securityDefinitions`), as generated code declares it. */
export type SecurityScheme =
  | { readonly type: "apiKey"; readonly in: "header" | "query" | "cookie"; readonly name: string }
  /** `scheme` as the OpenAPI writes it, lower-cased: `basic`, `bearer` (others send the value after the scheme name). */
  | { readonly type: "http"; readonly scheme: string }
  /**
   * The token URL of the client-credentials flow (else of the authorization-code or password
   * flow), and a refresh URL; either may be relative to the server URL.
   */
  | { readonly type: "oauth2"; readonly tokenUrl?: string; readonly refreshUrl?: string }
  /** The discovery document, whose `token_endpoint` takes the token requests. */
  | { readonly type: "openIdConnect"; readonly openIdConnectUrl: string }

export type SecuritySchemes = Readonly<Record<string, SecurityScheme>>

/** The scopes an operation asks for, by scheme (OAuth2 and OpenID Connect requirements list them). */
export type SecurityScopes = Readonly<Record<string, ReadonlyArray<string>>>

/**
 * A credential for one scheme, each part a secret of type `S` (the line's `Redacted`):
 * `value` is the API key, the bearer token, `user:pass` for basic, or an OAuth2 access token
 * used as it is; OAuth2 and OpenID Connect otherwise take a client id and secret (client
 * credentials) or a refresh token.
 */
export interface StoredCredential<S> {
  readonly value?: S
  readonly username?: S
  readonly password?: S
  readonly clientId?: S
  readonly clientSecret?: S
  readonly refreshToken?: S
}

/** The parts a credential has for a scheme type, as `--credential` and the environment name them. */
export const CREDENTIAL_FIELDS = ["value", "username", "password", "clientId", "clientSecret", "refreshToken"] as const
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number]

/** `civitaiOrchestrationApi` → `CIVITAI_ORCHESTRATION_API`. */
export const upperSnake = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toUpperCase()

/**
 * The environment name of a credential: `ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>`, with `_USERNAME`,
 * `_PASSWORD`, `_CLIENT_ID`, `_CLIENT_SECRET` or `_REFRESH_TOKEN` for those parts.
 */
export const credentialKey = (source: string, scheme: string, field: CredentialField = "value"): string =>
  `ARAZZO_CREDENTIAL_${upperSnake(source)}_${upperSnake(scheme)}${field === "value" ? "" : `_${upperSnake(field)}`}`

/** The parts worth reading for a scheme type. */
export const fieldsFor = (scheme: SecurityScheme): ReadonlyArray<CredentialField> =>
  scheme.type === "apiKey"
    ? ["value"]
    : scheme.type === "http"
    ? scheme.scheme === "basic" ? ["value", "username", "password"] : ["value"]
    : ["value", "clientId", "clientSecret", "refreshToken"]

/** `apiKey in header X-API-Key`, `http bearer`, `oauth2`: how errors name a scheme. */
export const describeScheme = (scheme: SecurityScheme | undefined): string =>
  scheme === undefined
    ? "not defined in the OpenAPI description"
    : scheme.type === "apiKey"
    ? `apiKey in ${scheme.in} ${scheme.name}`
    : scheme.type === "http"
    ? `http ${scheme.scheme}`
    : scheme.type

/** How one scheme's credential can be given, for the error that says it is missing. */
export const howToProvide = (source: string, name: string, scheme: SecurityScheme | undefined): string => {
  if (scheme === undefined) return "no credential can be applied for it"
  const fields = fieldsFor(scheme)
  const env = fields.map((f) => credentialKey(source, name, f))
  const what = scheme.type === "http" && scheme.scheme === "basic"
    ? "user:pass, or username and password"
    : scheme.type === "oauth2" || scheme.type === "openIdConnect"
    ? "an access token, or clientId and clientSecret, or a refreshToken"
    : "the value"
  const key = (n: string) => /^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n)
  return `give ${what} with Credentials.layer({ ${key(source)}: { ${key(name)}: … } }), the environment (${
    env.join(", ")
  }) or --credential ${source}.${name}=…`
}

/** Whether the credential has what the scheme needs. */
export const usable = <S>(scheme: SecurityScheme, credential: StoredCredential<S> | undefined): boolean => {
  if (credential === undefined) return false
  switch (scheme.type) {
    case "apiKey":
      return credential.value !== undefined
    case "http":
      return credential.value !== undefined ||
        (scheme.scheme === "basic" && credential.username !== undefined && credential.password !== undefined)
    case "oauth2":
    case "openIdConnect":
      return credential.value !== undefined || credential.clientId !== undefined ||
        credential.refreshToken !== undefined
  }
}

/** Whether the scheme needs a token fetched first (OAuth2 / OpenID Connect without an access token given). */
export const needsToken = <S>(scheme: SecurityScheme, credential: StoredCredential<S>): boolean =>
  (scheme.type === "oauth2" || scheme.type === "openIdConnect") && credential.value === undefined

const headerOf = (parts: RequestParts, name: string): string | undefined => {
  const lower = name.toLowerCase()
  for (const key of Object.keys(parts.headers)) if (key.toLowerCase() === lower) return parts.headers[key]
  return undefined
}

/** Whether the request already carries what the scheme sends: a parameter the document sets explicitly wins. */
export const alreadySent = (parts: RequestParts, scheme: SecurityScheme): boolean => {
  if (scheme.type !== "apiKey") return headerOf(parts, "authorization") !== undefined
  switch (scheme.in) {
    case "header":
      return headerOf(parts, scheme.name) !== undefined
    case "query": {
      const query = parts.url.includes("?") ? parts.url.slice(parts.url.indexOf("?") + 1) : ""
      return new URLSearchParams(query).has(scheme.name)
    }
    case "cookie":
      return (headerOf(parts, "cookie") ?? "").split(";").some((pair) => pair.trim().split("=")[0] === scheme.name)
  }
}

/**
 * Whether the step declares the parameter the scheme uses, with a value or not: a step that
 * declares it is typed as never missing a credential, so one left without a value at run time
 * is sent as it is (as before credentials existed), not failed.
 */
const declaredBy = (parameters: Parameters, scheme: SecurityScheme): boolean => {
  const has = (values: Readonly<Record<string, unknown>> | undefined, name: string, anyCase: boolean) =>
    values !== undefined &&
    Object.keys(values).some((k) => anyCase ? k.toLowerCase() === name.toLowerCase() : k === name)
  if (scheme.type !== "apiKey") return has(parameters.header, "authorization", true)
  return scheme.in === "header"
    ? has(parameters.header, scheme.name, true)
    : has(scheme.in === "query" ? parameters.query : parameters.cookie, scheme.name, false)
}

/** A scheme the request is sent with, and its credential. */
export interface Chosen<S> {
  readonly name: string
  readonly scheme: SecurityScheme
  readonly credential: StoredCredential<S>
  /** The scopes the operation asks for under this scheme. */
  readonly scopes: ReadonlyArray<string>
}

export type Plan<S> =
  | { readonly _tag: "Send"; readonly apply: ReadonlyArray<Chosen<S>> }
  /** No alternative can be met: the schemes of the first that lack a credential, and how many alternatives there are. */
  | { readonly _tag: "Missing"; readonly schemes: ReadonlyArray<string>; readonly alternatives: number }

/**
 * The credentials a request is sent with. An alternative the step satisfies by itself (it sends
 * the header, query or cookie) wins and nothing is added; otherwise the first alternative whose
 * every scheme is either sent by the step or has a credential. An operation that needs no
 * credential, or whose schemes generated code does not know, is sent as it is.
 */
export const planCredentials = <S>(
  security: ReadonlyArray<ReadonlyArray<string>>,
  schemes: SecuritySchemes | undefined,
  credentials: Readonly<Record<string, StoredCredential<S>>> | undefined,
  scopes: SecurityScopes | undefined,
  parts: RequestParts,
  /** The step's parameters as declared (see `declaredBy`). */
  parameters: Parameters = {}
): Plan<S> => {
  if (security.length === 0 || schemes === undefined) return { _tag: "Send", apply: [] }
  const own = (name: string) => Object.hasOwn(schemes, name) ? schemes[name] : undefined
  const given = (name: string) =>
    credentials !== undefined && Object.hasOwn(credentials, name) ? credentials[name] : undefined
  if (security.some((names) => names.every((n) => own(n) !== undefined && alreadySent(parts, own(n)!)))) {
    return { _tag: "Send", apply: [] }
  }
  for (const names of security) {
    const apply: Array<Chosen<S>> = []
    let ok = true
    for (const name of names) {
      const scheme = own(name)
      if (scheme !== undefined && alreadySent(parts, scheme)) continue
      const credential = given(name)
      if (scheme === undefined || !usable(scheme, credential)) {
        ok = false
        break
      }
      const asked = scopes !== undefined && Object.hasOwn(scopes, name) ? scopes[name]! : []
      apply.push({ name, scheme, credential: credential!, scopes: asked })
    }
    if (ok) return { _tag: "Send", apply }
  }
  if (security.some((names) => names.every((n) => own(n) !== undefined && declaredBy(parameters, own(n)!)))) {
    return { _tag: "Send", apply: [] }
  }
  const first = security[0]!
  return {
    _tag: "Missing",
    schemes: first.filter((n) => {
      const scheme = own(n)
      return scheme === undefined || (!alreadySent(parts, scheme) && !usable(scheme, given(n)))
    }),
    alternatives: security.length
  }
}

const base64 = (text: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const withHeader = (parts: RequestParts, name: string, value: string): RequestParts => {
  const headers: Record<string, string> = {}
  const lower = name.toLowerCase()
  for (const key of Object.keys(parts.headers)) if (key.toLowerCase() !== lower) headers[key] = parts.headers[key]!
  headers[name] = value
  return { ...parts, headers }
}

/**
 * The request with one credential applied; `token` is the access token fetched for an OAuth2
 * or OpenID Connect scheme. `reveal` unwraps the line's secret type, only here.
 */
export const applyCredential = <S>(
  parts: RequestParts,
  chosen: Chosen<S>,
  reveal: (secret: S) => string,
  token?: string
): RequestParts => {
  const { scheme, credential } = chosen
  switch (scheme.type) {
    case "apiKey": {
      const value = reveal(credential.value!)
      if (scheme.in === "header") return withHeader(parts, scheme.name, value)
      if (scheme.in === "query") {
        const pair = `${encodeURIComponent(scheme.name)}=${encodeURIComponent(value)}`
        return { ...parts, url: parts.url + (parts.url.includes("?") ? "&" : "?") + pair }
      }
      const cookie = headerOf(parts, "cookie")
      const pair = `${scheme.name}=${encodeURIComponent(value)}`
      return withHeader(parts, "cookie", cookie === undefined || cookie === "" ? pair : `${cookie}; ${pair}`)
    }
    case "http": {
      if (scheme.scheme === "basic") {
        const userPass = credential.value !== undefined
          ? reveal(credential.value)
          : `${reveal(credential.username!)}:${reveal(credential.password!)}`
        return withHeader(parts, "authorization", `Basic ${base64(userPass)}`)
      }
      const name = scheme.scheme === "bearer" ? "Bearer" : scheme.scheme
      return withHeader(parts, "authorization", `${name} ${reveal(credential.value!)}`)
    }
    case "oauth2":
    case "openIdConnect":
      return withHeader(parts, "authorization", `Bearer ${token ?? reveal(credential.value!)}`)
  }
}

/** The secret texts a credential puts on the wire, so the run redacts them wherever they appear. */
export const secretTexts = <S>(chosen: Chosen<S>, reveal: (secret: S) => string): Array<string> => {
  const { credential } = chosen
  const texts = CREDENTIAL_FIELDS.flatMap((f) => credential[f] === undefined ? [] : [reveal(credential[f]!)])
  if (chosen.scheme.type === "http" && chosen.scheme.scheme === "basic") {
    const userPass = credential.value !== undefined
      ? reveal(credential.value)
      : `${reveal(credential.username!)}:${reveal(credential.password!)}`
    texts.push(base64(userPass))
  }
  return texts
}

// OAuth2 tokens

/** Where a token request goes and what it says: a client-credentials or a refresh-token grant. */
export interface TokenRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * The token request for a scheme whose token endpoint is known: with a refresh token, the
 * refresh-token grant (to the refresh URL when the scheme has one); otherwise client
 * credentials. The client authenticates with HTTP basic (client_secret_basic), or sends only
 * its id when it has no secret (a public client).
 */
export const tokenRequest = <S>(
  endpoint: { readonly tokenUrl: string; readonly refreshUrl?: string | undefined },
  credential: StoredCredential<S>,
  scopes: ReadonlyArray<string>,
  reveal: (secret: S) => string,
  /** A refresh token the endpoint issued earlier (rotation), in place of the configured one. */
  refreshToken?: string
): TokenRequest => {
  const params = new URLSearchParams()
  const refresh = refreshToken ?? (credential.refreshToken === undefined ? undefined : reveal(credential.refreshToken))
  if (refresh !== undefined) {
    params.set("grant_type", "refresh_token")
    params.set("refresh_token", refresh)
  } else {
    params.set("grant_type", "client_credentials")
  }
  if (scopes.length > 0) params.set("scope", scopes.join(" "))
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json"
  }
  if (credential.clientId !== undefined) {
    const id = reveal(credential.clientId)
    if (credential.clientSecret !== undefined) {
      const secret = reveal(credential.clientSecret)
      headers["authorization"] = `Basic ${base64(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`
    } else {
      params.set("client_id", id)
    }
  }
  const url = refresh !== undefined && endpoint.refreshUrl !== undefined ? endpoint.refreshUrl : endpoint.tokenUrl
  return { url, headers, body: params.toString() }
}

/** A token or discovery URL of a scheme: relative ones are relative to the source's base URL (which `Servers` may move). */
export const resolveAgainst = (url: string, baseUrl: string): string | undefined => {
  try {
    return new URL(url, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).href
  } catch {
    return undefined
  }
}

/** A token as the cache keeps it. */
export interface Token {
  readonly accessToken: string
  /** Epoch milliseconds after which it is not used; `Infinity` when the endpoint gave no `expires_in`. */
  readonly expiresAt: number
  /** When it was obtained, for the margin before expiry. */
  readonly obtainedAt: number
  readonly refreshToken: string | undefined
}

/**
 * A token response read: the access token, its lifetime and a rotated refresh token. A failure
 * says the status and the OAuth2 `error` code only, never the body (it may echo a secret).
 */
export const readTokenResponse = (status: number, text: string, now: number): Token | { readonly error: string } => {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const fields = body !== null && typeof body === "object" && !Array.isArray(body)
    ? body as Record<string, unknown>
    : {}
  const code = typeof fields["error"] === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(fields["error"])
    ? ` (${fields["error"]})`
    : ""
  if (status < 200 || status >= 300) return { error: `the token endpoint answered ${status}${code}` }
  const accessToken = fields["access_token"]
  if (typeof accessToken !== "string" || accessToken === "") {
    return { error: `the token endpoint answered ${status} without an access_token${code}` }
  }
  const expiresIn = Number(fields["expires_in"])
  return {
    accessToken,
    expiresAt: fields["expires_in"] !== undefined && Number.isFinite(expiresIn) ? now + expiresIn * 1000 : Infinity,
    obtainedAt: now,
    refreshToken: typeof fields["refresh_token"] === "string" ? fields["refresh_token"] : undefined
  }
}

/** The `token_endpoint` of an OpenID Connect discovery document. */
export const readDiscovery = (status: number, text: string): string | { readonly error: string } => {
  if (status < 200 || status >= 300) return { error: `the discovery document answered ${status}` }
  try {
    const endpoint = (JSON.parse(text) as Record<string, unknown> | null)?.["token_endpoint"]
    if (typeof endpoint === "string" && /^https?:\/\//i.test(endpoint)) return endpoint
  } catch {
    // fall through
  }
  return { error: "the discovery document has no token_endpoint URL" }
}

/** How long before expiry a token is no longer used: 30 seconds, or a tenth of a shorter lifetime. */
const margin = (token: Token) => Math.min(30_000, (token.expiresAt - token.obtainedAt) / 10)

/**
 * Tokens by source, scheme and scopes, shared by every run that uses the same credentials. The
 * lines serialize fetches per key, so concurrent runs wait for one fetch and then find it here.
 */
export class TokenCache {
  private readonly tokens = new Map<string, Token>()
  /** Refresh tokens the endpoint rotated, by source and scheme (they outlive any one access token). */
  private readonly refreshTokens = new Map<string, string>()
  /** Token endpoints found in discovery documents, by URL. */
  readonly discovered = new Map<string, string>()
  /** Token requests made, by source and scheme: how well the cache works, for tests and tuning. */
  readonly fetches = new Map<string, number>()

  static key(source: string, scheme: string, scopes: ReadonlyArray<string>): string {
    return `${source}\u0000${scheme}\u0000${[...scopes].sort().join(" ")}`
  }

  /** The token for a key while it is not about to expire. */
  valid(key: string, now: number): Token | undefined {
    const token = this.tokens.get(key)
    if (token === undefined) return undefined
    if (now < token.expiresAt - margin(token)) return token
    this.tokens.delete(key)
    return undefined
  }

  store(key: string, source: string, scheme: string, token: Token): void {
    this.tokens.set(key, token)
    const counted = `${source}.${scheme}`
    this.fetches.set(counted, (this.fetches.get(counted) ?? 0) + 1)
    if (token.refreshToken !== undefined) this.refreshTokens.set(`${source}\u0000${scheme}`, token.refreshToken)
  }

  /** A refresh token the endpoint issued for this source and scheme, if any. */
  refreshToken(source: string, scheme: string): string | undefined {
    return this.refreshTokens.get(`${source}\u0000${scheme}`)
  }

  /** Drops a token the API refused, unless another run has already replaced it. */
  reject(key: string, accessToken: string): void {
    if (this.tokens.get(key)?.accessToken === accessToken) this.tokens.delete(key)
  }

  /** Token requests made so far for a source's scheme. */
  fetchesOf(source: string, scheme: string): number {
    return this.fetches.get(`${source}.${scheme}`) ?? 0
  }
}
