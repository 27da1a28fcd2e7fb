/**
 * What `run --record`, `--replay` and `--report` add to a run: the HTTP client the workflow gets
 * (the real one, or answers from a recording; wrapped by a recorder when exchanges are wanted),
 * a listener for step events, and, once the run is over, the files: the recording as JSON, and
 * each report (HTML or JUnit XML, by extension). Secret input values are redacted throughout.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { encodeRecording, Recorder, type RecorderService, Replay } from "../../../runtime/effect3/recording.js"
import { MockApi } from "../../../runtime/effect3/testing.js"
import type { DocumentIR, WorkflowIR } from "../../lower/ir.js"
import { UsageError } from "../exit.js"
import type { StepEvent } from "../step-tracer.js"
import type { RunEnd } from "../trace-printer.js"
import { reportCollector } from "./collect.js"
import { renderHtml } from "./html.js"
import { renderJunit } from "./junit.js"

export interface CaptureOptions {
  readonly record?: Option.Option<string> | undefined
  readonly replay?: Option.Option<string> | undefined
  readonly report?: ReadonlyArray<string> | undefined
}

type ReportKind = "html" | "junit"

const reportKind = (file: string): ReportKind | undefined => {
  const ext = path.extname(file).toLowerCase()
  return ext === ".html" || ext === ".htm" ? "html" : ext === ".xml" ? "junit" : undefined
}

/** The values of the workflow's secret inputs, as decoded. */
export const secretValues = (workflow: WorkflowIR, inputs: unknown): ReadonlyArray<unknown> =>
  workflow.inputs.filter((i) => i.secret).map((i) =>
    typeof inputs === "object" && inputs !== null ? (inputs as Record<string, unknown>)[i.name] : undefined
  )

/** How the run ended, for the files written after it. */
export interface Finished {
  readonly end: RunEnd
  readonly outputs: unknown
  readonly durationMs: number
  /** The typed error the run failed with, if any (it names the step). */
  readonly error?: unknown
}

export interface Capture {
  /** The `HttpClient` the workflow runs with. */
  readonly client: Layer.Layer<HttpClient.HttpClient>
  /** Step events, for the report. */
  readonly step: (event: StepEvent) => void
  /** Writes the recording and the reports; returns lines worth telling the user. */
  readonly finish: (finished: Finished) => ReadonlyArray<string>
}

const fieldOf = (u: unknown, name: string): unknown =>
  typeof u === "object" && u !== null && name in u ? (u as Record<string, unknown>)[name] : undefined

/** Sets up recording, replay and reports for one run. */
export const startCapture = (
  options: CaptureOptions,
  context: {
    readonly ir: Pick<DocumentIR, "file" | "title" | "sources" | "workflows">
    readonly workflow: WorkflowIR
    readonly inputs: unknown
    readonly redact: (text: string) => string
  }
): Effect.Effect<Capture, UsageError, Scope.Scope> =>
  Effect.gen(function*() {
    const record = Option.getOrUndefined(options.record ?? Option.none())
    const replay = Option.getOrUndefined(options.replay ?? Option.none())
    const reports = options.report ?? []
    if (record !== undefined && replay !== undefined) {
      return yield* new UsageError({ message: "--record and --replay cannot be combined" })
    }
    const kinds = reports.map((file) => [file, reportKind(file)] as const)
    const unknown = kinds.find(([, kind]) => kind === undefined)
    if (unknown !== undefined) {
      return yield* new UsageError({
        message: `--report ${unknown[0]}: the extension says which report: .html (a page) or .xml (JUnit)`
      })
    }
    const secrets = secretValues(context.workflow, context.inputs)

    // The client underneath: the network, or the recording.
    let inner: HttpClient.HttpClient
    let replayService: Context.Tag.Service<typeof Replay> | undefined
    if (replay !== undefined) {
      const built = yield* Layer.build(MockApi.fromRecording(replay, { secrets })).pipe(
        Effect.mapError((e) => new UsageError({ message: `--replay ${replay}: ${e.detail}` }))
      )
      inner = Context.get(built, HttpClient.HttpClient)
      replayService = Context.get(built, Replay)
    } else {
      inner = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
    }

    const collector = reportCollector()
    let recorder: RecorderService | undefined
    let client = inner
    if (record !== undefined || reports.length > 0) {
      const wrapped = Recorder.wrap(inner, { secrets, onExchange: collector.exchange })
      client = wrapped.client
      recorder = wrapped.recorder
    }
    const startedAt = Date.now()

    const finish = (finished: Finished): ReadonlyArray<string> => {
      const notes: Array<string> = []
      if (record !== undefined && recorder !== undefined) {
        const recording = recorder.recording()
        writeFileSync(record, context.redact(encodeRecording(recording)))
        notes.push(`recorded ${recording.exchanges.length} exchanges to ${record}`)
      }
      if (replayService !== undefined && finished.end._tag !== "Failed") {
        const left = replayService.remaining()
        const first = left[0]
        if (first !== undefined) {
          notes.push(
            `the recording has ${left.length} exchange(s) this run did not use, from step ${
              first.stepId ?? "?"
            } (attempt ${first.attempt ?? "?"}): ${first.request.method} ${first.request.url}`
          )
        }
      }
      if (kinds.length > 0) {
        const errorWorkflow = fieldOf(finished.error, "workflowId")
        const errorStep = fieldOf(finished.error, "stepId")
        const report = {
          document: context.ir.file,
          title: context.ir.title,
          workflow: context.workflow,
          startedAt,
          durationMs: finished.durationMs,
          attempts: collector.attempts(),
          end: finished.end,
          outputs: finished.outputs,
          errorStepId: errorWorkflow === context.workflow.workflowId && typeof errorStep === "string"
            ? errorStep
            : undefined,
          mode: replay !== undefined ? "replay" as const : "live" as const
        }
        for (const [file, kind] of kinds) {
          writeFileSync(
            file,
            kind === "html" ? renderHtml(report, context.redact) : renderJunit(report, context.redact)
          )
          notes.push(`wrote the ${kind === "html" ? "HTML" : "JUnit"} report to ${file}`)
        }
      }
      return notes
    }

    return {
      client: Layer.succeed(HttpClient.HttpClient, client),
      step: collector.step,
      finish
    }
  })
