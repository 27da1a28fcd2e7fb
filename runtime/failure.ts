/**
 * Failure actions: what a step does when its success criteria do not hold. The first action
 * whose criterion holds for the failing response decides: `end` stops the workflow (the caller
 * gets an `Ended` result saying so), `retry` runs the step again after `retryAfter` seconds
 * (a `Retry-After` header overrules it) up to `retryLimit` times; a retry that has run out
 * passes on to the next matching action. With no matching action the step fails.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type { StepFailed } from "./errors.js"
import type { Criterion } from "./run.js"

export type FailureAction =
  | { readonly _tag: "End"; readonly name: string; readonly when: Criterion | undefined }
  | {
    readonly _tag: "Retry"
    readonly name: string
    readonly when: Criterion | undefined
    readonly retryAfter: Duration.Duration
    readonly retryLimit: number
  }

/** `type: end`, when `when` holds (always, without criteria). */
export const endOn = (name: string, when?: Criterion): FailureAction => ({ _tag: "End", name, when })

/** `type: retry`: `retryAfter` in seconds (default 0), `retryLimit` retries (default 1, as the spec says). */
export const retryOn = (
  name: string,
  when: Criterion | undefined,
  options: { readonly retryAfter?: number; readonly retryLimit?: number } = {}
): FailureAction => ({
  _tag: "Retry",
  name,
  when,
  retryAfter: Duration.seconds(options.retryAfter ?? 0),
  retryLimit: options.retryLimit ?? 1
})

/** An `end` action stopped the workflow; caught by `runWorkflow` and returned as an `Ended` result. */
export class WorkflowEnded extends Data.TaggedError("WorkflowEnded")<{
  readonly stepId: string
  readonly action: string
  readonly via: "onSuccess" | "onFailure"
  readonly failure: StepFailed | undefined
}> {}
