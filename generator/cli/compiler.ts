/**
 * The compiler, run off the main thread. Parsing, checking, lowering, emitting and formatting are
 * CPU-bound and synchronous: on the main thread they keep the event loop from running the
 * SIGINT/SIGTERM handlers, so Ctrl-C did nothing until a large document was done. In a worker
 * thread the main thread stays idle and answers a signal at once: interrupting the task
 * terminates the worker (V8 stops it wherever it is) and the command exits 130/143.
 */
import * as Effect from "effect/Effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import { bundled } from "./bundled.js"
import type { TaskName, Tasks } from "./compiler-tasks.js"
import { packageRoot } from "./package-root.js"

/** Running from the TypeScript sources (under tsx) rather than from the built JavaScript. */
const fromSources = import.meta.url.endsWith(".ts")

/**
 * The worker's entry. Bundled, this module may sit in any chunk of dist/cli/, so the entry (its own
 * bundle entry point, scripts/bundle-cli.ts) is found from the package's root.
 */
const entry = bundled
  ? pathToFileURL(path.join(packageRoot(), "dist/cli/compiler-worker.js"))
  : new URL(`./compiler-worker${fromSources ? ".ts" : ".js"}`, import.meta.url)

/**
 * A worker running the entry. From the sources, the worker first registers tsx's loader itself:
 * Node 20 does not carry `--import` preloads into worker threads.
 */
const startWorker = (workerData: unknown): Worker => {
  if (!fromSources) return new Worker(entry, { workerData })
  const tsx = import.meta.resolve("tsx/esm/api")
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${
    JSON.stringify(entry.href)
  }) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

type Result<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>

/** Runs a compiler task in a fresh worker; a failure inside it is a defect (a bug), reported with its stack. */
export const inWorker = <K extends TaskName>(task: K, ...args: Parameters<Tasks[K]>): Effect.Effect<Result<K>> =>
  Effect.async<Result<K>>((resume) => {
    const worker = startWorker({ task, args })
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
