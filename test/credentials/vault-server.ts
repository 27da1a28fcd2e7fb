/**
 * A 127.0.0.1 server that enforces every security scheme of
 * test/fixtures/credentials/vault.openapi.yaml, with a small OAuth2 token endpoint
 * (client credentials and refresh-token grants, client authenticated with HTTP basic), an
 * OpenID Connect discovery document, and counts of everything it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** The secrets the server accepts. Tests assert none of them appears in any output. */
export const SECRETS = {
  headerKey: "hdr-key-7f3a9c21",
  queryKey: "qry-key-5b8e0d44",
  cookieKey: "cookie-key-2c6f1a93",
  username: "vault-user",
  password: "pa55-w0rd-e81b",
  bearer: "bearer-tok-9d2e4f70",
  clientId: "vault-client",
  clientSecret: "client-secret-4a7c1e",
  refreshToken: "refresh-tok-0b5d3f88"
} as const

export interface VaultOptions {
  /** `expires_in` of issued tokens, in seconds; absent: none is sent. */
  readonly expiresIn?: number
  /** Milliseconds the token endpoint waits before answering (to make concurrent runs overlap). */
  readonly tokenDelayMs?: number
}

export interface Vault {
  readonly url: string
  /** Requests to each path, token and discovery requests included (`/oauth/token`, …). */
  readonly hits: (path: string) => number
  /** Every request line with its headers, as received: what tests search for leaked secrets. */
  readonly requests: ReadonlyArray<{ readonly path: string; readonly headers: Record<string, unknown> }>
  /** The grants the token endpoint served, in order, each with the scope asked for (`client_credentials vault:read`). */
  readonly grants: ReadonlyArray<string>
  /** Tokens issued (every one a secret of the run). */
  readonly issued: ReadonlyArray<string>
  /** Makes every token issued so far invalid, as expiry on the server's side would. */
  readonly revokeAll: () => void
  /** From now on refuses every issued token, new ones too (a token the API keeps refusing). */
  readonly refuseTokens: () => void
  readonly close: () => Promise<void>
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const basicOf = (header: string | undefined): [string, string] | undefined => {
  if (header === undefined || !header.startsWith("Basic ")) return undefined
  const text = Buffer.from(header.slice(6), "base64").toString("utf8")
  const colon = text.indexOf(":")
  return colon < 0 ? undefined : [decodeURIComponent(text.slice(0, colon)), decodeURIComponent(text.slice(colon + 1))]
}

const cookieOf = (header: string | undefined, name: string) =>
  (header ?? "").split(";").map((p) => p.trim().split("=")).find(([k]) => k === name)?.[1]

export const startVault = (options: VaultOptions = {}): Promise<Vault> => {
  const counts = new Map<string, number>()
  const requests: Array<{ path: string; headers: Record<string, unknown> }> = []
  const grants: Array<string> = []
  const issued: Array<string> = []
  const valid = new Set<string>()
  let rotated: string = SECRETS.refreshToken
  let refusing = false
  let base = ""
  const issue = (res: ServerResponse, withRefresh: boolean) => {
    const token = `issued-${issued.length + 1}-${Math.random().toString(36).slice(2, 10)}`
    issued.push(token)
    valid.add(token)
    const body: Record<string, unknown> = { access_token: token, token_type: "Bearer" }
    if (options.expiresIn !== undefined) body["expires_in"] = options.expiresIn
    if (withRefresh) {
      rotated = `rotated-${issued.length}-${Math.random().toString(36).slice(2, 10)}`
      body["refresh_token"] = rotated
    }
    setTimeout(() => json(res, 200, body), options.tokenDelayMs ?? 0)
  }
  const token = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const form = new URLSearchParams(body)
    const grant = form.get("grant_type") ?? ""
    const scope = form.get("scope")
    grants.push(scope === null ? grant : `${grant} ${scope}`)
    const client = basicOf(req.headers.authorization)
    if (client?.[0] !== SECRETS.clientId || client[1] !== SECRETS.clientSecret) {
      // Echoes what it got, as careless servers do: the runtime must not show it.
      return json(res, 401, { error: "invalid_client", error_description: `bad secret ${client?.[1]}` })
    }
    if (grant === "client_credentials") {
      if (scope !== null && scope !== "vault:read") return json(res, 400, { error: "invalid_scope" })
      return issue(res, false)
    }
    if (grant === "refresh_token" && form.get("refresh_token") === rotated) return issue(res, true)
    return json(res, 400, { error: "invalid_grant" })
  }
  const bearerOk = (req: IncomingMessage, accept: (token: string) => boolean) => {
    const header = req.headers.authorization ?? ""
    return header.startsWith("Bearer ") && accept(header.slice(7))
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const path = url.pathname
      counts.set(path, (counts.get(path) ?? 0) + 1)
      requests.push({ path: req.url ?? "/", headers: { ...req.headers } })
      const body = Buffer.concat(chunks).toString("utf8")
      const headerKey = req.headers["x-api-key"] === SECRETS.headerKey
      const queryKey = url.searchParams.get("api_key") === SECRETS.queryKey
      const bearer = bearerOk(req, (t) => t === SECRETS.bearer)
      const issuedToken = bearerOk(req, (t) => !refusing && valid.has(t))
      const ok = (who: string) => json(res, 200, { who })
      const refuse = () => json(res, 401, { error: "unauthorized", saw: req.headers.authorization ?? null })
      switch (path) {
        case "/oauth/token":
        case "/oauth/refresh":
          if (req.method !== "POST") return json(res, 405, {})
          if (path === "/oauth/refresh" && new URLSearchParams(body).get("grant_type") !== "refresh_token") {
            return json(res, 400, { error: "unsupported_grant_type" })
          }
          return token(req, res, body)
        case "/.well-known/openid-configuration":
          return json(res, 200, { issuer: base, token_endpoint: `${base}/oauth/token` })
        case "/header":
        case "/explicit":
          return headerKey ? ok("header") : refuse()
        case "/query":
          return queryKey ? ok("query") : refuse()
        case "/cookie":
          return cookieOf(req.headers.cookie, "session") === SECRETS.cookieKey ? ok("cookie") : refuse()
        case "/basic": {
          const pair = basicOf(req.headers.authorization)
          return pair?.[0] === SECRETS.username && pair[1] === SECRETS.password ? ok(pair[0]) : refuse()
        }
        case "/bearer":
          return bearer ? ok("bearer") : refuse()
        case "/client":
        case "/refresh":
        case "/oidc":
          return issuedToken ? ok(path.slice(1)) : refuse()
        case "/both":
          return headerKey && bearer ? ok("both") : refuse()
        case "/either":
          return bearer ? ok("bearer") : queryKey ? ok("query") : refuse()
        default:
          return json(res, 404, {})
      }
    })
  })
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve({
        url: base,
        hits: (p) => counts.get(p) ?? 0,
        requests,
        grants,
        issued,
        revokeAll: () => valid.clear(),
        refuseTokens: () => {
          refusing = true
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}
