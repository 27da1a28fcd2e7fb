/**
 * Starting the compiler worker (./compiler-worker.ts). Apart from ./compiler.ts, and without
 * Effect, so that the command's entry (generator/cli.ts) can start the worker for `check` and
 * `generate` before the rest of the CLI loads: the worker then loads the compiler (yaml, ajv, the
 * checks) on another core while this thread loads the CLI, instead of after it.
 */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import { bundled } from "./bundled.js"
import type { TaskName } from "./compiler-tasks.js"
import { packageRoot } from "./package-root.js"

/** Running from the TypeScript sources (under tsx) rather than from the built JavaScript. */
const fromSources = import.meta.url.endsWith(".ts")

/**
 * The worker's entry. Bundled, this module may sit in any chunk of dist/cli/, so the entry (its own
 * bundle entry point, scripts/bundle-cli.ts) is found from the package's root.
 */
const entry = () =>
  bundled
    ? pathToFileURL(path.join(packageRoot(), "dist/cli/compiler/worker.js"))
    : new URL(`./compiler-worker${fromSources ? ".ts" : ".js"}`, import.meta.url)

/** What a worker is started with: its task, or (started early) the task it will be sent. */
export type WorkerStart =
  | { readonly task: TaskName; readonly args: ReadonlyArray<unknown> }
  | { readonly early: TaskName }

/**
 * A worker running the entry. From the sources, the worker first registers tsx's loader itself:
 * Node 20 does not carry `--import` preloads into worker threads.
 */
const startWorker = (workerData: WorkerStart): Worker => {
  const url = entry()
  if (!fromSources) return new Worker(url, { workerData })
  const tsx = import.meta.resolve("tsx/esm/api")
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${
    JSON.stringify(url.href)
  }) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

interface Early {
  readonly worker: Worker
  readonly task: TaskName
  /** It failed to start or stopped before it was given its task. */
  failed: boolean
}

let early: Early | undefined

/**
 * Starts a worker for `task` now. Unreferenced until it is given the task, so a command that
 * ends without one (`--help`, a usage error) exits as before; a failure is only recorded here
 * (workerFor then starts a fresh worker, which reports it).
 */
export const startEarly = (task: TaskName): void => {
  const worker = startWorker({ early: task })
  worker.unref()
  const started: Early = { worker, task, failed: false }
  const failed = () => {
    started.failed = true
  }
  worker.once("error", failed)
  worker.once("exit", failed)
  early = started
}

/** A worker doing `task`: the one started early for it (once), else a fresh one. */
export const workerFor = (task: TaskName, args: ReadonlyArray<unknown>): Worker => {
  const taken = early
  early = undefined
  if (taken !== undefined && taken.task === task && !taken.failed) {
    taken.worker.ref()
    taken.worker.postMessage({ task, args })
    return taken.worker
  }
  if (taken !== undefined) void taken.worker.terminate()
  return startWorker({ task, args })
}
