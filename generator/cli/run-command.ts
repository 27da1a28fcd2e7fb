/**
 * `run <document> [--workflow id] [--input name=value]... [--inputs file.json]
 *  [--server source=url]... [--credential source.scheme=value]... [--source name=file]... [--trace-json]`: generates the document's
 * module, loads it, decodes the inputs and runs the workflow with a real HTTP client. The step
 * trace goes to stderr, the workflow outputs as JSON to stdout.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { durableOptions, runDurableOrNot } from "./durable-options.js"
import { examples } from "./help.js"
import { allowRootOption, limitOption, serverOption, sourceOption } from "./options.js"
import { recordOption, replayOption, reportOption } from "./report/options.js"
import { DEFAULT_PRINT_DEPTH } from "./trace-printer.js"

const document = Args.file({ name: "document", exists: "yes" }).pipe(Args.withDescription("the Arazzo document"))
const workflow = Options.text("workflow").pipe(
  Options.withPseudoName("id"),
  Options.withDescription("the workflowId to run; optional when the document has one workflow"),
  Options.optional
)
const input = Options.text("input").pipe(
  Options.withPseudoName("name=value"),
  Options.withDescription(
    "an input value (repeatable): JSON when it is valid JSON of the input's type, else text; `@path` reads a file (bytes for binary inputs)"
  ),
  Options.repeated
)
const inputs = Options.file("inputs", { exists: "yes" }).pipe(
  Options.withPseudoName("file.json"),
  Options.withDescription("a JSON object of input values; --input values override it"),
  Options.optional
)
const server = serverOption
const credential = Options.text("credential").pipe(
  Options.withPseudoName("source.scheme=value"),
  Options.withDescription(
    "a credential for a security scheme of a source's OpenAPI (repeatable): an API key, a bearer or access token, user:pass for basic; `source.scheme.clientId=…`, `.clientSecret=…`, `.refreshToken=…`, `.username=…`, `.password=…` give parts; default: ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>[_<PART>] from the environment (docs/servers-and-auth.md)"
  ),
  Options.repeated
)
const printDepth = Options.integer("print-depth").pipe(
  Options.withPseudoName("n"),
  Options.withDescription(
    "print outputs and response bodies to this nesting depth; deeper values print as a note (the outputs themselves are not changed)"
  ),
  Options.withDefault(DEFAULT_PRINT_DEPTH)
)
const traceJson = Options.boolean("trace-json").pipe(
  Options.withDescription(
    "write the trace to stderr as NDJSON events (step.start, step.end, workflow.end) instead of lines for people"
  )
)

export interface RunOptions {
  readonly document: string
  readonly workflow: Option.Option<string>
  readonly input: ReadonlyArray<string>
  readonly inputs: Option.Option<string>
  readonly server: ReadonlyArray<string>
  /** `--credential` (optional, so callers from before it need not pass it). */
  readonly credential?: ReadonlyArray<string>
  readonly source: ReadonlyArray<string>
  readonly traceJson: boolean
  readonly allowRoot: ReadonlyArray<string>
  readonly limit: ReadonlyArray<string>
  readonly printDepth: number
  /** `--record`, `--replay`, `--report` (optional, so callers from before them need not pass them). */
  readonly record?: Option.Option<string>
  readonly replay?: Option.Option<string>
  readonly report?: ReadonlyArray<string>
}

export const runCommand = Command.make(
  "run",
  {
    document,
    workflow,
    input,
    inputs,
    server,
    credential,
    source: sourceOption,
    allowRoot: allowRootOption,
    limit: limitOption,
    printDepth,
    traceJson,
    record: recordOption,
    replay: replayOption,
    report: reportOption,
    ...durableOptions
  },
  (options) =>
    runDurableOrNot(
      options,
      Effect.flatMap(Effect.promise(() => import("./run-workflow.js")), (m) => m.runWorkflow(options))
    )
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Runs a workflow of an Arazzo document against its APIs: generates the document's module, decodes the inputs, sends the requests. " +
      "The step trace goes to stderr (a live display on a terminal, one line per step attempt otherwise, NDJSON with --trace-json); " +
      "the workflow outputs go to stdout as JSON. Exit 0 when the workflow completes (or a success `end` action ends it), " +
      "1 when it fails (the error's tag and message are printed; secrets are redacted) or a failure `end` action ends it, " +
      "2 for an invalid document, an unknown workflow or missing/invalid inputs, 130 when interrupted."
  ),
  examples([
    [
      "arazzo-effect run specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml --input apiKey=$CIVITAI_TOKEN --input file=@cat.png --input engine=flux2 --input prompt='a cat'",
      "upload an image and run img2img; `@cat.png` sends the file's bytes"
    ],
    [
      "arazzo-effect run flow.arazzo.yaml --workflow checkout --inputs inputs.json --server shop=http://localhost:8080",
      "one workflow of several, inputs from a file, against a local server"
    ],
    [
      "arazzo-effect run flow.arazzo.yaml --inputs inputs.json --trace-json 2>trace.ndjson | jq .orderId",
      "machine-readable trace, outputs piped on"
    ],
    [
      "arazzo-effect run flow.arazzo.yaml --inputs inputs.json --record run.json --report report.html",
      "keep the exchanges for replay, and a page to look at"
    ],
    [
      "arazzo-effect run flow.arazzo.yaml --inputs inputs.json --replay run.json --report junit.xml",
      "offline, from the recording; JUnit for CI"
    ],
    [
      "arazzo-effect run flow.arazzo.yaml --inputs inputs.json --durable",
      "start a durable execution (a `worker` on the same store runs it) and follow it; the same command again finds it"
    ]
  ])
])))
