/**
 * Credentials from the OpenAPI's security schemes, end to end on both lines: the vault document
 * passes no credential, its server enforces each scheme, and `Arazzo.Credentials` supplies them.
 * Every secret (configured or issued) is checked to appear in no error, log line or span.
 */
import { HttpClient, HttpClientLive, HttpClientRequest, recordingTracer, withLogLines } from "#line"
import * as Arazzo from "#runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterEach, describe, expect, it } from "vitest"
import { vaultModule } from "./support.js"
import { SECRETS, startVault, type Vault, type VaultOptions } from "./vault-server.js"

const servers: Array<Vault> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})
const vault = async (options?: VaultOptions) => {
  const server = await startVault(options)
  servers.push(server)
  return server
}

type Given = Parameters<typeof Arazzo.Credentials.layer>[0]["vault"]

/** The layers a run needs: the live client, the vault's URL, and these credentials for it. */
const environment = (server: Vault, given: Given) =>
  Layer.mergeAll(
    HttpClientLive,
    Arazzo.Servers.layer({ vault: server.url }),
    Arazzo.Credentials.layer({ vault: given })
  )

const run = async (workflowId: string, server: Vault, given: Given, input: unknown = {}) => {
  const module = await vaultModule()
  return module[workflowId]!(input).pipe(Effect.provide(environment(server, given))) as Effect.Effect<any, any, never>
}

const succeeds = async (workflowId: string, server: Vault, given: Given, input?: unknown) => {
  const result = await Effect.runPromise(await run(workflowId, server, given, input))
  expect(result._tag).toBe("Completed")
  return result.outputs.who as string
}

const fails = async (workflowId: string, server: Vault, given: Given, input?: unknown) =>
  Effect.runPromise(Effect.flip(await run(workflowId, server, given, input)))

const everySecret = (server: Vault) => [...Object.values(SECRETS), ...server.issued]

const expectNoSecret = (server: Vault, texts: ReadonlyArray<string>) => {
  const all = texts.join("\n")
  for (const secret of everySecret(server)) expect(all).not.toContain(secret)
}

const oauth = { clientId: SECRETS.clientId, clientSecret: SECRETS.clientSecret }

describe("each scheme type, applied from Credentials to a document that passes none", () => {
  it("apiKey in a header, a query and a cookie", async () => {
    const server = await vault()
    expect(await succeeds("header", server, { headerKey: SECRETS.headerKey })).toBe("header")
    expect(await succeeds("query", server, { queryKey: SECRETS.queryKey })).toBe("query")
    expect(await succeeds("cookie", server, { cookieKey: SECRETS.cookieKey })).toBe("cookie")
    expect(server.requests.find((r) => r.path.startsWith("/query"))?.path).toBe(`/query?api_key=${SECRETS.queryKey}`)
  })

  it("http basic (username and password, or user:pass) and bearer", async () => {
    const server = await vault()
    const basic = { username: SECRETS.username, password: SECRETS.password }
    expect(await succeeds("basic", server, { basicAuth: basic })).toBe(SECRETS.username)
    expect(await succeeds("basic", server, { basicAuth: `${SECRETS.username}:${SECRETS.password}` })).toBe(
      SECRETS.username
    )
    expect(await succeeds("bearer", server, { bearerAuth: SECRETS.bearer })).toBe("bearer")
  })

  it("oauth2 client credentials: a token fetched from the token URL with the operation's scope", async () => {
    const server = await vault({ expiresIn: 3600 })
    expect(await succeeds("client", server, { clientCreds: oauth })).toBe("client")
    expect(server.grants).toEqual(["client_credentials vault:read"])
  })

  it("oauth2 refresh token: exchanged at the refresh URL, the rotated refresh token used next", async () => {
    // expires_in 0: every run needs a new token, so the second run must use the rotated refresh token.
    const server = await vault({ expiresIn: 0 })
    const module = await vaultModule()
    const layer = environment(server, { userLogin: { ...oauth, refreshToken: SECRETS.refreshToken } })
    const twice = Effect.zip(module["refresh"]!({}), module["refresh"]!({})).pipe(Effect.provide(layer))
    const [first, second] = await Effect.runPromise(twice as Effect.Effect<[any, any]>)
    expect([first.outputs.who, second.outputs.who]).toEqual(["refresh", "refresh"])
    expect(server.grants).toEqual(["refresh_token", "refresh_token"])
    expect(server.hits("/oauth/refresh")).toBe(2)
    expect(server.hits("/oauth/token")).toBe(0)
  })

  it("openIdConnect: the token endpoint found in the discovery document, which is read once", async () => {
    const server = await vault({ expiresIn: 0 })
    const module = await vaultModule()
    const layer = environment(server, { oidc: oauth })
    const twice = Effect.zip(module["oidc"]!({}), module["oidc"]!({})).pipe(Effect.provide(layer))
    await Effect.runPromise(twice as Effect.Effect<unknown>)
    expect(server.hits("/.well-known/openid-configuration")).toBe(1)
    expect(server.hits("/oauth/token")).toBe(2)
    expect(server.hits("/oidc")).toBe(2)
  })

  it("an access token given for an oauth2 scheme is sent as it is, without a token request", async () => {
    const server = await vault()
    const error = await fails("client", server, { clientCreds: "not-issued-token" })
    expect(error._tag).toBe("StepFailed")
    expect(error.status).toBe(401)
    expect(server.hits("/oauth/token")).toBe(0)
  })
})

