/**
 * What a generated workflow is made of: its definition (inputs schema, secrets, how outputs
 * are computed), how its result tells normal completion from an `end` action, and the entry
 * point that decodes inputs, applies the workflow timeout and opens the workflow span.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Secrets } from "../../core/redact.js"
import { type CallFailed, InputsInvalid, type StepFailed, type WorkflowError, WorkflowTimeout } from "./errors.js"
import type { Transfer, WorkflowEnded } from "./failure.js"
import { forWorkflow } from "./policy.js"
import { Run } from "./run.js"
import { timeoutFail } from "./timeout.js"

/** Where an `end` action can stop a workflow: the step, the action's name, and whether it was a success or failure action. */
export interface EndPoint {
  readonly stepId: string
  readonly action: string
  readonly via: "onSuccess" | "onFailure"
  /** Present on the failure ends of steps that run another workflow: their failure is a `CallFailed`. */
  readonly call?: true
}

export interface WorkflowDefinition<I, Steps, O, E extends EndPoint = never> {
  readonly workflowId: string
  /** Decodes what callers pass (JSON Schema `default`s filled in) into the inputs the steps read. */
  readonly inputs: Schema.Schema<I, any>
  /** Names of inputs whose values never appear in errors, logs or spans. */
  readonly secrets: ReadonlyArray<keyof I & string>
  /** The workflow's `outputs`, from its inputs and the outputs of the steps that ran. */
  readonly outputs: (inputs: I, steps: Partial<Steps>) => O
  /** Phantom: the end points, for typing results. */
  readonly ends?: ReadonlyArray<E>
}

/** The workflow ran to its last step (or a success action without criteria ended it normally). */
export interface Completed<O, Steps> {
  readonly _tag: "Completed"
  readonly outputs: O
  readonly steps: Partial<Steps>
}

/**
 * An `end` action (or a `goto` to another workflow) stopped the workflow; `stepId`, `action` and
 * `via` say which. An end reached through a failure action carries the failure (status,
 * criterion, body) that led to it.
 */
export type Ended<O, Steps, E extends EndPoint> = E extends EndPoint ? {
    readonly _tag: "Ended"
    readonly stepId: E["stepId"]
    readonly action: E["action"]
    readonly via: E["via"]
    readonly failure: E["via"] extends "onFailure" ? E extends { readonly call: true } ? CallFailed : StepFailed
      : undefined
    /** Set when the action was a `goto` to another workflow: that workflow's id and result. */
    readonly transfer: Transfer | undefined
    readonly outputs: O
    readonly steps: Partial<Steps>
  }
  : never

export type WorkflowResult<O, Steps, E extends EndPoint = never> = Completed<O, Steps> | Ended<O, Steps, E>

/** The outputs type of a generated workflow function, e.g. `WorkflowOutputsOf<typeof other.workflows["id"]>`. */
export type WorkflowOutputsOf<F> = F extends
  (input: never) => Effect.Effect<WorkflowResult<infer O, any, any>, any, any> ? O : never

/** One issue per field: a union reports each member's mismatch, merged here with "or". */
const inputIssues = (error: ParseResult.ParseError) => {
  const byPath = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.map(String).join(".")
    byPath.set(path, [...(byPath.get(path) ?? []), issue.message])
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join(" or ") }))
}

/**
 * Runs a workflow body: decodes the inputs (a mismatch is `InputsInvalid` naming the field),
 * bounds the run by the workflow timeout and wraps it in an `arazzo.workflow` span.
 */
export const runWorkflow = <I, Steps, O, E extends EndPoint, R>(
  definition: WorkflowDefinition<I, Steps, O, E>,
  /** What the caller passed: decoded with `definition.inputs`, so it may leave defaulted inputs out. */
  input: unknown,
  body: (
    run: Run<I, Steps, O, E>,
    inputs: I
  ) => Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError | WorkflowEnded, R>
): Effect.Effect<WorkflowResult<O, Steps, E>, WorkflowError, R | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const { workflowId } = definition
    const inputs = yield* Schema.decodeUnknown(definition.inputs)(input).pipe(
      Effect.mapError((error) => new InputsInvalid({ workflowId, issues: inputIssues(error) }))
    )
    const client = yield* HttpClient.HttpClient
    const policy = yield* forWorkflow(workflowId)
    const secrets = Secrets.of(definition.secrets.map((name) => inputs[name]))
    const run = new Run(definition, inputs, client, secrets)
    const timeout = Duration.decode(policy.workflowTimeout)
    return yield* body(run, inputs).pipe(
      Effect.catchTag("WorkflowEnded", (end) => Effect.succeed(run.endedBy(end))),
      (body) =>
        timeoutFail(body, timeout, () => new WorkflowTimeout({ workflowId, timeout, stepOutputs: { ...run.gathered } }))
    )
  }).pipe(Effect.withSpan(`arazzo.workflow ${definition.workflowId}`, {
    attributes: { "arazzo.workflow.id": definition.workflowId },
    // The stack here would name runWorkflow, not the caller; the span names the workflow.
    captureStackTrace: false
  }))
