/**
 * The compiler, run off the main thread. Parsing, checking, lowering, emitting and formatting are
 * CPU-bound and synchronous: on the main thread they keep the event loop from running the
 * SIGINT/SIGTERM handlers, so Ctrl-C did nothing until a large document was done. In a worker
 * thread the main thread stays idle and answers a signal at once: interrupting the task
 * terminates the worker (V8 stops it wherever it is) and the command exits 130/143.
 */
import * as Effect from "effect/Effect"
import { workerFor } from "./compiler-start.js"
import type { TaskName, Tasks } from "./compiler-tasks.js"

type Result<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>

/**
 * Runs a compiler task in a worker of its own (started early by the entry, or now); a failure
 * inside it is a defect (a bug), reported with its stack.
 */
export const inWorker = <K extends TaskName>(task: K, ...args: Parameters<Tasks[K]>): Effect.Effect<Result<K>> =>
  Effect.async<Result<K>>((resume) => {
    const worker = workerFor(task, args)
    let settled = false
    const settle = (effect: Effect.Effect<Result<K>>) => {
      if (settled) return
      settled = true
      resume(effect)
    }
    worker.once("message", (message: { ok: boolean; value?: unknown; error?: string }) => {
      settle(message.ok ? Effect.succeed(message.value as Result<K>) : Effect.die(new Error(message.error)))
      void worker.terminate()
    })
    worker.once("error", (error) => settle(Effect.die(error)))
    worker.once(
      "exit",
      (code) => settle(Effect.die(new Error(`the compiler worker stopped (exit ${code}) without a result`)))
    )
    return Effect.promise(() => worker.terminate())
  })
