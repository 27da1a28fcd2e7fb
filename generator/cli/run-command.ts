/**
 * `run <document> [--workflow id] [--input name=value]... [--inputs file.json]
 *  [--server source=url]... [--source name=file]... [--trace-json]`: generates the document's
 * module, loads it, decodes the inputs and runs the workflow with a real HTTP client. The step
 * trace goes to stderr, the workflow outputs as JSON to stdout.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import * as Arazzo from "../../runtime/effect3/index.js"
import { RecordingDrift } from "../../runtime/effect3/recording.js"
import { formatDiagnostic, hasErrors } from "../diagnostics.js"
import type { GenerateOptions } from "../index.js"
import type { WorkflowIR } from "../lower/ir.js"
import { inWorker } from "./compiler.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { examples } from "./help.js"
import { decodeInputs, gatherInputs } from "./inputs.js"
import { allowRootOption, limitOption, readOptionsFrom, sourceOption, sourcesFrom } from "./options.js"
import { parsePairs } from "./pairs.js"
import { wantsColour } from "./plain-console.js"
import { progressPrinter } from "./progress-printer.js"
import { recordOption, replayOption, reportOption, startCapture } from "./report/capture.js"
import { type Compiled, runnableDocument, type RunnableIR } from "./run-cache.js"
import {
  DEFAULT_PRINT_DEPTH,
  describeResult,
  errorReport,
  isWorkflowError,
  learnIssued,
  printOutputs,
  runSecrets
} from "./run-outcome.js"
import { stepTracer } from "./step-tracer.js"
import { jsonPrinter, linePrinter, type TracePrinter } from "./trace-printer.js"

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
const server = Options.text("server").pipe(
  Options.withPseudoName("source=url"),
  Options.withDescription(
    "the base URL for a source description (repeatable); default: ARAZZO_SERVER_<SOURCE> from the environment, else the OpenAPI `servers` URL"
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

/** The document compiled in memory; errors are the user's document, so they are a usage failure (2). */
const compile = (
  file: string,
  options: Omit<GenerateOptions, "outDir">
): Effect.Effect<Compiled, CommandFailed | UsageError> =>
  Effect.gen(function*() {
    // In the compiler worker, so that a signal is answered while the document is compiled.
    const compiled = yield* inWorker("generate", [path.resolve(file)], { ...options, outDir: process.cwd() })
    if ("_tag" in compiled) return yield* new UsageError({ message: compiled.message })
    const { result } = compiled
    const ir = result.documents[0]
    const module = result.files.find((f) => f.name !== "index.ts")
    if (hasErrors(result.diagnostics) || ir === undefined || module === undefined) {
      for (const d of result.diagnostics.filter((d) => d.severity === "error")) {
        yield* Console.error(formatDiagnostic(d))
      }
      yield* Console.error(`${file} cannot be run: it has errors (\`arazzo-effect check ${file}\` lists warnings too)`)
      return yield* new CommandFailed({ code: ExitCode.Usage })
    }
    return { documents: result.documents, files: result.files.filter((f) => f.name !== "index.ts") }
  })

const chooseWorkflow = (ir: RunnableIR, wanted: Option.Option<string>): Effect.Effect<WorkflowIR, UsageError> => {
  const ids = ir.workflows.map((w) => w.workflowId)
  if (Option.isNone(wanted)) {
    const [only, ...others] = ir.workflows
    if (only !== undefined && others.length === 0) return Effect.succeed(only)
    return Effect.fail(
      new UsageError({
        message: `${ir.file} has ${ids.length} workflows; choose one with --workflow: ${ids.join(", ")}`
      })
    )
  }
  const found = ir.workflows.find((w) => w.workflowId === wanted.value)
  return found !== undefined
    ? Effect.succeed(found)
    : Effect.fail(
      new UsageError({ message: `${ir.file} has no workflow \`${wanted.value}\`; its workflows: ${ids.join(", ")}` })
    )
}

const serverUrls = (ir: RunnableIR, texts: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const urls = yield* parsePairs({ option: "server", shape: "source=url" }, texts)
    const names = ir.sources.map((s) => s.name)
    for (const [name, url] of Object.entries(urls)) {
      if (!names.includes(name)) {
        return yield* new UsageError({
          message: `--server ${name}=…: the document has no source \`${name}\`; its sources: ${names.join(", ")}`
        })
      }
      if (!URL.canParse(url)) return yield* new UsageError({ message: `--server ${name}=${url}: not an absolute URL` })
    }
    return urls
  })

