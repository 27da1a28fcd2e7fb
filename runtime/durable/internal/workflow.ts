/**
 * A generated workflow, declared durable. The generated function is not changed: the durable
 * body runs it with the durable Execution (each step attempt an activity, each wait a durable
 * clock), so a replay re-runs it from the top and every finished step returns its journaled
 * response. Inputs go into the store encoded (binary inputs as base64); the result and the
 * error come back through their schemas.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import type { WorkflowError } from "../../effect3/internal/errors.js"
import { Execution } from "../../effect3/internal/execution.js"
import type { WorkflowResult } from "../../effect3/internal/run.js"
import { durableExecution } from "./execution.js"
import { type IdempotencyKeys, withIdempotencyKeys } from "./idempotency.js"
import { StoredResult, WorkflowError as WorkflowErrorSchema } from "./journal.js"
import { decodeStored, encodeStored } from "./json.js"

/** A generated workflow function, as `arazzo-effect generate` writes it. */
export type GeneratedWorkflow = (
  input: never
) => Effect.Effect<WorkflowResult<any, any, any>, WorkflowError, HttpClient.HttpClient>

type InputsOf<F> = F extends (input: infer I) => any ? I : never
type ResultOf<F> = F extends (input: never) => Effect.Effect<infer A, any, any> ? A : never
type ErrorOf<F> = F extends (input: never) => Effect.Effect<any, infer E, any> ? E : never

export interface DurableOptions {
  /**
   * The workflow's name in the store. Executions are found by it after a restart or on another
   * worker, so it must stay the same across deployments (e.g. `civitai/blob-upload-img2img`).
   */
  readonly name: string
  /** Waits (polls, retries) at most this long stay in memory; longer ones suspend. Defaults to 0: every wait is durable. */
  readonly inMemoryThreshold?: Duration.DurationInput
  /** Which requests carry an `Idempotency-Key`. Defaults to `"non-idempotent"` (POST and PATCH). */
  readonly idempotencyKeys?: IdempotencyKeys
  /**
   * Told when this process resumes an execution another process started (or this one before a
   * restart): `activity` is the step attempt it resumes at (`stepId#visit.attempt`).
   */
  readonly onResume?: (executionId: string, activity: string) => Effect.Effect<void>
}

export interface StartOptions {
  /**
   * What makes two starts the same execution. Defaults to a digest of the inputs, so starting
   * again with the same inputs (after the caller crashed, say) finds the execution it started.
   */
  readonly key?: string
}

/**
 * How an execution stands, as the store records it: `Suspended` on a durable wait, `Done` with
 * its exit, or `Pending` while no state is recorded — a step is running, or the store knows no
 * execution of that id (the engine does not tell the two apart).
 */
export type ExecutionStatus<A, E> =
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Suspended" }
  | { readonly _tag: "Done"; readonly exit: Exit.Exit<A, E> }

/**
 * A durable workflow as a client of the store sees it: start, look at, wait for, stop its
 * executions. Any process may hold one; the executions run where the workflow's `layer` is.
 */
export interface DurableHandle<I, A, E> {
  readonly name: string
  /** The `@effect/workflow` declaration underneath, for apps that use the engine directly. */
  readonly workflow: Workflow.Any
  /** Starts an execution (or finds the one these inputs already started); returns its id at once. */
  readonly start: (inputs: I, options?: StartOptions) => Effect.Effect<string, never, WorkflowEngine>
  /** Where an execution is, without waiting. */
  readonly status: (executionId: string) => Effect.Effect<ExecutionStatus<A, E>, never, WorkflowEngine>
  /** Waits for an execution to finish, checking the store every `every` (250 ms by default). */
  readonly await: (
    executionId: string,
    options?: { readonly every?: Duration.DurationInput }
  ) => Effect.Effect<A, E, WorkflowEngine>
  /** Starts and waits: the durable counterpart of calling the generated function. */
  readonly run: (inputs: I, options?: StartOptions) => Effect.Effect<A, E, WorkflowEngine>
  /** Stops an execution; it will not resume. */
  readonly interrupt: (executionId: string) => Effect.Effect<void, never, WorkflowEngine>
}

