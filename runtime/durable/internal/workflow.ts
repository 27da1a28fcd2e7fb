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
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import type { WorkflowError } from "../../effect3/internal/errors.js"
import { Execution } from "../../effect3/internal/execution.js"
import type { WorkflowResult } from "../../effect3/internal/run.js"
import { durableExecution } from "./execution.js"
import { type IdempotencyKeys, withIdempotencyKeys } from "./idempotency.js"
import { SealedResult, StoredResult, WorkflowError as WorkflowErrorSchema } from "./journal.js"
import { decodeStored, encodeStored } from "./json.js"
import { cannotOpen, isSealed, SEALED, type Sealer, StoreKey } from "./seal.js"

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
    // Sealed when the store has a key (seal.ts): the result holds outputs, which may be secrets.
    success: Schema.Union(StoredResult, SealedResult),
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

/** Where sealed inputs belong: the workflow and the execution's key (its id derives from both). */
const inputsContext = (name: string, key: string) => `inputs\u0000${name}\u0000${key}`
const resultContext = (name: string, executionId: string) => `result\u0000${name}\u0000${executionId}`

/** The store key's sealer, if the store layer was given one. */
const storeKey = Effect.map(Effect.serviceOption(StoreKey), Option.getOrUndefined)

/** A result as the store keeps it: sealed whole when the store has a key. */
const sealResult = (key: Sealer | undefined, name: string, executionId: string, result: unknown): unknown =>
  key === undefined ? result : {
    _tag: "Sealed",
    [SEALED]: key.seal(
      JSON.stringify(Schema.encodeSync(StoredResult)(result as never)),
      resultContext(name, executionId)
    )
  }

/** An execution's exit with a sealed result opened (a defect when this process cannot open it). */
const openExit = <A, E>(
  key: Sealer | undefined,
  name: string,
  executionId: string,
  exit: Exit.Exit<unknown, unknown>
): Exit.Exit<A, E> => {
  if (Exit.isFailure(exit) || !isSealed(exit.value)) return exit as Exit.Exit<A, E>
  if (key === undefined) return Exit.die(cannotOpen(`the result of ${executionId}`, key))
  try {
    const plain = key.open(exit.value[SEALED], resultContext(name, executionId))
    return Exit.succeed(Schema.decodeUnknownSync(StoredResult)(JSON.parse(plain)) as A)
  } catch {
    return Exit.die(cannotOpen(`the result of ${executionId}`, key))
  }
}

const handleOf = <I, A, E>(workflow: ReturnType<typeof declaration>): DurableHandle<I, A, E> => {
  const start = (inputs: I, startOptions: StartOptions = {}) =>
    Effect.flatMap(Effect.all([encodeStored(inputs), storeKey]), ([stored, key]) => {
      // With a key, the default execution key is keyed too: a plain digest of inputs that hold a
      // short secret would let anyone who reads the store test guesses of it.
      const executionKey = startOptions.key ?? (key === undefined ? digest(stored) : key.digest(JSON.stringify(stored)))
      const kept = key === undefined
        ? stored
        : { [SEALED]: key.seal(JSON.stringify(stored), inputsContext(workflow.name, executionKey)) }
      return workflow.execute({ inputs: kept, key: executionKey }, { discard: true })
    })

  const status = (executionId: string) =>
    Effect.flatMap(Effect.all([workflow.poll(executionId), storeKey]), ([result, key]): Effect.Effect<
      ExecutionStatus<A, E>
    > => {
      if (result === undefined) return Effect.succeed({ _tag: "Pending" })
      if (result._tag === "Suspended") return Effect.succeed({ _tag: "Suspended" })
      return Effect.succeed({ _tag: "Done", exit: openExit<A, E>(key, workflow.name, executionId, result.exit) })
    })

  const awaitDone = (
    executionId: string,
    awaitOptions: { readonly every?: Duration.DurationInput } = {}
  ): Effect.Effect<A, E, WorkflowEngine> => {
    const every = awaitOptions.every ?? "250 millis"
    const check: Effect.Effect<A, E, WorkflowEngine> = Effect.flatMap(
      Effect.all([workflow.poll(executionId), storeKey]),
      ([result, key]) =>
        result !== undefined && result._tag === "Complete"
          ? openExit<A, E>(key, workflow.name, executionId, result.exit)
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

/** The inputs as `start` stored them, opened when sealed (a defect when this worker cannot open them). */
const openInputs = (
  key: Sealer | undefined,
  name: string,
  payload: { readonly inputs: unknown; readonly key: string }
): Effect.Effect<unknown> => {
  if (!isSealed(payload.inputs)) return Effect.succeed(payload.inputs)
  const sealed = payload.inputs[SEALED]
  return key === undefined
    ? Effect.die(cannotOpen("the inputs of this execution", key))
    : Effect.try(() => JSON.parse(key.open(sealed, inputsContext(name, payload.key))) as unknown).pipe(
      Effect.orElse(() => Effect.die(cannotOpen("the inputs of this execution", key)))
    )
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
      const key = yield* storeKey
      const stored = yield* openInputs(key, workflow.name, payload)
      const { clock, execution } = yield* durableExecution({ inMemoryThreshold, onResume: options.onResume, key })
      const client = yield* HttpClient.HttpClient
      const inputs = decodeStored(stored) as never
      const result = yield* generated(inputs).pipe(
        Effect.provideService(Execution, execution),
        Effect.provideService(HttpClient.HttpClient, withIdempotencyKeys(client, executionId, keys)),
        Effect.withClock(clock)
      )
      return sealResult(key, workflow.name, executionId, result) as ResultOf<F>
    })
  )

  return { ...handleOf<InputsOf<F>, ResultOf<F>, ErrorOf<F>>(workflow), layer }
}
