/**
 * Redocly CLI (`@redocly/cli`, the comparison for the CLI benchmark): not a dependency of the
 * project. The benchmark installs a pinned version with npm into bench/.cache/ (ignored by git)
 * the first time, and reuses it after. `REDOCLY_CLI=/path/to/bin/cli.js` uses another copy.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { log } from "./stats.js"

/** Pinned, so results stay comparable between runs; bump it deliberately. */
export const REDOCLY_VERSION = "2.77.0"

const CACHE = fileURLToPath(new URL("../.cache/", import.meta.url))

export type Redocly =
  | { readonly available: true; readonly cli: string; readonly version: string; readonly installed: boolean }
  | { readonly available: false; readonly reason: string }

export const ensureRedocly = (): Redocly => {
  const given = process.env.REDOCLY_CLI
  if (given !== undefined) {
    return existsSync(given)
      ? { available: true, cli: given, version: "as given by REDOCLY_CLI", installed: false }
      : { available: false, reason: `REDOCLY_CLI=${given} does not exist` }
  }
  const dir = path.join(CACHE, `redocly-cli-${REDOCLY_VERSION}`)
  const cli = path.join(dir, "node_modules/@redocly/cli/bin/cli.js")
  if (existsSync(cli)) return { available: true, cli, version: REDOCLY_VERSION, installed: false }
  mkdirSync(dir, { recursive: true })
  // A package.json of its own, so npm installs here and not into the repository.
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, description: "bench cache" }) + "\n")
  log(`cli: installing @redocly/cli@${REDOCLY_VERSION} into ${path.relative(process.cwd(), dir)}`)
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", `@redocly/cli@${REDOCLY_VERSION}`], {
    cwd: dir,
    encoding: "utf8",
    timeout: 300_000
  })
  if (result.status !== 0 || !existsSync(cli)) {
    const why = (result.error?.message ?? `${result.stderr}`.trim().split("\n").slice(-3).join(" ")) || "unknown"
    return { available: false, reason: `npm install @redocly/cli@${REDOCLY_VERSION} failed (${why})` }
  }
  return { available: true, cli, version: REDOCLY_VERSION, installed: true }
}