/** Where the trace goes: NDJSON, a live display on a terminal, or plain lines; secrets redacted either way. */
const tracePrinter = (
  json: boolean,
  redact: (text: string) => string,
  printDepth: number
): Effect.Effect<TracePrinter, never, Scope.Scope> =>
  Effect.gen(function*() {
    const stderr = process.stderr
    const write = (line: string) => void stderr.write(`${redact(line)}\n`)
    if (json) return jsonPrinter(write, printDepth)
    if (!stderr.isTTY) return linePrinter(write, printDepth)
    const progress = progressPrinter({
      write: (text) => void stderr.write(redact(text)),
      columns: stderr.columns,
      colour: wantsColour(stderr)
    })
    yield* Effect.forkScoped(Effect.repeat(Effect.sync(progress.tick), Schedule.spaced("100 millis")))
    return progress
  })

export const runWorkflow = (options: RunOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const sources = yield* sourcesFrom(options.source)
    const read = yield* readOptionsFrom(options)
    if (options.printDepth < 1) {
      return yield* new UsageError({ message: "--print-depth takes a whole number of at least 1" })
    }
    // From the cache when this document was compiled by this build, with these options, before (run-cache.ts).
    const { ir, exports: moduleExports, load } = yield* runnableDocument(
      options.document,
      sources,
      compile(options.document, { sources, ...read }),
      read
    ).pipe(Effect.catchTag("ModuleLoadFailed", Effect.die))
    const workflow = yield* chooseWorkflow(ir, options.workflow)
    const { workflowId } = workflow
    const servers = yield* serverUrls(ir, options.server)
    const given = yield* gatherInputs(workflowId, workflow.inputs, { pairs: options.input, file: options.inputs })

    const exports = moduleExports.find((w) => w.workflowId === workflowId)
    const loaded = yield* load.pipe(Effect.orDie)
    const run = exports === undefined ? undefined : loaded[exports.run]
    const schema = exports === undefined ? undefined : loaded[exports.inputs]
    if (typeof run !== "function" || !Schema.isSchema(schema)) {
      return yield* Effect.dieMessage(
        `the module generated for ${ir.file} does not export workflow ${workflowId} as expected`
      )
    }
    const decoded = yield* decodeInputs(workflowId, schema as Schema.Schema<unknown, unknown>, given)

    const secrets = runSecrets(workflow, decoded)
    const redact = (text: string) => secrets.text(text)
    const printer = yield* tracePrinter(options.traceJson, redact, options.printDepth)
    const capture = yield* startCapture(options, { ir, workflow, inputs: decoded, redact })
    // Notes about written files go to stderr, except where it carries NDJSON.
    const note = (lines: ReadonlyArray<string>) => {
      if (!options.traceJson) { for (const line of lines) process.stderr.write(`${redact(line)}\n`) }
    }
    const environment = Layer.mergeAll(
      capture.client,
      Arazzo.Servers.layer(servers).pipe(Layer.provide(Arazzo.Servers.layerConfig(ir.sources.map((s) => s.name))))
    )
    const started = performance.now()
    const elapsed = () => performance.now() - started
    const outcome = yield* (run as (input: unknown) => Effect.Effect<unknown, unknown, never>)(decoded).pipe(
      Effect.provide(environment),
      Effect.withTracer(stepTracer((event) => {
        printer.step(event)
        capture.step(event)
      })),
      // A replay that drifted from its recording is the run's failure, said as such (not an internal error).
      Effect.catchSomeDefect((defect) =>
        defect instanceof RecordingDrift ? Option.some(Effect.fail(defect)) : Option.none()
      ),
      // A defect is printed whole by the top level: keep secret input values out of it too.
      Effect.catchAllDefect((defect) =>
        Effect.dieMessage(redact(defect instanceof Error ? defect.stack ?? defect.message : String(defect)))
      ),
      Effect.either,
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          printer.end({ _tag: "Interrupted", workflowId }, elapsed())
          note(capture.finish({ end: { _tag: "Interrupted", workflowId }, outputs: undefined, durationMs: elapsed() }))
        })
      )
    )
    if (outcome._tag === "Left") {
      const error = outcome.left
      if (!isWorkflowError(error)) return yield* Effect.die(error)
      const end = { _tag: "Failed", workflowId, error: errorReport(error) } as const
      printer.end(end, elapsed())
      note(capture.finish({ end, outputs: undefined, durationMs: elapsed(), error }))
      return yield* new CommandFailed({ code: ExitCode.Failed })
    }
    learnIssued(secrets, workflow, outcome.right)
    const result = yield* describeResult(workflowId, outcome.right)
    printer.end(result.end, elapsed())
    note(capture.finish({ end: result.end, outputs: result.outputs, durationMs: elapsed() }))
    yield* printOutputs(result.outputs, workflow, secrets, options.printDepth)
    if (result.failed) return yield* new CommandFailed({ code: ExitCode.Failed })
  }))

export const runCommand = Command.make(
  "run",
  {
    document,
    workflow,
    input,
    inputs,
    server,
    source: sourceOption,
    allowRoot: allowRootOption,
    limit: limitOption,
    printDepth,
    traceJson,
    record: recordOption,
    replay: replayOption,
    report: reportOption
  },
  runWorkflow
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
    ]
  ])
])))
