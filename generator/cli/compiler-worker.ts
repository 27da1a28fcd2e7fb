/**
 * The compiler worker's entry point: runs one task of ./compiler-tasks.ts and posts its result.
 * Started early (./compiler-start.ts), it loads the compiler first and is sent the task later.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { WorkerStart } from "./compiler-start.js"
import { preload, type TaskName, tasks } from "./compiler-tasks.js"

const perform = (task: TaskName, args: ReadonlyArray<unknown>): void => {
  const run = tasks[task] as (...args: ReadonlyArray<unknown>) => Promise<unknown>
  run(...args).then(
    (value) => parentPort?.postMessage({ ok: true, value }),
    (error: unknown) =>
      parentPort?.postMessage({
        ok: false,
        error: error instanceof Error ? error.stack ?? error.message : String(error)
      })
  )
}

const start = workerData as WorkerStart
if ("early" in start) {
  // What the task will import anyway, loaded while the task is not yet known; a failure here is
  // the task's to report when it imports the same module.
  preload[start.early]().catch(() => undefined)
  parentPort?.once(
    "message",
    (message: { task: TaskName; args: ReadonlyArray<unknown> }) => perform(message.task, message.args)
  )
} else {
  perform(start.task, start.args)
}