describe("several schemes on one operation", () => {
  it("all schemes of a requirement are sent together (AND)", async () => {
    const server = await vault()
    expect(await succeeds("both", server, { headerKey: SECRETS.headerKey, bearerAuth: SECRETS.bearer })).toBe("both")
  })

  it("one scheme of the requirement missing is CredentialMissing naming it", async () => {
    const server = await vault()
    const error = await fails("both", server, { bearerAuth: SECRETS.bearer })
    expect(error._tag).toBe("CredentialMissing")
    expect(error.schemes.map((s: { scheme: string }) => s.scheme)).toEqual(["headerKey"])
    expect(server.hits("/both")).toBe(0)
  })

  it("alternatives (OR): the first one whose credentials are given is used", async () => {
    const server = await vault()
    expect(await succeeds("either", server, { queryKey: SECRETS.queryKey })).toBe("query")
    expect(await succeeds("either", server, { bearerAuth: SECRETS.bearer, queryKey: SECRETS.queryKey })).toBe("bearer")
    const sent = server.requests.filter((r) => r.path.startsWith("/either"))
    expect(sent.map((r) => r.path)).toEqual([`/either?api_key=${SECRETS.queryKey}`, "/either"])
  })
})

describe("what the step sends itself wins", () => {
  it("a header parameter set in the document is sent as set, the credential is not applied", async () => {
    const server = await vault()
    expect(await succeeds("explicit", server, { headerKey: "configured-but-wrong" }, { key: SECRETS.headerKey })).toBe(
      "header"
    )
    expect(server.requests.at(-1)?.headers["x-api-key"]).toBe(SECRETS.headerKey)
  })
})

describe("failures", () => {
  it("a missing credential is a typed error before the request is sent, saying how to provide it", async () => {
    const server = await vault()
    const error = await fails("bearer", server, {})
    expect(error._tag).toBe("CredentialMissing")
    expect(error.source).toBe("vault")
    expect(error.stepId).toBe("call")
    expect(error.message).toContain("`bearerAuth` (http bearer)")
    expect(error.message).toContain("ARAZZO_CREDENTIAL_VAULT_BEARER_AUTH")
    expect(error.message).toContain("--credential vault.bearerAuth=")
    expect(server.requests).toEqual([])
  })

  it("a source marked sentByClient is sent as the application's HTTP client signs it, with no CredentialMissing", async () => {
    const server = await vault()
    const signing = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(
        HttpClient.HttpClient,
        HttpClient.mapRequest(HttpClientRequest.setHeader("authorization", `Bearer ${SECRETS.bearer}`))
      )
    ).pipe(Layer.provide(HttpClientLive))
    const module = await vaultModule()
    const result = await Effect.runPromise(
      (module["bearer"]!({}) as Effect.Effect<any, any, any>).pipe(
        Effect.provide(Layer.mergeAll(
          signing,
          Arazzo.Servers.layer({ vault: server.url }),
          Arazzo.Credentials.sentByClient(["vault"])
        ))
      ) as Effect.Effect<any, any, never>
    )
    expect(result._tag).toBe("Completed")
    expect(result.outputs.who).toBe("bearer")
    // Without the mark the same client is not trusted to sign: the step is refused before sending.
    const refused = await Effect.runPromise(
      Effect.flip(
        (module["bearer"]!({}) as Effect.Effect<any, any, any>).pipe(
          Effect.provide(Layer.mergeAll(signing, Arazzo.Servers.layer({ vault: server.url })))
        ) as Effect.Effect<any, any, never>
      )
    )
    expect(refused._tag).toBe("CredentialMissing")
    expect(server.requests).toHaveLength(1)
  })

  it("a wrong secret is the API's 401 as StepFailed, no secret in it", async () => {
    const server = await vault()
    const error = await fails("bearer", server, { bearerAuth: `${SECRETS.bearer}-wrong` })
    expect(error._tag).toBe("StepFailed")
    expect(error.status).toBe(401)
    expect(error.message).toContain("`bearerAuth`")
    // The server echoes the Authorization header it saw; the body in the error has it redacted.
    const texts = [error.message, JSON.stringify(error), String(error)]
    expect(texts.join("\n")).not.toContain(`${SECRETS.bearer}-wrong`)
    expectNoSecret(server, texts)
  })

  it("a wrong client secret is TokenFailed with the OAuth2 error code only, and the API is not called", async () => {
    const server = await vault()
    const wrong = "client-secret-WRONG-77"
    const error = await fails("client", server, { clientCreds: { clientId: SECRETS.clientId, clientSecret: wrong } })
    expect(error._tag).toBe("TokenFailed")
    expect(error.scheme).toBe("clientCreds")
    expect(error.message).toContain("the token endpoint answered 401 (invalid_client)")
    const texts = [error.message, JSON.stringify(error)]
    expect(texts.join("\n")).not.toContain(wrong)
    expectNoSecret(server, texts)
    expect(server.hits("/client")).toBe(0)
  })
})

