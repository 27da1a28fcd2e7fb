/**
 * What a run report is made of, gathered while the run goes: every step attempt (from the step
 * tracer's events) with the exchanges it made (from the recorder), then how the run ended and
 * its outputs. An exchange belongs to the innermost open attempt of the same workflow, step and
 * attempt number; a step that runs again later (a state machine going round) opens a new one.
 */
import type { RecordedExchange } from "../../../runtime/effect3/recording.js"
import type { WorkflowIR } from "../../lower/ir.js"
import type { StepEnded, StepEvent, StepStarted } from "../step-tracer.js"
import type { RunEnd } from "../trace-printer.js"

export interface ReportAttempt {
  readonly workflowId: string
  readonly stepId: string
  readonly attempt: number
  readonly method: string | undefined
  readonly urlTemplate: string | undefined
  /** Epoch milliseconds. */
  readonly startedAt: number
  /** Absent while the attempt is still open (a run interrupted in it). */
  ended: StepEnded | undefined
  readonly exchanges: Array<RecordedExchange>
}

export interface RunReport {
  /** The document's path as given, and its title. */
  readonly document: string
  readonly title: string | undefined
  readonly workflow: WorkflowIR
  readonly startedAt: number
  readonly durationMs: number
  readonly attempts: ReadonlyArray<ReportAttempt>
  readonly end: RunEnd
  /** The workflow outputs, when it produced a result. */
  readonly outputs: unknown
  /** The step (of this workflow) a typed error named, when the run failed with one. */
  readonly errorStepId: string | undefined
  /** Where the exchanges came from: a live run, or a replayed recording. */
  readonly mode: "live" | "replay"
}

const sameAttempt = (
  a: ReportAttempt,
  e: { workflowId?: string | undefined; stepId?: string | undefined; attempt?: number | undefined }
) => a.workflowId === (e.workflowId ?? "") && a.stepId === e.stepId && a.attempt === (e.attempt ?? 1)

export const reportCollector = () => {
  const attempts: Array<ReportAttempt> = []
  const lastOpen = (e: Parameters<typeof sameAttempt>[1]) => {
    for (let i = attempts.length - 1; i >= 0; i--) {
      const a = attempts[i]!
      if (a.ended === undefined && sameAttempt(a, e)) return a
    }
    return undefined
  }

  const start = (e: StepStarted) =>
    attempts.push({
      workflowId: e.workflowId,
      stepId: e.stepId,
      attempt: e.attempt,
      method: e.method,
      urlTemplate: e.urlTemplate,
      startedAt: e.at,
      ended: undefined,
      exchanges: []
    })

  return {
    step: (event: StepEvent) => {
      if (event._tag === "StepStarted") start(event)
      else {
        const open = lastOpen(event)
        if (open !== undefined) open.ended = event
      }
    },
    exchange: (exchange: RecordedExchange) => {
      lastOpen(exchange)?.exchanges.push(exchange)
    },
    attempts: (): ReadonlyArray<ReportAttempt> => attempts
  }
}

export type ReportCollector = ReturnType<typeof reportCollector>
