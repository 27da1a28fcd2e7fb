/**
 * `check` compares each step with the OpenAPI operation it calls: statuses its criteria expect,
 * the credentials its security asks for, and a
 * Content-Type header against the body. Warnings,
 * each at the text it is about (documents in test/fixtures/openapi-checks).
 */
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"

const fixtures = path.resolve(import.meta.dirname, "../fixtures/openapi-checks")
const CODES = new Set(["undeclared-status", "security-not-sent", "content-type-conflict"])

const findings = async (file: string) =>
  (await checkDocument(path.join(fixtures, file)))
    .filter((d) => CODES.has(d.code))
    .map((d) => ({ at: `${d.line}:${d.column}`, severity: d.severity, code: d.code, message: d.message }))

describe("check: the document against its OpenAPI", () => {
  it("warns, with position, where a step disagrees with the operation it calls", async () => {
    expect(await findings("mismatches.arazzo.yaml")).toEqual([
      {
        at: "18:9",
        severity: "warning",
        code: "security-not-sent",
        message:
          "GET /orders/{orderId} requires `storeKey` (an API key in header `X-Store-Key`), which this step does not send (other steps do); at run time it comes from `Arazzo.Credentials` (or `run --credential`), else the step fails with CredentialMissing before sending; or add it as a parameter"
      },
      {
        at: "23:24",
        severity: "warning",
        code: "undeclared-status",
        message:
          "GET /orders/{orderId} declares no 201 response (it declares `200`, `404`); this criterion can never hold as the OpenAPI describes the operation"
      },
      {
        at: "24:9",
        severity: "warning",
        code: "security-not-sent",
        message:
          "POST /orders requires `bearer` (http: an `Authorization` header), or `sessionCookie` (an API key in cookie `session`) and `storeKey` (an API key in header `X-Store-Key`), which this step does not send (other steps do); at run time it comes from `Arazzo.Credentials` (or `run --credential`), else the step fails with CredentialMissing before sending; or add it as a parameter"
      },
      {
        at: "29:54",
        severity: "warning",
        code: "content-type-conflict",
        message:
          "the step sends `Content-Type: text/plain`, but its body is `application/json`; the header is sent as the step says, the body is encoded as `application/json`"
      }
    ])
  })

  it("says nothing when the step matches: NXX responses, inherited and reusable credentials, `Authorization`, a charset", async () => {
    // `2XX` admits 201 and 202; a header named in another case is the same header; an apiKey
    // from a workflow-level `$components` parameter counts; a charset parameter does not make a
    // media type another. (In mismatches.arazzo.yaml, `default` admits 204, `image/*` admits
    // `image/png` and `security: [{}]` needs nothing: the exact list above has none of them.)
    expect(await findings("agreements.arazzo.yaml")).toEqual([])
    expect((await checkDocument(path.join(fixtures, "agreements.arazzo.yaml"))).filter((d) => d.severity === "error"))
      .toEqual([])
  })

  it("a document that sends a scheme's credential nowhere: each step is warned, naming the client layer as the other way", async () => {
    const found = await findings("client-credentials.arazzo.yaml")
    expect(found.length).toBeGreaterThan(0)
    for (const finding of found) {
      expect(finding.code).toBe("security-not-sent")
      expect(finding.message).not.toContain("other steps do")
      expect(finding.message).toContain("at run time it comes from `Arazzo.Credentials` (or `run --credential`)")
    }
    expect(found.map((f) => f.at)).toEqual(["12:9", "16:9"])
  })

  it("the warnings do not stop generation", async () => {
    const diagnostics = await checkDocument(path.join(fixtures, "mismatches.arazzo.yaml"))
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([])
  })
})
