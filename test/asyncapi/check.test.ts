/**
 * AsyncAPI sources and message steps as `check` and `generate` see them: what a bad AsyncAPI
 * description or message step is told, at which file:line:col, and the IR a good one lowers to.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { analyzeDocument, checkDocument } from "../../generator/check.js"
import type { Diagnostic } from "../../generator/diagnostics.js"

const root = path.resolve(import.meta.dirname, "../..")
const fixtures = path.join(root, "test/asyncapi/fixtures")
const orders = readFileSync(path.join(fixtures, "orders.asyncapi.yaml"), "utf8")

const at = (d: Diagnostic) => `${d.code} ${path.basename(d.file)}:${d.line}:${d.column}`

/** Writes an Arazzo document with these steps beside an AsyncAPI description; returns the document's path. */
const project = (steps: string, asyncapi = orders, extraSources = ""): string => {
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-asyncapi-"))
  writeFileSync(path.join(dir, "orders.asyncapi.yaml"), asyncapi)
  const file = path.join(dir, "doc.arazzo.yaml")
  writeFileSync(
    file,
    `arazzo: 1.1.0\ninfo: {title: t, version: "1"}\nsourceDescriptions:\n  - {name: orders, url: ./orders.asyncapi.yaml, type: asyncapi}\n${extraSources}workflows:\n  - workflowId: w\n    inputs: {type: object, properties: {id: {type: string}}}\n    steps:\n${steps}`
  )
  return file
}

const errors = async (file: string) =>
  (await analyzeDocument(file, { cwd: root })).diagnostics.filter((d) => d.severity === "error").map(at)

const send = "      - stepId: s\n        operationId: placeOrder\n        action: send\n"

describe("AsyncAPI descriptions", () => {
  it("the fixtures check clean", async () => {
    for (const name of ["orders.arazzo.yaml", "mixed.arazzo.yaml"]) {
      expect(await checkDocument(path.join(fixtures, name), { cwd: root })).toEqual([])
    }
  })

  it("an AsyncAPI 2 description is refused at its `asyncapi` line, and the source with it", async () => {
    const found = await errors(project(send, "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\nchannels: {}\n"))
    expect(found).toEqual(["source-unresolved doc.arazzo.yaml:4:25", "asyncapi-version orders.asyncapi.yaml:1:11"])
  })

  it("a reference that names nothing is reported where it is written", async () => {
    const broken = orders.replace(
      "$ref: \"#/components/messages/OrderResponse\"",
      "$ref: \"#/components/messages/Nope\""
    )
    expect(await errors(project(send, broken))).toEqual([
      "source-unresolved doc.arazzo.yaml:4:25",
      "asyncapi-ref-unresolved orders.asyncapi.yaml:20:15"
    ])
  })

  it("a correlation id location must be a runtime expression into the header or payload", async () => {
    const bad = orders.replace(
      "location: $message.header#/orderRequestId\n      headers:",
      "location: orderRequestId\n      headers:"
    )
    expect(await errors(project(send, bad))).toEqual([
      "source-unresolved doc.arazzo.yaml:4:25",
      "asyncapi-correlation-location orders.asyncapi.yaml:48:19"
    ])
  })

  it("a protocol without a transport: check accepts the document, generate names the seam", async () => {
    const kafka = orders.replace(
      "host: localhost:1883\n    protocol: mqtt",
      "host: localhost:9092\n    protocol: kafka"
    )
    const file = project(send, kafka)
    expect(await checkDocument(file, { cwd: root })).toEqual([])
    const { diagnostics } = await analyzeDocument(file, { cwd: root })
    const refused = diagnostics.filter((d) => d.severity === "error")
    expect(refused.map(at)).toEqual(["unsupported-protocol doc.arazzo.yaml:10:22"])
    expect(refused[0]!.message).toContain("Arazzo.Transports.layer({ kafka: … })")
  })

  it("the 1.1 specification's own pet example speaks kafka: unsupported-protocol at generate time", async () => {
    const pet = readFileSync(path.join(root, "test/fixtures/oai-1.1/examples/pet-asyncapi.yaml"), "utf8")
    expect(await errors(project(send, pet))).toEqual(["unsupported-protocol doc.arazzo.yaml:10:22"])
  })
})

