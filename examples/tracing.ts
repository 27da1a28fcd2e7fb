/**
 * Tracing a generated workflow with OpenTelemetry: `npx tsx examples/tracing.ts`.
 * Starts the bundled Civitai mock on 127.0.0.1, runs the img2img workflow with
 * `@effect/opentelemetry`'s NodeSdk and prints every span to the console as it ends.
 * Swap `ConsoleSpanExporter` for an OTLP exporter to send the spans to a collector.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"
import { civitaiMock } from "../test/mock/civitai-orchestration.js"

const TOKEN = "demo-token"

// #region tracing
const Tracing = NodeSdk.layer(() => ({
  resource: { serviceName: "img2img-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter())
}))
// #endregion tracing

const program = Effect.gen(function*() {
  const mock = yield* civitaiMock({ token: TOKEN, pollsUntilDone: 1 })
  const image = new TextEncoder().encode("a small source image")
  const result = yield* blobUploadImg2img({ apiKey: TOKEN, file: image, engine: "flux2", prompt: "a lighthouse" }).pipe(
    Effect.provide(Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url }),
      Arazzo.Policies.layer({ poll: Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")) })
    ))
  )
  yield* Effect.log(`${result._tag}: ${result.outputs.outputBlobUrl}`)
})

// #region run
Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Tracing)))
// #endregion run
