/**
 * Pointing source descriptions at other hosts, and passing credentials as inputs.
 * `npx tsx examples/servers-and-auth.ts` runs the img2img workflow offline and prints where
 * each request went. docs/servers-and-auth.md quotes this file.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Arazzo from "arazzo-effect/runtime"
import { MockApi } from "arazzo-effect/testing"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"

// #region servers
// In code: source name → base URL (a path prefix is kept: operation paths are appended).
export const staging = Arazzo.Servers.layer({ civitaiOrchestrationApi: "https://staging.civitai.example/" })

// From configuration: ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API; sources without a value keep their URL.
export const fromEnvironment = Arazzo.Servers.layerConfig(["civitaiOrchestrationApi"])
// #endregion servers

// #region credentials
// Credentials are ordinary workflow inputs: read them from Config as Redacted, unwrap at the call.
const program = Effect.gen(function*() {
  const token = yield* Config.redacted("CIVITAI_TOKEN")
  return yield* blobUploadImg2img({
    apiKey: Redacted.value(token),
    file: new Uint8Array([1, 2, 3]),
    engine: "flux2",
    prompt: "a lighthouse"
  })
})
// #endregion credentials

// #region headers
// Headers for every request (not credentials): wrap whichever client layer is in use.
export const userAgent = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, HttpClient.mapRequest(HttpClientRequest.setHeader("user-agent", "my-app/1.0")))
)
// #endregion headers

const civitai = MockApi.layer({
  "POST /v2/consumer/blobs": { status: 201, json: { id: "blob_1" } },
  "POST /v2/consumer/workflows": { status: 202, json: { id: "wf_1" } },
  "GET /v2/consumer/workflows/{workflowId}": { json: { id: "wf_1", status: "succeeded" } }
})

// Stands in for the process environment.
const environment = ConfigProvider.fromMap(
  new Map([
    ["CIVITAI_TOKEN", "sk-demo-0123456789"],
    ["ARAZZO_SERVER_CIVITAI_ORCHESTRATION_API", "http://127.0.0.1:8080"]
  ])
)

const main = Effect.gen(function*() {
  const result = yield* program
  const sent = yield* MockApi.requests
  return [
    `${result._tag}; requests went to:`,
    ...sent.map((r) => `  ${r.method} ${r.url.href} (user-agent: ${r.headers["user-agent"]})`)
  ].join("\n")
}).pipe(
  Effect.provide(Layer.mergeAll(
    userAgent.pipe(Layer.provideMerge(civitai)),
    fromEnvironment,
    Arazzo.Policies.layer({ poll: Schedule.recurs(3) })
  )),
  Effect.withConfigProvider(environment)
)

Effect.runPromise(main).then(console.log)
