/**
 * Runs test/durable/img2img-worker.ts as a real child process and follows its JSON event lines,
 * so a test can wait for one, kill the process with SIGKILL, and start it again on the same store.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../..")

export interface WorkerEvent {
  readonly event: string
  readonly [field: string]: unknown
}

export interface Worker {
  readonly process: ChildProcess
  /** Milliseconds since the process was spawned. */
  readonly elapsed: () => number
  /** Resolves with the first event of that name (already printed or still to come). */
  readonly next: (event: string) => Promise<WorkerEvent>
  /** Every event of that name printed so far. */
  readonly all: (event: string) => ReadonlyArray<WorkerEvent>
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly stderr: () => string
  /** Started with `wait`: opens the store and runs from now on. Returns when it was told (epoch ms). */
  readonly go: () => number
}

export interface WorkerOptions {
  /** A store key (`ARAZZO_DURABLE_KEY`): the worker seals its store with it. */
  readonly key?: string | undefined
  /**
   * Load the modules now, open the store only on `go()`: the process that replaces a worker a
   * test kills is started while the first one runs, so the test does not wait for it to load.
   */
  readonly wait?: boolean | undefined
}

export const startWorker = (
  mockUrl: string,
  store: string,
  args: ReadonlyArray<string> = [],
  { key, wait }: WorkerOptions = {}
): Worker => {
  const started = Date.now()
  const script = "test/durable/img2img-worker.ts"
  const child = spawn(
    process.execPath,
    ["--import", "tsx", script, mockUrl, store, ...args, ...(wait === true ? ["--wait"] : [])],
    {
      cwd: root,
      stdio: [wait === true ? "pipe" : "ignore", "pipe", "pipe"],
      env: key === undefined ? process.env : { ...process.env, ARAZZO_DURABLE_KEY: key }
    }
  )
  const events: Array<WorkerEvent> = []
  const waiting: Array<{ readonly event: string; readonly resolve: (e: WorkerEvent) => void }> = []
  let buffered = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk
    let newline: number
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (!line.startsWith("{")) continue
      const event = JSON.parse(line) as WorkerEvent
      events.push(event)
      for (const w of waiting.filter((w) => w.event === event.event)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(event)
      }
    }
  })
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  return {
    process: child,
    elapsed: () => Date.now() - started,
    next: (event) => {
      const seen = events.find((e) => e.event === event)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiting.push({ event, resolve })
        void exited.then(({ code, signal }) =>
          reject(new Error(`worker exited (${signal ?? code}) before "${event}":\n${stderr.slice(-2000)}`))
        )
      })
    },
    all: (event) => events.filter((e) => e.event === event),
    exited,
    stderr: () => stderr,
    go: () => {
      child.stdin!.write("go\n")
      return Date.now()
    }
  }
}

/** Resolves once `condition` holds, checking every 10 ms; rejects after `timeoutMs`. */
export const until = (condition: () => boolean, timeoutMs: number, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const check = () => {
      if (condition()) resolve()
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`))
      else setTimeout(check, 10)
    }
    check()
  })

/** A port nothing listens on right now, on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject())
    })
  })