describe("message steps", () => {
  it("an operationId the AsyncAPI does not have, with the nearest one", async () => {
    const file = project("      - stepId: s\n        operationId: placeOrdr\n        action: send\n")
    expect(await errors(file)).toEqual(["unknown-operation doc.arazzo.yaml:10:22"])
    expect((await checkDocument(file, { cwd: root }))[0]!.message).toContain("did you mean `placeOrder`?")
  })

  it("a channelPath to a channel that is not there", async () => {
    const step =
      "      - stepId: s\n        channelPath: '{$sourceDescriptions.orders.url}#/channels/audits'\n        action: send\n"
    expect(await errors(project(step))).toEqual(["unknown-channel doc.arazzo.yaml:10:22"])
  })

  it("a correlationId on a channel whose messages declare none", async () => {
    const step =
      "      - stepId: s\n        channelPath: '{$sourceDescriptions.orders.url}#/channels/audit'\n        action: receive\n        correlationId: $inputs.id\n"
    expect(await errors(project(step))).toEqual(["correlation-id-undeclared doc.arazzo.yaml:12:24"])
  })

  it("a receive step has no payload and no headers to send", async () => {
    const step =
      "      - stepId: s\n        operationId: placeOrder\n        action: receive\n        parameters:\n          - {name: a, in: header, value: b}\n        requestBody:\n          payload: {a: 1}\n"
    expect(await errors(project(step))).toEqual([
      "message-header-on-receive doc.arazzo.yaml:13:13",
      "message-body-on-receive doc.arazzo.yaml:15:11"
    ])
  })

  it("$message is the message step's; $statusCode is not", async () => {
    const step =
      "      - stepId: s\n        operationId: placeOrder\n        action: receive\n        successCriteria:\n          - condition: $statusCode == 200\n"
    expect(await errors(project(step))).toEqual(["message-no-status doc.arazzo.yaml:13:24"])
    const shop = "  - {name: shop, url: " +
      // relative to the document's directory, which sits directly in the temporary directory
      path.relative(path.join(tmpdir(), "dir"), path.join(fixtures, "shop.openapi.yaml")) +
      ", type: openapi}\n"
    const http =
      "      - stepId: h\n        operationId: $sourceDescriptions.shop.getOrder\n        parameters:\n          - {name: orderId, in: path, value: 1}\n        outputs:\n          x: $message.payload\n"
    const file = project(http, orders, shop)
    const found = (await analyzeDocument(file, { cwd: root, allowRoots: [fixtures] })).diagnostics
    expect(found.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["message-context"])
  })
})

describe("lowering", () => {
  it("a send and a receive step: the channel, the direction, the headers, the correlation id", async () => {
    const { document } = await analyzeDocument(path.join(fixtures, "orders.arazzo.yaml"), { cwd: root })
    expect(document?.channels).toEqual([
      {
        key: "orders SEND pets/place-order",
        source: "orders",
        address: "pets/place-order",
        operationId: "placeOrder",
        correlation: { in: "header", path: ["orderRequestId"] },
        contentType: "application/json"
      },
      {
        key: "orders RECEIVE pets/confirm-order",
        source: "orders",
        address: "pets/confirm-order",
        operationId: "placeOrder",
        correlation: { in: "header", path: ["orderRequestId"] },
        contentType: "application/json"
      },
      {
        key: "orders SEND pets/audit",
        source: "orders",
        address: "pets/audit",
        operationId: undefined,
        correlation: undefined,
        contentType: "application/json"
      }
    ])
    expect(document?.sources).toEqual([
      { name: "orders", url: "./orders.asyncapi.yaml", serverUrl: "mqtt://localhost:1883", securitySchemes: {} }
    ])
    const [place, confirm] = document!.workflows[0]!.steps
    expect(place).toMatchObject({
      operation: "orders SEND pets/place-order",
      message: { action: "send", correlationId: undefined },
      parameters: [{ in: "header", name: "orderRequestId", value: { kind: "input", name: "requestId", path: [] } }]
    })
    expect(confirm).toMatchObject({
      operation: "orders RECEIVE pets/confirm-order",
      message: { action: "receive", correlationId: { kind: "input", name: "requestId", path: [] } },
      timeout: 1500,
      outputs: [
        {
          name: "orderId",
          value: { kind: "responseBody", path: ["orderId"] },
          type: { kind: "integer" },
          optional: false
        },
        expect.objectContaining({ name: "status", optional: false })
      ]
    })
  })
})
