/**
 * Credentials for the security schemes of source descriptions, provided by a `Layer` like
 * `Servers`: by source name and scheme name, in code (`Credentials.layer`) or from `Config`
 * (`Credentials.layerConfig`). Values are kept `Redacted` and unwrapped only on the request.
 * OAuth2 and OpenID Connect tokens are fetched here, cached per scope in the layer's
 * `TokenCache`, one fetch per key at a time (runtime/core/credentials.ts has the rules).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  type Chosen,
  CREDENTIAL_FIELDS,
  credentialKey,
  fieldsFor,
  readDiscovery,
  readTokenResponse,
  resolveAgainst,
  type SecurityScheme,
  type SecuritySchemes,
  type StoredCredential,
  TokenCache,
  tokenRequest
} from "../../core/credentials.js"
import { readBody } from "./read-body.js"
import type { Source } from "./servers.js"

/** A secret as callers give it: plain text, or `Redacted` (as `Config.redacted` reads it). */
export type Secret = string | Redacted.Redacted<string>

/** OAuth2 / OpenID Connect: client credentials, a refresh token, or an access token to use as it is. */
export interface OAuthCredential {
  readonly clientId?: Secret
  readonly clientSecret?: Secret
  readonly refreshToken?: Secret
  readonly accessToken?: Secret
}

/** What a scheme takes: the value for apiKey and bearer; `user:pass` or both parts for basic; OAuth2 credentials. */
export type CredentialFor<S> = S extends { readonly type: "apiKey" } ? Secret
  : S extends { readonly type: "http"; readonly scheme: "basic" } ?
    Secret | { readonly username: Secret; readonly password: Secret }
  : S extends { readonly type: "http" } ? Secret
  : Secret | OAuthCredential

/** The credentials of one source, typed by its schemes: `Credentials.forSource(petstore, { bearerAuth: token })`. */
export type CredentialsFor<Schemes extends SecuritySchemes> = {
  readonly [K in keyof Schemes]?: CredentialFor<Schemes[K]>
}

/** Any scheme's credential, for `Credentials.layer` keyed by names. */
export type CredentialInput =
  | Secret
  | { readonly username: Secret; readonly password: Secret }
  | OAuthCredential

type Stored = StoredCredential<Redacted.Redacted<string>>

/** The credentials in force and the tokens fetched with them. */
export interface CredentialStore {
  readonly credentials: Readonly<Record<string, Readonly<Record<string, Stored>>>>
  readonly cache: TokenCache
  /** One lock per cache key: concurrent runs wait for one token fetch. */
  /** Sources whose credentials the HTTP client layer adds itself: the runtime neither checks nor applies them. */
  readonly sentByClient: ReadonlySet<string>
  readonly locks: Map<string, Effect.Semaphore>
}

const emptyStore = (): CredentialStore => ({
  credentials: {},
  sentByClient: new Set(),
  cache: new TokenCache(),
  locks: new Map()
})

const secret = (value: Secret): Redacted.Redacted<string> => Redacted.isRedacted(value) ? value : Redacted.make(value)

const stored = (input: CredentialInput): Stored => {
  if (typeof input === "string" || Redacted.isRedacted(input)) return { value: secret(input) }
  if ("username" in input) return { username: secret(input.username), password: secret(input.password) }
  const out: { -readonly [K in keyof Stored]: Stored[K] } = {}
  if (input.accessToken !== undefined) out.value = secret(input.accessToken)
  if (input.clientId !== undefined) out.clientId = secret(input.clientId)
  if (input.clientSecret !== undefined) out.clientSecret = secret(input.clientSecret)
  if (input.refreshToken !== undefined) out.refreshToken = secret(input.refreshToken)
  return out
}

/** Merges credentials onto those in force; the token cache starts afresh (tokens belong to credentials). */
const merged = (current: CredentialStore, added: Readonly<Record<string, Readonly<Record<string, Stored>>>>) => {
  const credentials: Record<string, Record<string, Stored>> = {}
  for (const [source, schemes] of [...Object.entries(current.credentials), ...Object.entries(added)]) {
    credentials[source] = { ...credentials[source], ...schemes }
  }
  return { ...emptyStore(), credentials, sentByClient: current.sentByClient }
}