export interface DurableWorkflow<I, A, E> extends DurableHandle<I, A, E> {
  /**
   * The worker side: registers the workflow with the engine, so this process runs (and
   * resumes) its executions. Needs the engine and the `HttpClient`; `Arazzo.Servers` and
   * `Arazzo.Policies` layers provided to it apply to every execution.
   */
  readonly layer: Layer.Layer<never, never, WorkflowEngine | HttpClient.HttpClient>
}

const Payload = {
  /** The inputs, encoded for the store (binary values as base64). */
  inputs: Schema.Unknown,
  key: Schema.String
}

const digest = (value: unknown): string =>
  createHash("sha256").update(JSON.stringify(value) ?? "").digest("hex").slice(0, 32)

const declaration = (name: string) =>
  Workflow.make({
    name,
    payload: Payload,
    success: StoredResult,
    error: WorkflowErrorSchema,
    idempotencyKey: ({ key }) => key
  })

/**
 * A durable workflow by its name in the store, without its generated function: for a process
 * that starts, watches or stops executions that workers run (the CLI's `run --durable`, `status`).
 * Inputs, results and errors go through the same schemas whatever the workflow.
 */
export const handle = <I = unknown, A = WorkflowResult<any, any, any>, E = WorkflowError>(
  name: string
): DurableHandle<I, A, E> => handleOf<I, A, E>(declaration(name))

const handleOf = <I, A, E>(workflow: ReturnType<typeof declaration>): DurableHandle<I, A, E> => {
  const start = (inputs: I, startOptions: StartOptions = {}) =>
    Effect.flatMap(
      encodeStored(inputs),
      (stored) => workflow.execute({ inputs: stored, key: startOptions.key ?? digest(stored) }, { discard: true })
    )

  const status = (executionId: string) =>
    Effect.map(workflow.poll(executionId), (result): ExecutionStatus<A, E> => {
      if (result === undefined) return { _tag: "Pending" }
      if (result._tag === "Suspended") return { _tag: "Suspended" }
      return { _tag: "Done", exit: result.exit as Exit.Exit<A, E> }
    })

  const awaitDone = (
    executionId: string,
    awaitOptions: { readonly every?: Duration.DurationInput } = {}
  ): Effect.Effect<A, E, WorkflowEngine> => {
    const every = awaitOptions.every ?? "250 millis"
    const check: Effect.Effect<A, E, WorkflowEngine> = Effect.flatMap(
      workflow.poll(executionId),
      (result) =>
        result !== undefined && result._tag === "Complete"
          ? result.exit as Exit.Exit<A, E>
          : Effect.zipRight(Effect.sleep(every), Effect.suspend(() => check))
    )
    return check
  }

  return {
    name: workflow.name,
    workflow,
    start,
    status,
    await: awaitDone,
    run: (inputs, startOptions) => Effect.flatMap(start(inputs, startOptions), (id) => awaitDone(id)),
    interrupt: (executionId) => workflow.interrupt(executionId)
  }
}

/** Declares a generated workflow durable. */
export const make = <F extends GeneratedWorkflow>(
  generated: F,
  options: DurableOptions
): DurableWorkflow<InputsOf<F>, ResultOf<F>, ErrorOf<F>> => {
  const inMemoryThreshold = options.inMemoryThreshold ?? Duration.zero
  const keys = options.idempotencyKeys ?? "non-idempotent"
  const workflow = declaration(options.name)

  const layer = workflow.toLayer((payload, executionId) =>
    Effect.gen(function*() {
      const { clock, execution } = yield* durableExecution({ inMemoryThreshold, onResume: options.onResume })
      const client = yield* HttpClient.HttpClient
      const inputs = decodeStored(payload.inputs) as never
      return yield* generated(inputs).pipe(
        Effect.provideService(Execution, execution),
        Effect.provideService(HttpClient.HttpClient, withIdempotencyKeys(client, executionId, keys)),
        Effect.withClock(clock)
      )
    })
  )

  return { ...handleOf<InputsOf<F>, ResultOf<F>, ErrorOf<F>>(workflow), layer }
}
