/**
 * Child processes for the benchmarks: a TypeScript entry run under tsx with an IPC channel,
 * killed when the parent exits (normally, on a signal or on an uncaught error), and small
 * request/response messaging over IPC.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const children = new Set<ChildProcess>()
let hooked = false

const killAll = () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
}

const hookExit = () => {
  if (hooked) return
  hooked = true
  process.on("exit", killAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll()
      process.exit(130)
    })
  }
}

/** Runs `node --import tsx <entry> ...args` with stdio inherited and an IPC channel. */
export const spawnTs = (
  entry: string | URL,
  args: ReadonlyArray<string> = [],
  options: { readonly nodeArgs?: ReadonlyArray<string>; readonly env?: NodeJS.ProcessEnv } = {}
): ChildProcess => {
  hookExit()
  const file = entry instanceof URL ? fileURLToPath(entry) : entry
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", file, ...args], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: options.env ?? process.env
  })
  children.add(child)
  child.once("exit", () => children.delete(child))
  return child
}

/** Resolves with the first IPC message that matches, or rejects if the child exits first. */
export const nextMessage = <A>(child: ChildProcess, match: (message: any) => boolean, timeoutMs = 60_000): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no message from child ${child.pid} within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (message: unknown) => {
      if (!match(message)) return
      cleanup()
      resolve(message as A)
    }
    const onExit = (code: number | null, signal: string | null) => {
      cleanup()
      reject(new Error(`child ${child.pid} exited (code ${code}, signal ${signal}) before answering`))
    }
    const cleanup = () => {
      clearTimeout(timer)
      child.off("message", onMessage)
      child.off("exit", onExit)
    }
    child.on("message", onMessage)
    child.once("exit", onExit)
  })

let requestId = 0

/** Sends `{ id, ...command }` and waits for the reply carrying the same id. */
export const ask = <A>(child: ChildProcess, command: Record<string, unknown>, timeoutMs = 60_000): Promise<A> => {
  const id = ++requestId
  const reply = nextMessage<A>(child, (m) => typeof m === "object" && m !== null && m.id === id, timeoutMs)
  child.send({ ...command, id })
  return reply
}

/** Stops a child: SIGTERM, then SIGKILL after a grace period. */
export const stop = (child: ChildProcess, graceMs = 2_000): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })
