/**
 * The files a user writes in the app: a tsconfig as strict as `tsc --init` makes it, and a main
 * module that runs the generated img2img workflow against a server given in MOCK_URL and prints
 * the result as JSON. The same text for both lines but the runtime's entry point.
 */

export const TOKEN = "install-test-token-7d2e"

export const tsconfig = JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: ["node"],
      rootDir: "src",
      outDir: "out"
    },
    include: ["src"]
  },
  null,
  2
) + "\n"

/** `runtime`: `arazzo-effect/runtime` (Effect 3) or `arazzo-effect/effect4`. */
export const mainModule = (runtime: string) =>
  `import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "${runtime}"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { blobUploadImg2img } from "./generated/civitai-blob-upload-img2img-workflow.js"

const server = process.env["MOCK_URL"] ?? "http://127.0.0.1:9"

const program = blobUploadImg2img({
  apiKey: ${JSON.stringify(TOKEN)},
  file: new Uint8Array([137, 80, 78, 71, 1, 2, 3]),
  engine: "flux2",
  prompt: "a lighthouse at dusk",
  moderate: true
}).pipe(
  Effect.provide(Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Arazzo.Servers.layer({ civitaiOrchestrationApi: server }),
    Arazzo.Policies.layer({ poll: Schedule.spaced("20 millis") })
  ))
)

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify({ tag: result._tag, outputs: result.outputs })),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
`
