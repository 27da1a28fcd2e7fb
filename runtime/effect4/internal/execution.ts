/**
 * Where a run's I/O and waiting happen. By default in memory: an exchange is sent, a wait
 * sleeps on the Effect clock. A durable engine (arazzo-effect's durable entry point) provides
 * its own: each exchange a journaled activity, each wait a durable sleep, so the same generated
 * code resumes after a crash. Names are deterministic within a run (call path, stepId, the
 * step's visit and attempt), so a replay finds the journal entry of every exchange it repeats.
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** A response as it came off the wire, before its body is decoded: what a journal stores. */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
}

export interface ExecutionService {
  /** One attempt of a step's exchange (its transient retries included). */
  readonly exchange: <E>(name: string, attempt: Effect.Effect<RawResponse, E>) => Effect.Effect<RawResponse, E>
  /** A wait between polls or before a retry. */
  readonly sleep: (name: string, duration: Duration.Duration) => Effect.Effect<void>
}

export const inMemory: ExecutionService = {
  exchange: (_name, attempt) => attempt,
  sleep: (_name, duration) => Effect.sleep(duration)
}

export class Execution extends Context.Reference<ExecutionService>("arazzo-effect/Execution", {
  defaultValue: () => inMemory
}) {}

/**
 * The chain of steps through which the current workflow was started (`""` at the top): a called
 * workflow's exchanges are named under the step that called it, so names never repeat.
 */
export const CurrentCallPath: Context.Reference<string> = Context.Reference("arazzo-effect/CurrentCallPath", {
  defaultValue: () => ""
})

/** The step attempt an exchange belongs to, as request-level tools (recording, replay) need it. */
export interface StepAttempt {
  readonly workflowId: string
  readonly stepId: string
  readonly attempt: number
}

/**
 * The step attempt each request the runtime sends belongs to (redirects included). Tools that
 * wrap the HttpClient (recording, replay) look their request up here, whether or not spans are
 * recorded; a request sent by other code is not in it.
 */
export const stepOfRequest = new WeakMap<object, StepAttempt>()
