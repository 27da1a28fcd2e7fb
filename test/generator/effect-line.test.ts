/** `generate` without `--effect`: which line an app's project is on, from real directories on disk. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { detectEffectLine } from "../../generator/effect-line.js"

const made: Array<string> = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A project with a package.json and, optionally, an installed `effect` of some version. */
const project = (manifest: object | undefined, installed?: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-effect-line-"))
  made.push(dir)
  if (manifest !== undefined) writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest))
  if (installed !== undefined) {
    mkdirSync(path.join(dir, "node_modules/effect"), { recursive: true })
    writeFileSync(path.join(dir, "node_modules/effect/package.json"), JSON.stringify({ version: installed }))
  }
  return dir
}

describe("detectEffectLine", () => {
  it("takes the major of the effect installed above the output directory", () => {
    const dir = project({ dependencies: { effect: "^3.22.0" } }, "4.1.0")
    const found = detectEffectLine(path.join(dir, "src/generated"))
    expect(found).toMatchObject({ line: 4, detected: true })
    expect(found.reason).toContain("effect 4.1.0 installed")
  })

  it("falls back to the range a package.json declares when nothing is installed", () => {
    expect(detectEffectLine(project({ dependencies: { effect: "^4.1.0" } })).line).toBe(4)
    expect(detectEffectLine(project({ devDependencies: { effect: "~3.22" } })).line).toBe(3)
    // A range over both lines: the lower one, which every app in the range can read.
    expect(detectEffectLine(project({ peerDependencies: { effect: "^3.22.0 || ^4.1.0" } })).line).toBe(3)
  })

  it("says it could not tell, and chooses 3, when no effect is installed or declared", () => {
    const found = detectEffectLine(project({ name: "empty" }))
    expect(found.detected).toBe(false)
    expect(found.line).toBe(3)
    expect(found.reason).toContain("pass --effect 4")
  })

  it("ignores a line it does not know", () => {
    const found = detectEffectLine(project({ dependencies: { effect: "^2.4.0" } }, "2.4.19"))
    expect(found.detected).toBe(false)
  })
})
