/** Runs the real CLI in a child process (`node --import tsx generator/cli.ts …`), as users run it. */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

export const root = path.resolve(import.meta.dirname, "../..")
const tsx = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href
const cliPath = path.join(root, "generator/cli.ts")

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `arazzo-effect …args` to its end. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}
) =>
  new Promise<CliResult>((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsx, cliPath, ...args],
      { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })

/** Starts `arazzo-effect …args` and leaves it running (for `--watch`). */
export const startCli = (
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}
): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, ["--import", tsx, cliPath, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env }
  })

/** Collects a stream's text and resolves once it matches `pattern` (rejects after `timeoutMs`). */
export const outputOf = (stream: NodeJS.ReadableStream) => {
  let text = ""
  const waiting: Array<{ pattern: RegExp; from: number; resolve: (text: string) => void }> = []
  stream.setEncoding("utf8")
  stream.on("data", (chunk: string) => {
    text += chunk
    for (const w of [...waiting]) {
      if (w.pattern.test(text.slice(w.from))) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(text)
      }
    }
  })
  return {
    get text() {
      return text
    },
    /** Resolves when text written from now on (or already, with `fromStart`) matches. */
    waitFor: (pattern: RegExp, timeoutMs: number, fromStart = false) =>
      new Promise<string>((resolve, reject) => {
        const from = fromStart ? 0 : text.length
        if (pattern.test(text.slice(from))) return resolve(text)
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`)),
          timeoutMs
        )
        waiting.push({ pattern, from, resolve: (t) => (clearTimeout(timer), resolve(t)) })
      })
  }
}