/** Credentials by source and scheme name. Empty by default: operations that need one fail with `CredentialMissing`. */
export class Credentials extends Context.Reference<Credentials>()("arazzo-effect/Credentials", {
  defaultValue: emptyStore
}) {
  /**
   * Credentials by source name and scheme name, e.g.
   * `Credentials.layer({ civitaiOrchestrationApi: { bearerAuth: Redacted.make(token) } })`.
   */
  static layer(
    credentials: Readonly<Record<string, Readonly<Record<string, CredentialInput>>>>
  ): Layer.Layer<Credentials> {
    const added = Object.fromEntries(
      Object.entries(credentials).map(([source, schemes]) => [
        source,
        Object.fromEntries(Object.entries(schemes).map(([name, input]) => [name, stored(input)]))
      ])
    )
    return Layer.effect(Credentials, Effect.map(Credentials, (current) => merged(current, added)))
  }

  /**
   * Sources whose credentials the application's HTTP client adds (`HttpClient.mapRequest`, a
   * signing proxy): their steps are sent as they are, with no `CredentialMissing` check.
   */
  static sentByClient(sources: ReadonlyArray<Source | string>): Layer.Layer<Credentials> {
    const names = sources.map((source) => typeof source === "string" ? source : source.name)
    return Layer.effect(
      Credentials,
      Effect.map(Credentials, (current) => ({ ...current, sentByClient: new Set([...current.sentByClient, ...names]) }))
    )
  }

  /** The credentials of one generated source, typed by its security schemes. */
  static forSource<Schemes extends SecuritySchemes>(
    source: Source<Schemes>,
    credentials: CredentialsFor<Schemes>
  ): Layer.Layer<Credentials> {
    const given = Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== undefined))
    return Credentials.layer({ [source.name]: given as Record<string, CredentialInput> })
  }

  /**
   * Reads credentials from `Config` (by default the environment) as `Redacted`: for source
   * `petstore` and scheme `bearerAuth` the key is `ARAZZO_CREDENTIAL_PETSTORE_BEARER_AUTH`; basic
   * also reads `…_USERNAME` / `…_PASSWORD`, OAuth2 and OpenID Connect `…_CLIENT_ID`,
   * `…_CLIENT_SECRET` and `…_REFRESH_TOKEN` (see `Arazzo.credentialKey`). Missing keys are no error.
   */
  static layerConfig(sources: ReadonlyArray<Source>): Layer.Layer<Credentials, ConfigError.ConfigError> {
    return Layer.effect(
      Credentials,
      Effect.gen(function*() {
        const current = yield* Credentials
        const found: Record<string, Record<string, Stored>> = {}
        for (const source of sources) {
          for (const [name, scheme] of Object.entries(source.securitySchemes)) {
            const credential: Record<string, Redacted.Redacted<string>> = {}
            for (const field of fieldsFor(scheme)) {
              const value = yield* Config.option(Config.redacted(credentialKey(source.name, name, field)))
              if (Option.isSome(value)) credential[field] = value.value
            }
            if (Object.keys(credential).length > 0) (found[source.name] ??= {})[name] = credential
          }
        }
        return merged(current, found)
      })
    )
  }
}

/** `source.scheme[.field]=value` pairs (the CLI's `--credential`) as credentials: the field defaults to the value. */
export const fromPairs = (
  pairs: ReadonlyArray<
    { readonly source: string; readonly scheme: string; readonly field: string; readonly value: string }
  >
): Readonly<Record<string, Readonly<Record<string, CredentialInput>>>> => {
  const out: Record<string, Record<string, Record<string, Redacted.Redacted<string>>>> = {}
  for (const { source, scheme, field, value } of pairs) {
    const key = (CREDENTIAL_FIELDS as ReadonlyArray<string>).includes(field) ? field : "value"
    ;((out[source] ??= {})[scheme] ??= {})[key === "value" ? "accessToken" : key] = Redacted.make(value)
  }
  // A value alone is the scheme's whole credential (an API key, a token, `user:pass`).
  return Object.fromEntries(
    Object.entries(out).map(([source, schemes]) => [
      source,
      Object.fromEntries(
        Object.entries(schemes).map(([scheme, parts]) => {
          const keys = Object.keys(parts)
          return [scheme, keys.length === 1 && keys[0] === "accessToken" ? parts["accessToken"]! : parts]
        })
      )
    ])
  )
}

export const reveal = (value: Redacted.Redacted<string>): string => Redacted.value(value)

/** Why no token could be had; the run makes it a `TokenFailed` for its step. */
export interface TokenProblem {
  readonly detail: string
}

const TOKEN_MAX_BYTES = 1024 * 1024

