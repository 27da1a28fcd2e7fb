/**
 * The nested project test/effect4/ (Effect 4, its platform, vitest 5): installed with `npm ci` when
 * its node_modules is missing or was installed from another package-lock.json. The lock's sha256 is
 * written into node_modules after a successful install, so "stale" is one file read.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"

export const effect4Dir = path.resolve(import.meta.dirname, "../test/effect4")
const stamp = path.join(effect4Dir, "node_modules/.arazzo-effect-lock.sha256")

const lockHash = () =>
  createHash("sha256").update(readFileSync(path.join(effect4Dir, "package-lock.json"))).digest("hex")

export interface Effect4Project {
  readonly dir: string
  readonly tsc: string
  readonly vitest: string
  /** Whether this call ran `npm ci`. */
  readonly installed: boolean
}

/**
 * Installs the project when needed. `node` is the Node that npm and install scripts run on (its
 * directory goes first on PATH): Node 22 for the tests, any Node for type-checking.
 */
export const ensureEffect4Project = (options: { readonly node: string }): Effect4Project => {
  const wanted = lockHash()
  const current = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : undefined
  const installed = current !== wanted
  if (installed) {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], {
      cwd: effect4Dir,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PATH: `${path.dirname(options.node)}${path.delimiter}${process.env["PATH"] ?? ""}` }
    })
    writeFileSync(stamp, `${wanted}\n`)
  }
  return {
    dir: effect4Dir,
    tsc: path.join(effect4Dir, "node_modules/typescript/bin/tsc"),
    vitest: path.join(effect4Dir, "node_modules/vitest/vitest.mjs"),
    installed
  }
}
