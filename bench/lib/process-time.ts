/**
 * One command in a fresh process, timed from outside: wall time around it, and its CPU time
 * (user + system, the process and its children) as bash's `times` reports it for the children
 * of the shell, which the command is the only one of. Output goes to files, so a chatty
 * command does not fill a pipe.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"

export interface Timed {
  readonly status: number | null
  readonly wallMs: number
  readonly cpuMs: number
  readonly stdout: string
  readonly stderr: string
}

// `times` prints the shell's user and system time, then its children's: "0m1.234s 0m0.210s".
const SCRIPT = `"$@" >"$OUT" 2>"$ERR"; rc=$?; times; exit $rc`

const seconds = (text: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(text)
  if (m === null) throw new Error(`cannot read a time from ${JSON.stringify(text)}`)
  return Number(m[1]) * 60 + Number(m[2])
}

export const timed = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number }
): Promise<Timed> =>
  new Promise((resolve, reject) => {
    const dir = mkdtempSync(path.join(tmpdir(), "arazzo-bench-proc-"))
    const out = path.join(dir, "stdout")
    const err = path.join(dir, "stderr")
    const started = performance.now()
    const child = spawn("bash", ["-c", SCRIPT, "bash", command, ...args], {
      cwd: options.cwd,
      env: { ...options.env, OUT: out, ERR: err },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let times = ""
    child.stdout.on("data", (chunk: Buffer) => (times += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
    child.once("error", reject)
    child.once("exit", (status, signal) => {
      const wallMs = performance.now() - started
      clearTimeout(timer)
      try {
        if (signal !== null) {
          throw new Error(`${command} ${args.join(" ")} was stopped (${signal}) after ${Math.round(wallMs)} ms`)
        }
        const children = times.trim().split("\n")[1]?.trim().split(/\s+/) ?? []
        if (children.length !== 2) throw new Error(`no CPU times from bash for ${command}: ${JSON.stringify(times)}`)
        resolve({
          status,
          wallMs,
          cpuMs: (seconds(children[0]!) + seconds(children[1]!)) * 1000,
          stdout: readFileSync(out, "utf8"),
          stderr: readFileSync(err, "utf8")
        })
      } catch (error) {
        reject(error)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
