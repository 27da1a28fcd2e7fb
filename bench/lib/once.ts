/**
 * One run of the generated img2img workflow in a fresh process, as a CLI runner would do it:
 * `node --import tsx bench/lib/once.ts <mockUrl> <token> <imageBytes>`. Prints
 * `{"ok":true,"runMs":…}` where runMs is the run itself (the process start and module loading
 * are what the caller's wall clock adds).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { performance } from "node:perf_hooks"
import { generatedRun, sourceImage } from "./img2img.js"

const [url = "", token = "bench-token", bytes = "4096"] = process.argv.slice(2)
const environment = Layer.mergeAll(
  NodeHttpClient.layerUndici,
  Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
  Arazzo.Policies.layer({ poll: Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50))) })
)
const input = {
  apiKey: token,
  file: sourceImage(Number(bytes)),
  engine: "flux2",
  prompt: "a lighthouse at dusk, oil painting"
}
const started = performance.now()
Effect.runPromise(generatedRun(input).pipe(Effect.provide(environment))).then(
  () => process.stdout.write(JSON.stringify({ ok: true, runMs: performance.now() - started }) + "\n"),
  (error: unknown) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(error) }) + "\n")
    process.exitCode = 1
  }
)
