/**
 * How faithfully a generated workflow follows its OpenAPI description, over real HTTP
 * (specs/behaviour/account-overview.arazzo.yaml on accounts.openapi.yaml): required response
 * members typed present and checked at the step that receives them, members a schema does not
 * list kept (unless it forbids them), enums decoded open, integers checked, the step's own
 * Content-Type sent, absent optional items left out of a list, a 401 naming the security the
 * operation needs, a credential the API issues kept out of errors, and prototype-named members
 * and inputs read as plain data.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { IncomingMessage, ServerResponse } from "node:http"
import { accountOverview, type AccountOverviewInputs } from "../../generated/account-overview.js"
import { type Handler, misbehavingServer } from "../support/misbehaving-server.js"

const TOKEN = "tok-issued-by-the-api-7f3a"
const PASSWORD = "hunter2-password"

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(typeof body === "string" ? body : JSON.stringify(body))
}

const bodyOf = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks)))
  })

const account = {
  id: "acc-1",
  profile: { name: "Ada", nickname: "ada", pronouns: "she/her" },
  status: "active",
  balance: 12,
  tags: ["vip"],
  // A member the schema does not list: kept in the decoded profile, untyped.
  createdAt: "2026-01-01"
}

interface Received {
  avatar?: { readonly contentType: string | undefined; readonly bytes: Buffer }
  roles?: unknown
  accountUrl?: string | undefined
}

/** The accounts API, with any route overridden; records what the uploads and role changes carried. */
const accountsApi = (received: Received, overrides: Readonly<Record<string, Handler>> = {}) =>
  misbehavingServer({
    "POST /v2/sessions": (_req, res) => json(res, 201, { access_token: TOKEN, token_type: "bearer", expires_in: 3600 }),
    "GET /v2/accounts/acc-1": (req, res) => {
      received.accountUrl = req.url
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: "unauthorized" })
      json(res, 200, account)
    },
    "GET /v2/accounts/acc-1/settings": (_req, res) => json(res, 200, { theme: "dark", locale: "en", internal: "x" }),
    "PUT /v2/accounts/acc-1/avatar": (req, res) => {
      void bodyOf(req).then((bytes) => {
        received.avatar = { contentType: req.headers["content-type"], bytes }
        res.writeHead(204).end()
      })
    },
    "POST /v2/accounts/acc-1/roles": (req, res) => {
      void bodyOf(req).then((bytes) => {
        received.roles = JSON.parse(bytes.toString("utf8"))
        json(res, 200, { roles: ["reader"] })
      })
    },
    ...overrides
  })

const avatar = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255])
// The document has an input named `constructor`; TypeScript reads every object literal as having
// Object's `constructor`, so a literal without it needs the cast (the generated code reads it as
// an own property, see below).
const inputs = {
  username: "ada",
  password: PASSWORD,
  accountId: "acc-1",
  avatar,
  mimeType: "image/png",
  role: "reader"
} as AccountOverviewInputs

const run = (url: string, given: AccountOverviewInputs = inputs) =>
  accountOverview(given).pipe(
    Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, Arazzo.Servers.layer({ accounts: `${url}/v2` })))
  )

