/**
 * The durable side of the runtime's Execution seam (runtime/effect3/internal/execution.ts).
 * Inside a durable workflow every step attempt is an Activity: its response (status, headers,
 * body bytes) is journaled under the attempt's deterministic name, and a replay returns it
 * instead of sending the request again. Poll and retry waits are durable clocks: the workflow
 * suspends, its state stays in the store, and the engine wakes it (in this process or another).
 */
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schema from "effect/Schema"
import type { WorkflowError } from "../../effect3/internal/errors.js"
import type { ExecutionService, RawResponse } from "../../effect3/internal/execution.js"
import { type JournaledClock, journaledClock } from "./clock.js"
import {
  type JournaledResponse,
  JournalEntry,
  openResponse,
  sealResponse,
  WorkflowError as WorkflowErrorSchema
} from "./journal.js"
import { cannotOpen, type Sealer } from "./seal.js"

/** The activity whose request is being sent, for the Idempotency-Key (see `idempotency.ts`). */
export const currentActivity: FiberRef.FiberRef<string | undefined> = FiberRef.unsafeMake<string | undefined>(
  undefined
)

/** The activity that journals when the execution started. Step activities' names hold a `#`; this one cannot clash. */
export const STARTED = "arazzo.started"

export interface DurableExecutionOptions {
  /** Waits at most this long stay in memory (journaled when done); longer ones suspend the workflow. */
  readonly inMemoryThreshold: Duration.DurationInput
  /** Told when this process sends the first request of an execution that another process started. */
  readonly onResume?: ((executionId: string, activity: string) => Effect.Effect<void>) | undefined
  /** The store key: responses are journaled sealed with it (seal.ts). */
  readonly key?: Sealer | undefined
}

/**
 * Executions this process has run a request of, or started. A body re-runs from the top on every
 * wake-up; only the first request an execution sends in a process whose journal says it started
 * elsewhere (or before a crash) is a resumption.
 */
const runHere = new Set<string>()

export interface DurableExecution {
  readonly execution: ExecutionService
  /** The clock the workflow body runs on (see `clock.ts`). */
  readonly clock: JournaledClock
}

/** The Execution a durable workflow body runs with; it needs the engine and the instance it runs in. */
export const durableExecution = (
  options: DurableExecutionOptions
): Effect.Effect<DurableExecution, never, WorkflowEngine | WorkflowInstance> =>
  Effect.gen(function*() {
    const engine = yield* WorkflowEngine
    const instance = yield* WorkflowInstance
    const real = yield* Effect.clock
    // The engine and the requests run on the real clock, whatever clock the body reads.
    const inWorkflow = <A, E>(effect: Effect.Effect<A, E, WorkflowEngine | WorkflowInstance>) =>
      effect.pipe(
        Effect.provideService(WorkflowEngine, engine),
        Effect.provideService(WorkflowInstance, instance),
        Effect.withClock(real)
      )
    const startedAt = yield* inWorkflow(
      Activity.make({
        name: STARTED,
        success: Schema.Number,
        execute: Effect.tap(Clock.currentTimeMillis, () => Effect.sync(() => runHere.add(instance.executionId)))
      })
    )
    /** The first request sent here for an execution started elsewhere: it resumes at this activity. */
    const resumedAt = (name: string) =>
      Effect.suspend(() => {
        if (runHere.has(instance.executionId)) return Effect.void
        runHere.add(instance.executionId)
        return options.onResume?.(instance.executionId, name) ?? Effect.void
      })
    const clock = journaledClock(startedAt, real)
    const { key } = options
    // A sealed response belongs to its execution and activity: it opens nowhere else.
    const contextOf = (name: string) => `activity\u0000${instance.executionId}\u0000${name}`
    const execution: ExecutionService = {
      exchange: <E>(name: string, attempt: Effect.Effect<RawResponse, E>) =>
        inWorkflow(
          Activity.make({
            name,
            success: JournalEntry,
            // The runtime's exchanges fail only with its own (serializable) errors.
            error: WorkflowErrorSchema,
            execute: Effect.locally(
              Effect.flatMap(
                Effect.zipRight(resumedAt(name), attempt as unknown as Effect.Effect<RawResponse, WorkflowError>),
                (raw) =>
                  Effect.map(Clock.currentTimeMillis, (at) => {
                    const journaled: JournaledResponse = { ...raw, at }
                    return key === undefined ? journaled : sealResponse(key, contextOf(name), journaled)
                  })
              ),
              currentActivity,
              name
            )
          })
        ).pipe(
          Effect.flatMap((entry) =>
            Effect.try(() => openResponse(key, contextOf(name), entry)).pipe(
              Effect.orElse(() => Effect.die(cannotOpen(`the journaled response of ${name}`, key)))
            )
          ),
          Effect.tap((journaled) => clock.reached(journaled.at))
        ) as unknown as Effect.Effect<RawResponse, E>,
      sleep: (name: string, duration: Duration.Duration) =>
        inWorkflow(DurableClock.sleep({ name, duration, inMemoryThreshold: options.inMemoryThreshold })).pipe(
          Effect.tap(() => clock.waited(duration))
        )
    }
    return { execution, clock }
  })
