/**
 * Failure actions: what a step does when its success criteria do not hold. The first action
 * whose criterion holds for the failing response decides: `end` stops the workflow (the caller
 * gets an `Ended` result saying so), `goto` jumps to another step or hands over to another
 * workflow, `retry` runs the step again after `retryAfter` seconds (a `Retry-After` header
 * overrules it) up to `retryLimit` times, first going to `stepId` or running `workflowId` when
 * the action names one; a retry that has run out passes on to the next matching action. With no
 * matching action the step fails.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { CallFailed, StepFailed, WorkflowError } from "./errors.js"
import type { Criterion } from "./run.js"
import type { EndPoint, WorkflowResult } from "./workflow.js"

/** A generated workflow function, as another workflow runs it (with its own inputs, decoded by it). */
export type AnyWorkflow = (
  input: never
) => Effect.Effect<WorkflowResult<unknown, unknown, EndPoint>, WorkflowError, HttpClient.HttpClient>

/** Another workflow to run: its id (for results and errors) and its generated function. */
export interface WorkflowTarget {
  readonly workflowId: string
  readonly run: AnyWorkflow
}

export type FailureAction =
  | { readonly _tag: "End"; readonly name: string; readonly when: Criterion | undefined }
  | { readonly _tag: "Goto"; readonly name: string; readonly when: Criterion | undefined; readonly stepId: string }
  | {
    readonly _tag: "GotoWorkflow"
    readonly name: string
    readonly when: Criterion | undefined
    readonly workflow: WorkflowTarget
  }
  | {
    readonly _tag: "Retry"
    readonly name: string
    readonly when: Criterion | undefined
    readonly retryAfter: Duration.Duration
    readonly retryLimit: number
    /** Go to this step instead of repeating the failed one at once (the run comes back through the flow). */
    readonly stepId: string | undefined
    /** Run this workflow before the step is retried. */
    readonly workflow: WorkflowTarget | undefined
  }

/** `type: end`, when `when` holds (always, without criteria). */
export const endOn = (name: string, when?: Criterion): FailureAction => ({ _tag: "End", name, when })

/** `type: goto` with a `stepId`: the workflow goes on at that step. */
export const gotoOn = (name: string, when: Criterion | undefined, stepId: string): FailureAction => ({
  _tag: "Goto",
  name,
  when,
  stepId
})

/** `type: goto` with a `workflowId`: that workflow runs, and this one ends handing over to it. */
export const gotoWorkflowOn = (name: string, when: Criterion | undefined, workflow: WorkflowTarget): FailureAction => ({
  _tag: "GotoWorkflow",
  name,
  when,
  workflow
})

/** `type: retry`: `retryAfter` in seconds (default 0), `retryLimit` retries (default 1, as the spec says). */
export const retryOn = (
  name: string,
  when: Criterion | undefined,
  options: {
    readonly retryAfter?: number
    readonly retryLimit?: number
    readonly stepId?: string
    readonly workflow?: WorkflowTarget
  } = {}
): FailureAction => ({
  _tag: "Retry",
  name,
  when,
  retryAfter: Duration.seconds(options.retryAfter ?? 0),
  retryLimit: options.retryLimit ?? 1,
  stepId: options.stepId,
  workflow: options.workflow
})

/** A workflow that a `goto` handed over to, and how it went. */
export interface Transfer {
  readonly workflowId: string
  readonly result: WorkflowResult<unknown, unknown, EndPoint>
}

/** An `end` action stopped the workflow; caught by `runWorkflow` and returned as an `Ended` result. */
export class WorkflowEnded extends Data.TaggedError("WorkflowEnded")<{
  readonly stepId: string
  readonly action: string
  readonly via: "onSuccess" | "onFailure"
  readonly failure: StepFailed | CallFailed | undefined
  /** Set when the action was a `goto` to another workflow, which has run. */
  readonly transfer?: Transfer | undefined
}> {}

/** A failure action chose the step to go on with; the generated state machine turns it into `next`. */
export class GotoSignal extends Data.TaggedError("GotoSignal")<{
  readonly stepId: string
  readonly action: string
}> {}