describe("fidelity to the OpenAPI description (account-overview)", () => {
  it.scopedLive("types required members as present, keeps unlisted ones, sends the step's Content-Type", () =>
    Effect.gen(function*() {
      const received: Received = {}
      const server = yield* accountsApi(received)
      const result = yield* run(server.url)
      expect(result._tag).toBe("Completed")
      if (result._tag !== "Completed") return
      // Required through $ref + allOf, and nested: present, typed without `undefined`.
      const id: string = result.outputs.accountId
      const name: string = result.outputs.name
      expect([id, name]).toEqual(["acc-1", "Ada"])
      // A member the Profile schema does not list is kept in the decoded value.
      expect(result.steps.readAccount?.profile).toEqual({ name: "Ada", nickname: "ada", pronouns: "she/her" })
      // Settings say `additionalProperties: false`: the unlisted member is dropped.
      expect(result.outputs.settings).toEqual({ theme: "dark", locale: "en" })
      // The avatar went as raw bytes with the Content-Type the step set (not application/octet-stream).
      expect(received.avatar?.contentType).toBe("image/png")
      expect(new Uint8Array(received.avatar!.bytes)).toEqual(avatar)
      // The optional second role was not given: left out, not sent as null.
      expect(received.roles).toEqual({ roles: ["reader"] })
      // An input named `constructor` that is not given sends nothing (not Object's constructor).
      expect(received.accountUrl).toBe("/v2/accounts/acc-1")
      expect(result.outputs.sessionToken).toBe(TOKEN) // the typed output keeps the credential
    }))

  it.scopedLive("a missing required member fails the step that received it, naming the pointer", () =>
    Effect.gen(function*() {
      const server = yield* accountsApi({}, {
        "GET /v2/accounts/acc-1": (_req, res) => json(res, 200, { id: "acc-1", status: "active", profile: {} })
      })
      const error = yield* Effect.flip(run(server.url))
      expect(error._tag).toBe("ResponseInvalid")
      if (error._tag !== "ResponseInvalid") return
      expect(error.stepId).toBe("readAccount")
      expect(error.output).toBe("name")
      expect(error.pointer).toBe("/profile/name")
      expect(error.reason).toBe("Output")
      expect(error.message).toContain("requires a value at /profile/name (expected string)")
      // Gathered so far, with the issued token redacted.
      expect(error.stepOutputs.signIn).toEqual({ accessToken: Arazzo.REDACTED, expiresIn: 3600 })
      for (const text of [error.message, JSON.stringify(error)]) expect(text).not.toContain(TOKEN)
    }))

  it.scopedLive("an enum value the API added decodes (open enums); a fractional integer does not", () =>
    Effect.gen(function*() {
      const added = yield* accountsApi({}, {
        "GET /v2/accounts/acc-1": (_req, res) => json(res, 200, { ...account, status: "frozen" })
      })
      const result = yield* run(added.url)
      expect(result.outputs.status).toBe("frozen")

      const fractional = yield* accountsApi({}, {
        "GET /v2/accounts/acc-1": (_req, res) => json(res, 200, { ...account, balance: 1.5 })
      })
      const error = yield* Effect.flip(run(fractional.url))
      expect(error).toMatchObject({ _tag: "ResponseInvalid", stepId: "readAccount", output: "balance" })
    }))

  it.scopedLive("a 401 names the security scheme the OpenAPI asks for; the password never appears", () =>
    Effect.gen(function*() {
      const server = yield* accountsApi({}, {
        "POST /v2/sessions": (_req, res) => json(res, 201, { access_token: "stale-token", expires_in: 1 })
      })
      const error = yield* Effect.flip(run(server.url))
      expect(error).toMatchObject({
        _tag: "StepFailed",
        stepId: "readAccount",
        status: 401,
        security: [["bearerAuth"]]
      })
      expect(error.message).toContain("the OpenAPI description secures this operation with `bearerAuth`")
      for (const text of [error.message, JSON.stringify(error)]) expect(text).not.toContain(PASSWORD)
    }))

  it.scopedLive("members named __proto__ or constructor in a body stay plain data", () =>
    Effect.gen(function*() {
      const hostile = `{"id":"acc-1","status":"active","profile":{"name":"Ada","__proto__":{"polluted":true},` +
        `"constructor":{"prototype":{"polluted":true}}}}`
      const server = yield* accountsApi({}, { "GET /v2/accounts/acc-1": (_req, res) => json(res, 200, hostile) })
      const result = yield* run(server.url)
      const profile = result.steps.readAccount?.profile as Record<string, unknown>
      expect(Object.getPrototypeOf(profile)).toBe(Object.prototype)
      expect((profile as { polluted?: unknown }).polluted).toBeUndefined()
      expect(Object.hasOwn(profile, "__proto__")).toBe(true)
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    }))

  it.scopedLive("an input named constructor, when given, is sent as given", () =>
    Effect.gen(function*() {
      const received: Received = {}
      const server = yield* accountsApi(received)
      yield* run(server.url, { ...inputs, constructor: "x y", extraRole: "writer" })
      expect(received.accountUrl).toBe("/v2/accounts/acc-1?constructor=x%20y")
      expect(received.roles).toEqual({ roles: ["reader", "writer"] })
    }))
})