/** A GET or POST whose answer is read whole (bounded), never shown: only its status and text go back. */
const exchangeText = (client: HttpClient.HttpClient, request: HttpClientRequest.HttpClientRequest, what: string) =>
  Effect.flatMap(
    Effect.mapError(client.execute(request), (): TokenProblem => ({ detail: `${what} could not be reached` })),
    (response) =>
      Effect.map(
        Effect.mapError(
          readBody(response, TOKEN_MAX_BYTES),
          (): TokenProblem => ({ detail: `${what}: unreadable answer` })
        ),
        (bytes) => ({ status: response.status, text: new TextDecoder().decode(bytes) })
      )
  )

const tokenEndpoint = (
  store: CredentialStore,
  client: HttpClient.HttpClient,
  scheme: SecurityScheme,
  baseUrl: string
): Effect.Effect<{ readonly tokenUrl: string; readonly refreshUrl?: string | undefined }, TokenProblem> => {
  if (scheme.type === "oauth2") {
    const tokenUrl = scheme.tokenUrl === undefined ? undefined : resolveAgainst(scheme.tokenUrl, baseUrl)
    const refreshUrl = scheme.refreshUrl === undefined ? undefined : resolveAgainst(scheme.refreshUrl, baseUrl)
    return tokenUrl === undefined
      ? Effect.fail({ detail: "the OAuth2 scheme has no usable token URL: give an access token instead" })
      : Effect.succeed({ tokenUrl, refreshUrl })
  }
  if (scheme.type !== "openIdConnect") return Effect.fail({ detail: `a ${scheme.type} scheme has no token endpoint` })
  const url = resolveAgainst(scheme.openIdConnectUrl, baseUrl)
  if (url === undefined) return Effect.fail({ detail: "the OpenID Connect URL is not a URL" })
  const known = store.cache.discovered.get(url)
  if (known !== undefined) return Effect.succeed({ tokenUrl: known })
  return Effect.flatMap(
    exchangeText(
      client,
      HttpClientRequest.get(url, { headers: { accept: "application/json" } }),
      "the discovery document"
    ),
    ({ status, text }) => {
      const endpoint = readDiscovery(status, text)
      if (typeof endpoint !== "string") return Effect.fail({ detail: endpoint.error })
      store.cache.discovered.set(url, endpoint)
      return Effect.succeed({ tokenUrl: endpoint })
    }
  )
}

const lockFor = (store: CredentialStore, key: string): Effect.Semaphore => {
  let lock = store.locks.get(key)
  if (lock === undefined) store.locks.set(key, lock = Effect.unsafeMakeSemaphore(1))
  return lock
}

/**
 * The access token for a chosen OAuth2 / OpenID Connect scheme: from the cache while it is not
 * about to expire, else fetched (one fetch per key at a time; those waiting find it cached).
 * `rejected`: the token the API just refused with a 401, dropped first so a new one is fetched.
 */
export const accessToken = (
  store: CredentialStore,
  /** A client without spans: token requests never appear in traces. */
  client: HttpClient.HttpClient,
  source: string,
  /** The source's base URL in force, against which relative token URLs resolve. */
  baseUrl: string,
  chosen: Chosen<Redacted.Redacted<string>>,
  rejected?: string
): Effect.Effect<string, TokenProblem> => {
  const key = TokenCache.key(source, chosen.name, chosen.scopes)
  const fetch = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    if (rejected !== undefined) store.cache.reject(key, rejected)
    const cached = store.cache.valid(key, now)
    if (cached !== undefined) return cached.accessToken
    const endpoint = yield* tokenEndpoint(store, client, chosen.scheme, baseUrl)
    const rotated = store.cache.refreshToken(source, chosen.name)
    const request = tokenRequest(endpoint, chosen.credential, chosen.scopes, reveal, rotated)
    const answer = yield* exchangeText(
      client,
      HttpClientRequest.post(request.url, { headers: request.headers }).pipe(
        HttpClientRequest.bodyText(request.body, "application/x-www-form-urlencoded")
      ),
      "the token endpoint"
    )
    const token = readTokenResponse(answer.status, answer.text, yield* Clock.currentTimeMillis)
    if ("error" in token) return yield* Effect.fail<TokenProblem>({ detail: token.error })
    store.cache.store(key, source, chosen.name, token)
    yield* Effect.logDebug(`token fetched for scheme ${source}.${chosen.name}`)
    return token.accessToken
  })
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const cached = rejected === undefined ? store.cache.valid(key, now) : undefined
    return cached !== undefined ? Effect.succeed(cached.accessToken) : lockFor(store, key).withPermits(1)(fetch)
  })
}
