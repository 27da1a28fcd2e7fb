/**
 * Which Effect line an app is on, for `generate` without `--effect`: the `effect` installed
 * where the output directory's code will resolve it (the nearest `node_modules/effect` walking up
 * from the output directory), else the range the nearest package.json that names `effect`
 * declares. Neither: the caller says so and generates for Effect 3.
 */
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import type { EffectLine } from "./emit/dialect.js"

export type { EffectLine }

export interface DetectedLine {
  readonly line: EffectLine
  /** How the line was chosen, for the command's output: `effect 4.1.0 in /app/node_modules`. */
  readonly reason: string
  /** False when nothing said: the line is the default, 3. */
  readonly detected: boolean
}

const readJson = (file: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"))
    return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

const lineOf = (major: number | undefined): EffectLine | undefined => (major === 3 || major === 4 ? major : undefined)

/** The major a semver range admits first: `^4.1.0` → 4, `~3.22` → 3, `3.x || 4.x` → 3 (the lower line). */
const rangeMajor = (range: string): number | undefined => {
  const majors = [...range.matchAll(/(?:^|[\s|^~>=<v])(\d+)(?=\.|\s|$|x)/g)].map((m) => Number(m[1]))
  return majors.length === 0 ? undefined : Math.min(...majors)
}

const declared = (manifest: Record<string, unknown>): string | undefined => {
  for (const field of ["dependencies", "peerDependencies", "devDependencies"]) {
    const deps = manifest[field]
    if (typeof deps === "object" && deps !== null) {
      const range = (deps as Record<string, unknown>)["effect"]
      if (typeof range === "string") return range
    }
  }
  return undefined
}

/** The Effect line for modules written to `outDir` (absolute or relative to the working directory). */
export const detectEffectLine = (outDir: string): DetectedLine => {
  const start = path.resolve(outDir)
  const dirs: Array<string> = []
  for (let dir = start;; dir = path.dirname(dir)) {
    dirs.push(dir)
    if (path.dirname(dir) === dir) break
  }
  for (const dir of dirs) {
    const installed = path.join(dir, "node_modules", "effect", "package.json")
    if (!existsSync(installed)) continue
    const version = readJson(installed)?.["version"]
    const line = typeof version === "string" ? lineOf(Number(version.split(".")[0])) : undefined
    if (line !== undefined) {
      return {
        line,
        reason: `effect ${String(version)} installed in ${path.join(dir, "node_modules")}`,
        detected: true
      }
    }
  }
  for (const dir of dirs) {
    const manifest = readJson(path.join(dir, "package.json"))
    const range = manifest === undefined ? undefined : declared(manifest)
    if (range === undefined) continue
    const line = lineOf(rangeMajor(range))
    if (line !== undefined) {
      return { line, reason: `effect ${range} declared in ${path.join(dir, "package.json")}`, detected: true }
    }
  }
  return {
    line: 3,
    reason: `no effect installed or declared above ${start}; pass --effect 4 for Effect 4`,
    detected: false
  }
}
