/** The compiler worker's entry point: runs one task of ./compiler-tasks.ts and posts its result. */
import { parentPort, workerData } from "node:worker_threads"
import { type TaskName, tasks } from "./compiler-tasks.js"

const { task, args } = workerData as { readonly task: TaskName; readonly args: ReadonlyArray<unknown> }
const run = tasks[task] as (...args: ReadonlyArray<unknown>) => Promise<unknown>

run(...args).then(
  (value) => parentPort?.postMessage({ ok: true, value }),
  (error: unknown) =>
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) })
)
