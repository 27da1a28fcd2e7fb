/**
 * `arazzo-effect run` with credentials: `--credential source.scheme[.part]=value` and the
 * `ARAZZO_CREDENTIAL_…` environment, against the vault server. No value is ever echoed.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { runCli } from "../cli/support.js"
import { SECRETS, startVault, type Vault } from "./vault-server.js"

const document = "test/fixtures/credentials/vault.arazzo.yaml"
const cache = mkdtempSync(path.join(tmpdir(), "arazzo-credentials-cli-"))

const servers: Array<Vault> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const run = async (workflow: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const server = await startVault({ expiresIn: 3600 })
  servers.push(server)
  const result = await runCli(["run", document, "--workflow", workflow, "--server", `vault=${server.url}`, ...args], {
    env: { ARAZZO_EFFECT_CACHE_DIR: cache, ...env }
  })
  const printed = `${result.stdout}\n${result.stderr}`
  for (const secret of [...Object.values(SECRETS), ...server.issued]) expect(printed).not.toContain(secret)
  return { ...result, server }
}

describe("run --credential and ARAZZO_CREDENTIAL_*", () => {
  it("--credential source.scheme=value gives a bearer token", async () => {
    const { code, stdout } = await run("bearer", ["--credential", `vault.bearerAuth=${SECRETS.bearer}`])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ who: "bearer" })
  }, 60_000)

  it("OAuth2 client credentials from parts, with the trace as NDJSON", async () => {
    const { code, stdout, stderr, server } = await run("client", [
      "--credential",
      `vault.clientCreds.clientId=${SECRETS.clientId}`,
      "--credential",
      `vault.clientCreds.clientSecret=${SECRETS.clientSecret}`,
      "--trace-json"
    ])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ who: "client" })
    expect(stderr).toContain("workflow.end")
    expect(server.grants).toEqual(["client_credentials vault:read"])
  }, 60_000)

  it("basic from ARAZZO_CREDENTIAL_VAULT_BASIC_AUTH_USERNAME / _PASSWORD", async () => {
    const { code, stdout } = await run("basic", [], {
      ARAZZO_CREDENTIAL_VAULT_BASIC_AUTH_USERNAME: SECRETS.username,
      ARAZZO_CREDENTIAL_VAULT_BASIC_AUTH_PASSWORD: SECRETS.password
    })
    expect(code).toBe(0)
    // The server answers with the username, a part of the credential: printed redacted.
    expect(JSON.parse(stdout)).toEqual({ who: "<redacted>" })
  }, 60_000)

  it("a missing credential: exit 1 with CredentialMissing saying how to give it, nothing sent", async () => {
    const { code, stderr, server } = await run("bearer", [])
    expect(code).toBe(1)
    expect(stderr).toContain("CredentialMissing")
    expect(stderr).toContain("ARAZZO_CREDENTIAL_VAULT_BEARER_AUTH")
    expect(server.requests).toEqual([])
  }, 60_000)

  it("an unknown scheme or a malformed option: exit 2, the value not echoed", async () => {
    const unknown = await run("bearer", ["--credential", `vault.nope=${SECRETS.bearer}`])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("source `vault` has no security scheme `nope`; its schemes: headerKey")
    const malformed = await run("bearer", ["--credential", SECRETS.bearer])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain("--credential takes source.scheme=value")
  }, 60_000)
})
