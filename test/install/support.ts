/**
 * The pieces of the install test: commands run as a user's shell runs them (no npm lifecycle
 * variables inherited from `npm test`, the chosen Node first on PATH), the packed tarball, and a
 * fresh app directory with the Civitai documents in it.
 */
import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { performance } from "node:perf_hooks"

export const root = path.resolve(import.meta.dirname, "../..")

export interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly seconds: number
}

/** The environment of a shell: no npm_* / INIT_CWD from the npm script that started the tests, `node` first on PATH. */
export const shellEnv = (node: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== "INIT_CWD" && !key.startsWith("VITEST")) env[key] = value
  }
  env["PATH"] = `${path.dirname(node)}${path.delimiter}${process.env["PATH"] ?? ""}`
  return { ...env, ...extra }
}

/** Runs a command to its end (never rejects: the code says how it went). */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number }
): Promise<Ran> =>
  new Promise((resolve) => {
    const started = performance.now()
    execFile(command, args, {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 })
    })
  })

/** A failed command's output, for an assertion message. */
export const explain = (ran: Ran) => `exit ${ran.code}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`

export interface Packed {
  readonly tarball: string
  readonly bytes: number
  readonly unpackedBytes: number
  readonly files: ReadonlyArray<string>
  readonly seconds: number
}

/** `npm pack` of the repository (which runs `prepare`, the build) into `dir`. */
export const packProject = async (dir: string): Promise<Packed> => {
  const ran = await run("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: root,
    env: shellEnv(process.execPath),
    timeoutMs: 600_000
  })
  if (ran.code !== 0) throw new Error(`npm pack failed\n${explain(ran)}`)
  // The build's own output comes first on stdout; the report is the JSON array at the end.
  const json = ran.stdout.slice(ran.stdout.lastIndexOf("\n[\n") + 1)
  const [report] = JSON.parse(json) as Array<
    { filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> }
  >
  if (report === undefined) throw new Error(`npm pack reported nothing\n${explain(ran)}`)
  return {
    tarball: path.join(dir, report.filename),
    bytes: report.size,
    unpackedBytes: report.unpackedSize,
    files: report.files.map((f) => f.path),
    seconds: ran.seconds
  }
}

/** An empty ESM app with a copy of specs/civitai, as a user's project that has the documents. */
export const makeApp = (label: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), `arazzo-effect-app-${label}-`))
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `arazzo-effect-app-${label}`, private: true, type: "module" }, null, 2) + "\n"
  )
  cpSync(path.join(root, "specs/civitai"), path.join(dir, "specs/civitai"), { recursive: true })
  return dir
}

/** Distinct installed copies of a package in an app, from `npm ls --parseable` (one path per copy). */
export const installedCopies = (
  parseable: string,
  name: string
): Array<string> => [
  ...new Set(parseable.split("\n").map((l) => l.trim()).filter((l) => l.endsWith(`node_modules/${name}`)))
]
