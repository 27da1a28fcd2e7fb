/**
 * Failure actions: what a step does when its success criteria do not hold. The first action
 * whose criterion holds for the failing response decides: `end` stops the workflow, `goto`
 * jumps to another step or hands over to another workflow, `retry` runs the step again after
 * `retryAfter` seconds up to `retryLimit` times, first going to `stepId` or running
 * `workflowId` when the action names one; a retry that has run out passes on to the next
 * matching action. With no matching action the step fails.
 *
 * The decision is pure: each Effect line carries it out (waits, jumps, runs workflows).
 * `W` is how a line refers to another workflow (its generated function).
 */
import { type Criterion, holds } from "./criteria.js"
import type { StepResponse } from "./response.js"

export type FailureAction<G extends string = string, W = unknown> =
  | { readonly _tag: "End"; readonly name: string; readonly when: Criterion | undefined }
  | { readonly _tag: "Goto"; readonly name: string; readonly when: Criterion | undefined; readonly stepId: G }
  | { readonly _tag: "GotoWorkflow"; readonly name: string; readonly when: Criterion | undefined; readonly workflow: W }
  | {
    readonly _tag: "Retry"
    readonly name: string
    readonly when: Criterion | undefined
    /** Milliseconds. */
    readonly retryAfter: number
    readonly retryLimit: number
    /** Go to this step instead of repeating the failed one at once (the run comes back through the flow). */
    readonly stepId: G | undefined
    /** Run this workflow before the step is retried. */
    readonly workflow: W | undefined
  }

/** `type: end`, when `when` holds (always, without criteria). */
export const endOn = (name: string, when?: Criterion): FailureAction<never, never> => ({ _tag: "End", name, when })

/** `type: goto` with a `stepId`: the workflow goes on at that step. */
export const gotoOn = <const G extends string>(
  name: string,
  when: Criterion | undefined,
  stepId: G
): FailureAction<G, never> => ({
  _tag: "Goto",
  name,
  when,
  stepId
})

/** `type: goto` with a `workflowId`: that workflow runs, and this one ends handing over to it. */
export const gotoWorkflowOn = <W>(name: string, when: Criterion | undefined, workflow: W): FailureAction<never, W> => ({
  _tag: "GotoWorkflow",
  name,
  when,
  workflow
})

interface RetryOptions<W> {
  readonly retryAfter?: number
  readonly retryLimit?: number
  readonly workflow?: W
}

/**
 * `type: retry`: `retryAfter` in seconds (default 0), `retryLimit` retries (default 1, as the
 * spec says). Two signatures, so that a retry that goes to no step adds no goto target to the
 * step's outcome type.
 */
export function retryOn<const G extends string, W = never>(
  name: string,
  when: Criterion | undefined,
  options: RetryOptions<W> & { readonly stepId: G }
): FailureAction<G, W>
export function retryOn<W = never>(
  name: string,
  when: Criterion | undefined,
  options?: RetryOptions<W>
): FailureAction<never, W>
export function retryOn<W>(
  name: string,
  when: Criterion | undefined,
  options: RetryOptions<W> & { readonly stepId?: string } = {}
): FailureAction<string, W> {
  return {
    _tag: "Retry",
    name,
    when,
    retryAfter: Math.max(0, (options.retryAfter ?? 0) * 1000),
    retryLimit: options.retryLimit ?? 1,
    stepId: options.stepId,
    workflow: options.workflow
  }
}

/** Retries used: per action of the current step (reset when the step is entered again), and per run for retries that jump. */
export interface RetryCounts {
  readonly local: Map<number, number>
  readonly jumps: Map<string, number>
}

export type Decision<G extends string, W> =
  | { readonly _tag: "Fail" }
  | { readonly _tag: "End"; readonly action: string }
  | { readonly _tag: "Goto"; readonly action: string; readonly stepId: G }
  | { readonly _tag: "GotoWorkflow"; readonly action: string; readonly workflow: W }
  | {
    readonly _tag: "Retry"
    readonly action: string
    readonly delayMillis: number
    readonly stepId: G | undefined
    readonly workflow: W | undefined
  }

const FAIL: Decision<never, never> = { _tag: "Fail" }

/**
 * The first applicable action's decision. `response` is absent when there is none to test
 * (a step that runs a workflow): actions with criteria do not apply then. `retryAfterMillis`
 * is the response's usable `Retry-After` (already bounded by the policy): the server knows
 * best when it can answer, so a retry waits that long instead of the action's `retryAfter`.
 */
export const decideFailure = <G extends string, W>(
  stepId: string,
  actions: ReadonlyArray<FailureAction<G, W>>,
  counts: RetryCounts,
  response: StepResponse | undefined,
  retryAfterMillis: number | undefined
): Decision<G, W> => {
  for (let index = 0; index < actions.length; index++) {
    const action = actions[index]!
    if (action.when !== undefined && (response === undefined || !holds(action.when, response))) continue
    switch (action._tag) {
      case "End":
        return { _tag: "End", action: action.name }
      case "Goto":
        return { _tag: "Goto", action: action.name, stepId: action.stepId }
      case "GotoWorkflow":
        return { _tag: "GotoWorkflow", action: action.name, workflow: action.workflow }
      case "Retry": {
        // A retry that goes to a step leaves this step, so its count lives as long as the run.
        const key = `${stepId}\u0000${index}`
        const jumps = action.stepId !== undefined
        const used = (jumps ? counts.jumps.get(key) : counts.local.get(index)) ?? 0
        if (used >= action.retryLimit) continue
        if (jumps) counts.jumps.set(key, used + 1)
        else counts.local.set(index, used + 1)
        return {
          _tag: "Retry",
          action: action.name,
          delayMillis: retryAfterMillis ?? action.retryAfter,
          stepId: action.stepId,
          workflow: action.workflow
        }
      }
    }
  }
  return FAIL
}
