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
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { WorkflowError } from "../../effect3/internal/errors.js"
import type { ExecutionService, RawResponse } from "../../effect3/internal/execution.js"
import { JournaledResponse, WorkflowError as WorkflowErrorSchema } from "./journal.js"

/** The activity whose request is being sent, for the Idempotency-Key (see `idempotency.ts`). */
export const currentActivity: FiberRef.FiberRef<string | undefined> = FiberRef.unsafeMake<string | undefined>(
  undefined
)

export interface DurableExecutionOptions {
  /** Waits at most this long stay in memory (journaled when done); longer ones suspend the workflow. */
  readonly inMemoryThreshold: Duration.DurationInput
}

/** The Execution a durable workflow body runs with; it needs the engine and the instance it runs in. */
export const durableExecution = (
  options: DurableExecutionOptions
): Effect.Effect<ExecutionService, never, WorkflowEngine | WorkflowInstance> =>
  Effect.map(Effect.all([WorkflowEngine, WorkflowInstance]), ([engine, instance]) => {
    const inWorkflow = <A, E>(effect: Effect.Effect<A, E, WorkflowEngine | WorkflowInstance>) =>
      effect.pipe(Effect.provideService(WorkflowEngine, engine), Effect.provideService(WorkflowInstance, instance))
    return {
      exchange: <E>(name: string, attempt: Effect.Effect<RawResponse, E>) =>
        inWorkflow(
          Activity.make({
            name,
            success: JournaledResponse,
            // The runtime's exchanges fail only with its own (serializable) errors.
            error: WorkflowErrorSchema,
            execute: Effect.locally(attempt as unknown as Effect.Effect<RawResponse, WorkflowError>, currentActivity, name)
          })
        ) as Effect.Effect<RawResponse, E>,
      sleep: (name: string, duration: Duration.Duration) =>
        inWorkflow(DurableClock.sleep({ name, duration, inMemoryThreshold: options.inMemoryThreshold }))
    }
  })
