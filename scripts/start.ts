/**
 * `npm start`: runs the generated Civitai img2img workflow against the bundled local mock of
 * the Orchestration API (no account, no network), printing each step and poll as it happens
 * and the final outputs.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "../generated/civitai-blob-upload-img2img-workflow.js"
import { startCivitaiMock } from "../test/mock/civitai-orchestration.js"
import { recordingTracer } from "../test/support/recording-tracer.js"

const TOKEN = "demo-token"

const main = async () => {
  const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 3 })
  console.log(`Civitai Orchestration mock listening on ${mock.url}\n`)
  // Print each step as its span ends: step, attempt, HTTP status, time taken.
  const { tracer } = recordingTracer((span) => {
    if (!span.name.startsWith("arazzo.step ")) return
    const step = span.name.slice("arazzo.step ".length)
    const attempt = Number(span.attributes.get("arazzo.step.attempt") ?? 1)
    const status = span.attributes.get("http.response.status_code") ?? "-"
    const ms = span.endTime === undefined ? 0 : Number(span.endTime - span.startTime) / 1e6
    const label = attempt > 1 ? `${step} (poll ${attempt})` : step
    console.log(
      `  ${label.padEnd(24)} ${span.attributes.get("http.request.method")} ${
        span.attributes.get("url.template")
      } → ${status}  ${ms.toFixed(1)} ms`
    )
  })
  const image = new Uint8Array(await new Blob(["a small source image"]).arrayBuffer())
  const program = blobUploadImg2img({
    apiKey: TOKEN,
    file: image,
    engine: "flux2",
    prompt: "a lighthouse at dusk",
    moderate: true
  })
  const environment = Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url }),
    Arazzo.Policies.layer({ poll: Schedule.spaced("250 millis").pipe(Schedule.upTo("30 seconds")) })
  )
  console.log("Running workflow blob-upload-img2img:")
  const exit = await Effect.runPromiseExit(program.pipe(Effect.provide(environment), Effect.withTracer(tracer)))
  await mock.close()
  if (exit._tag === "Failure") {
    console.error("\nWorkflow failed:", exit.cause.toString())
    process.exitCode = 1
    return
  }
  const result = exit.value
  console.log(`\nResult: ${result._tag}${result._tag === "Ended" ? ` at ${result.stepId} (${result.action})` : ""}`)
  console.log(JSON.stringify(result.outputs, null, 2))
}

void main()
