/**
 * How `run` shows a run on stderr: plain lines (one per step attempt) when stderr is a pipe or a
 * file, a live progress display on a terminal, or NDJSON events with `--trace-json`. Each printer
 * also prints how the run ended, in its own format, so `--trace-json` output stays parseable.
 */
import { boundedJson } from "./bounded-json.js"
import type { StepEnded, StepEvent, StepStarted } from "./step-tracer.js"

/** How deep `run` prints outputs and bodies unless `--print-depth` says otherwise. */
export const DEFAULT_PRINT_DEPTH = 64

/** How a run ended, as the printers report it. */
export type RunEnd =
  | { readonly _tag: "Completed"; readonly workflowId: string }
  | {
    readonly _tag: "Ended"
    readonly workflowId: string
    readonly stepId: string
    readonly action: string
    readonly via: string
    readonly failure: ErrorReport | undefined
  }
  | { readonly _tag: "Failed"; readonly workflowId: string; readonly error: ErrorReport }
  | { readonly _tag: "Interrupted"; readonly workflowId: string }

/** A typed workflow error as printed: its tag, message and, when there was a response, status and body. */
export interface ErrorReport {
  readonly tag: string
  readonly message: string
  readonly status?: number | undefined
  readonly body?: unknown
}

export interface TracePrinter {
  readonly step: (event: StepEvent) => void
  readonly end: (end: RunEnd, durationMs: number) => void
}

/** One line out, without its newline. */
export type Write = (line: string) => void

export const formatMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`)

const request = (e: StepStarted | StepEnded) =>
  e.method !== undefined ? `${e.method} ${e.urlTemplate ?? ""}` : `runs a workflow`

const result = (e: StepEnded) => {
  const answer = e.status !== undefined
    ? String(e.status)
    : e.outcome === "interrupted"
    ? "interrupted"
    : e.error ?? "done"
  const why = e.status !== undefined && e.outcome === "failure" ? `, ${e.error}` : ""
  return `-> ${answer} (${formatMs(e.durationMs)}${why})`
}

/** `pollWorkflow attempt 3  GET /v2/consumer/workflows/{workflowId} -> 200 (12 ms)` */
export const stepLine = (e: StepEnded): string => `${e.stepId} attempt ${e.attempt}  ${request(e)} ${result(e)}`

const BODY_EXCERPT = 500

const excerpt = (body: unknown, printDepth: number): string | undefined => {
  if (body === undefined) return undefined
  const json = typeof body === "string" ? body : boundedJson(body, { maxDepth: printDepth })
  return json.length > BODY_EXCERPT ? `${json.slice(0, BODY_EXCERPT)}… (${json.length} characters)` : json
}

/** The closing lines of a run for people. */
export const endLines = (end: RunEnd, durationMs: number, printDepth = DEFAULT_PRINT_DEPTH): Array<string> => {
  const took = formatMs(durationMs)
  const failure = (e: ErrorReport) => {
    const body = excerpt(e.body, printDepth)
    return [`${e.tag}: ${e.message}`, ...(body === undefined ? [] : [`  response body: ${body}`])]
  }
  switch (end._tag) {
    case "Completed":
      return [`workflow ${end.workflowId} completed in ${took}`]
    case "Ended":
      return [
        `workflow ${end.workflowId} ended at step ${end.stepId} by its ${end.via} end action \`${end.action}\` in ${took}`,
        ...(end.failure === undefined ? [] : failure(end.failure))
      ]
    case "Failed":
      return [`workflow ${end.workflowId} failed after ${took}`, ...failure(end.error)]
    case "Interrupted":
      return [`workflow ${end.workflowId} interrupted after ${took}`]
  }
}

/** Plain lines: one per finished step attempt. */
export const linePrinter = (write: Write, printDepth = DEFAULT_PRINT_DEPTH): TracePrinter => ({
  step: (event) => {
    if (event._tag === "StepEnded") write(stepLine(event))
  },
  end: (end, durationMs) => endLines(end, durationMs, printDepth).forEach(write)
})

/** NDJSON: `step.start` and `step.end` events, then one `workflow.end`. */
export const jsonPrinter = (write: Write, printDepth = DEFAULT_PRINT_DEPTH): TracePrinter => ({
  step: (event) => {
    const { _tag, at, ...fields } = event
    write(
      boundedJson({
        event: _tag === "StepStarted" ? "step.start" : "step.end",
        time: new Date(at).toISOString(),
        ...fields
      }, { maxDepth: printDepth })
    )
  },
  end: (end, durationMs) => {
    const { _tag, ...fields } = end
    write(
      boundedJson(
        { event: "workflow.end", result: _tag, durationMs: Math.round(durationMs * 10) / 10, ...fields },
        { maxDepth: printDepth }
      )
    )
  }
})
