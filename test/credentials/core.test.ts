/**
 * The Effect-free rules both lines share (runtime/core/credentials.ts): which alternative of an
 * operation's security a request goes with, how each scheme is applied, the token request and
 * response, and when a cached token is no longer used.
 */
import { describe, expect, it } from "vitest"
import {
  applyCredential,
  credentialKey,
  planCredentials,
  readTokenResponse,
  TokenCache,
  tokenRequest
} from "../../runtime/core/credentials.js"
import type { RequestParts } from "../../runtime/core/request.js"

const schemes = {
  key: { type: "apiKey", in: "header", name: "X-API-Key" },
  query: { type: "apiKey", in: "query", name: "api_key" },
  bearer: { type: "http", scheme: "bearer" },
  oauth: { type: "oauth2", tokenUrl: "/token", refreshUrl: "/refresh" }
} as const

const id = (s: string) => s
const parts = (headers: Record<string, string> = {}, url = "http://h/x"): RequestParts => ({
  method: "GET",
  url,
  headers,
  body: undefined
})

describe("planCredentials", () => {
  it("an alternative the step sends itself wins, even when credentials are given for another", () => {
    const plan = planCredentials(
      [["key"], ["bearer"]],
      schemes,
      { key: { value: "k" } },
      undefined,
      parts({
        Authorization: "Bearer mine"
      })
    )
    expect(plan).toEqual({ _tag: "Send", apply: [] })
  })

  it("the first alternative with every credential is applied whole (AND), scopes attached", () => {
    const plan = planCredentials(
      [["key", "oauth"], ["bearer"]],
      schemes,
      { key: { value: "k" }, oauth: { clientId: "c" }, bearer: { value: "b" } },
      { oauth: ["read"] },
      parts()
    )
    expect(plan._tag === "Send" && plan.apply.map((c) => [c.name, c.scopes])).toEqual([["key", []], ["oauth", [
      "read"
    ]]])
  })

  it("missing: the first alternative's schemes without a credential, and how many alternatives", () => {
    expect(planCredentials([["key", "bearer"], ["query"]], schemes, { bearer: { value: "b" } }, undefined, parts()))
      .toEqual({ _tag: "Missing", schemes: ["key"], alternatives: 2 })
  })

  it("a declared parameter without a value at run time is sent as it is", () => {
    expect(planCredentials([["key"]], schemes, {}, undefined, parts(), { header: { "x-api-key": undefined } }))
      .toEqual({ _tag: "Send", apply: [] })
  })

  it("an operation without security, or a source without schemes, needs nothing", () => {
    expect(planCredentials([], schemes, {}, undefined, parts())).toEqual({ _tag: "Send", apply: [] })
    expect(planCredentials([["key"]], undefined, {}, undefined, parts())).toEqual({ _tag: "Send", apply: [] })
  })
})

describe("applyCredential", () => {
  const chosen = (name: keyof typeof schemes, credential: Record<string, string>) => ({
    name,
    scheme: schemes[name],
    credential,
    scopes: []
  })
  it("a query key is appended percent-encoded; a header replaces one of another case", () => {
    expect(applyCredential(parts({}, "http://h/x?a=1"), chosen("query", { value: "a b&c" }), id).url).toBe(
      "http://h/x?a=1&api_key=a%20b%26c"
    )
    expect(applyCredential(parts({ "x-api-key": "old" }), chosen("key", { value: "new" }), id).headers).toEqual({
      "X-API-Key": "new"
    })
  })

  it("basic encodes user:pass as UTF-8 base64", () => {
    const sent = applyCredential(parts(), {
      name: "b",
      scheme: { type: "http", scheme: "basic" },
      credential: { username: "ü", password: "p" },
      scopes: []
    }, id)
    expect(sent.headers["authorization"]).toBe(`Basic ${Buffer.from("ü:p").toString("base64")}`)
  })
})

describe("tokens", () => {
  it("client credentials authenticate with basic; a refresh token goes to the refresh URL", () => {
    const cc = tokenRequest({ tokenUrl: "http://h/token" }, { clientId: "id", clientSecret: "s" }, ["a", "b"], id)
    expect(cc.url).toBe("http://h/token")
    expect(cc.body).toBe("grant_type=client_credentials&scope=a+b")
    expect(cc.headers["authorization"]).toBe(`Basic ${Buffer.from("id:s").toString("base64")}`)
    const rt = tokenRequest(
      { tokenUrl: "http://h/token", refreshUrl: "http://h/refresh" },
      {
        clientId: "pub",
        refreshToken: "r1"
      },
      [],
      id,
      "r2"
    )
    expect(rt.url).toBe("http://h/refresh")
    expect(rt.body).toBe("grant_type=refresh_token&refresh_token=r2&client_id=pub")
  })

  it("a refused token response says the status and OAuth2 code, never the body", () => {
    const read = readTokenResponse(401, JSON.stringify({ error: "invalid_client", error_description: "secret xyz" }), 0)
    expect(read).toEqual({ error: "the token endpoint answered 401 (invalid_client)" })
  })

  it("a cached token is dropped 30 s before expiry, or a tenth of a shorter lifetime before", () => {
    const cache = new TokenCache()
    const key = TokenCache.key("s", "oauth", ["b", "a"])
    expect(key).toBe(TokenCache.key("s", "oauth", ["a", "b"]))
    const long = readTokenResponse(200, JSON.stringify({ access_token: "t", expires_in: 3600 }), 0)
    if ("error" in long) throw new Error(long.error)
    cache.store(key, "s", "oauth", long)
    expect(cache.valid(key, 3_569_999)?.accessToken).toBe("t")
    expect(cache.valid(key, 3_570_000)).toBeUndefined()
    const short = readTokenResponse(200, JSON.stringify({ access_token: "u", expires_in: 10 }), 0)
    if ("error" in short) throw new Error(short.error)
    cache.store(key, "s", "oauth", short)
    expect(cache.valid(key, 8_999)?.accessToken).toBe("u")
    expect(cache.valid(key, 9_000)).toBeUndefined()
    expect(cache.fetchesOf("s", "oauth")).toBe(2)
  })

  it("a token refused by the API is dropped only if no other run has replaced it", () => {
    const cache = new TokenCache()
    const token = { accessToken: "new", expiresAt: Infinity, obtainedAt: 0, refreshToken: undefined }
    cache.store("k", "s", "o", token)
    cache.reject("k", "old")
    expect(cache.valid("k", 1)?.accessToken).toBe("new")
    cache.reject("k", "new")
    expect(cache.valid("k", 1)).toBeUndefined()
  })
})

it("environment names: ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>[_<PART>]", () => {
  expect(credentialKey("civitaiOrchestrationApi", "BearerAuth")).toBe(
    "ARAZZO_CREDENTIAL_CIVITAI_ORCHESTRATION_API_BEARER_AUTH"
  )
  expect(credentialKey("pet-coupons", "petstore_auth", "clientSecret")).toBe(
    "ARAZZO_CREDENTIAL_PET_COUPONS_PETSTORE_AUTH_CLIENT_SECRET"
  )
})
