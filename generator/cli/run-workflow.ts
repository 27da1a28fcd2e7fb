/**
 * What `arazzo-effect run` does (the command and its options are in run-command.ts): compiles
 * the document (or takes it from the cache), loads its module, decodes the inputs and runs the
 * workflow with a real HTTP client, the trace on stderr and the outputs as JSON on stdout. Loaded
 * only when `run` runs, so that the other commands start without the runtime and its HTTP client.
 */
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
import { credentialPairs, credentialSecrets, credentialsLayer } from "./credentials.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { decodeInputs, gatherInputs } from "./inputs.js"
import { readOptionsFrom, sourcesFrom } from "./options.js"
import { parsePairs } from "./pairs.js"
import { wantsColour } from "./plain-console.js"
import { progressPrinter } from "./progress-printer.js"
import { startCapture } from "./report/capture.js"
import { type Compiled, runnableDocument, type RunnableIR } from "./run-cache.js"
import { describeResult, errorReport, isWorkflowError, learnIssued, printOutputs, runSecrets } from "./run-outcome.js"
import { stepTracer } from "./step-tracer.js"
import { jsonPrinter, linePrinter, type TracePrinter } from "./trace-printer.js"

import type { RunOptions } from "./run-command.js"

/** The document compiled in memory; errors are the user's document, so they are a usage failure (2). */
export const compile = (
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

export const chooseWorkflow = (
  ir: RunnableIR,
  wanted: Option.Option<string>
): Effect.Effect<WorkflowIR, UsageError> => {
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

export const serverUrls = (ir: RunnableIR, texts: ReadonlyArray<string>) =>
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
    const credentials = yield* credentialPairs(ir, options.credential ?? [])
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
    secrets.learn(credentialSecrets(ir, credentials))
    const redact = (text: string) => secrets.text(text)
    const printer = yield* tracePrinter(options.traceJson, redact, options.printDepth)
    const capture = yield* startCapture(options, { ir, workflow, inputs: decoded, redact })
    // Notes about written files go to stderr, except where it carries NDJSON.
    const note = (lines: ReadonlyArray<string>) => {
      if (!options.traceJson) { for (const line of lines) process.stderr.write(`${redact(line)}\n`) }
    }
    const environment = Layer.mergeAll(
      capture.client,
      Arazzo.Servers.layer(servers).pipe(Layer.provide(Arazzo.Servers.layerConfig(ir.sources.map((s) => s.name)))),
      credentialsLayer(ir, credentials)
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