describe("the token cache", () => {
  it("a token the API refuses (expired on its side) is fetched again once and the request retried once", async () => {
    const server = await vault({ expiresIn: 3600 })
    const module = await vaultModule()
    const layer = environment(server, { clientCreds: oauth })
    const program = Effect.gen(function*() {
      const first = yield* module["client"]!({})
      server.revokeAll()
      const second = yield* module["client"]!({})
      return [first.outputs.who, second.outputs.who]
    }).pipe(Effect.provide(layer))
    expect(await Effect.runPromise(program as Effect.Effect<Array<string>>)).toEqual(["client", "client"])
    expect(server.grants).toEqual(["client_credentials vault:read", "client_credentials vault:read"])
    expect(server.hits("/client")).toBe(3)
  })

  it("a token refused again after the refresh is the step's 401, with no further fetch", async () => {
    const server = await vault({ expiresIn: 3600 })
    const module = await vaultModule()
    const layer = environment(server, { clientCreds: oauth })
    const program = Effect.gen(function*() {
      yield* module["client"]!({})
      server.refuseTokens()
      return yield* Effect.flip(module["client"]!({}))
    }).pipe(Effect.provide(layer))
    const error = await Effect.runPromise(program as Effect.Effect<any>)
    expect(error._tag).toBe("StepFailed")
    expect(error.status).toBe(401)
    expect(server.grants).toHaveLength(2)
    expect(server.hits("/client")).toBe(3)
  })

  it("tokens are kept until shortly before expiry: expires_in 3600 is fetched once, expires_in 0 every run", async () => {
    for (const [expiresIn, fetches] of [[3600, 1], [0, 3]] as const) {
      const server = await vault({ expiresIn })
      const module = await vaultModule()
      const three = Effect.all([module["client"]!({}), module["client"]!({}), module["client"]!({})]).pipe(
        Effect.provide(environment(server, { clientCreds: oauth }))
      )
      await Effect.runPromise(three as Effect.Effect<unknown>)
      expect(server.grants.length).toBe(fetches)
    }
  })

  it("50 concurrent runs share one token fetch", async () => {
    const server = await vault({ expiresIn: 3600, tokenDelayMs: 50 })
    const module = await vaultModule()
    const runs = Effect.all(Array.from({ length: 50 }, () => module["client"]!({})), { concurrency: "unbounded" })
    const results = await Effect.runPromise(
      runs.pipe(Effect.provide(environment(server, { clientCreds: oauth }))) as Effect.Effect<Array<any>>
    )
    expect(results.filter((r) => r.outputs.who === "client")).toHaveLength(50)
    expect(server.hits("/client")).toBe(50)
    expect(server.hits("/oauth/token")).toBe(1)
  })
})

describe("no secret in any output", () => {
  it("spans and log lines of successful and failed runs hold no configured or issued secret", async () => {
    const server = await vault({ expiresIn: 3600 })
    const { spans, tracer } = recordingTracer()
    const logged: Array<string> = []
    const module = await vaultModule()
    const given: Given = {
      headerKey: SECRETS.headerKey,
      queryKey: SECRETS.queryKey,
      cookieKey: SECRETS.cookieKey,
      basicAuth: { username: SECRETS.username, password: SECRETS.password },
      bearerAuth: SECRETS.bearer,
      clientCreds: oauth,
      userLogin: { ...oauth, refreshToken: SECRETS.refreshToken },
      oidc: oauth
    }
    const all = ["header", "query", "cookie", "basic", "bearer", "client", "refresh", "oidc", "both", "either"]
    const program = Effect.gen(function*() {
      for (const id of all) yield* module[id]!({})
      // And failures: a wrong secret (the server echoes what it saw) and a wrong client secret.
      const refused = yield* Effect.flip(module["bearer"]!({})).pipe(
        Effect.provide(Arazzo.Credentials.layer({ vault: { bearerAuth: `${SECRETS.bearer}-x` } }))
      )
      yield* Effect.logError("workflow failed", refused)
      const noToken = yield* Effect.flip(module["oidc"]!({})).pipe(
        Effect.provide(Arazzo.Credentials.layer({ vault: { oidc: { ...oauth, clientSecret: "nope-nope" } } }))
      )
      yield* Effect.logError("workflow failed", noToken)
    }).pipe(
      Effect.provide(environment(server, given)),
      Effect.withTracer(tracer),
      withLogLines((line) => logged.push(line))
    )
    await Effect.runPromise(program as Effect.Effect<void>)
    expect(server.issued.length).toBeGreaterThanOrEqual(3)
    const spanText = JSON.stringify(spans.map((s) => [s.name, [...s.attributes], s.events]))
    expect(spanText).toContain("arazzo.step call")
    expect(logged.join("\n")).toContain("TokenFailed")
    expectNoSecret(server, [spanText, logged.join("\n")])
    // Token requests leave no client span: only the API's requests are traced.
    expect(spanText).not.toContain("/oauth/token")
  })
})
