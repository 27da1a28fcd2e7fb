/**
 * What the package promises about imports: the generator API (`import { generate } from
 * "arazzo-effect"`) reaches no Effect at all, so it never brings a second copy into an app; and
 * `run` serves every bare specifier the committed Effect 3 modules import.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { runModuleSpecifiers } from "../../generator/cli/run-modules.js"
import { root } from "./support.js"

/** Module specifiers of a TypeScript file, type-only imports left out (they vanish when compiled). */
const specifiersOf = (file: string): Array<string> => {
  const text = readFileSync(file, "utf8")
  const found: Array<string> = []
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)"/gm)) {
    if (match[2] === undefined) found.push(match[3]!)
  }
  for (const match of text.matchAll(/\bimport\("([^"]+)"\)/g)) found.push(match[1]!)
  return found
}

/** Every bare specifier reachable from a file through relative imports. */
const reachableBareImports = (entry: string): Map<string, string> => {
  const bare = new Map<string, string>()
  const queue = [entry]
  const seen = new Set(queue)
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!
    for (const specifier of specifiersOf(file)) {
      if (!specifier.startsWith(".")) {
        if (!bare.has(specifier)) bare.set(specifier, path.relative(root, file))
        continue
      }
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"))
      if (!seen.has(target)) {
        seen.add(target)
        queue.push(target)
      }
    }
  }
  return bare
}

describe("imports", () => {
  it("the generator API reaches no effect or @effect/* module", () => {
    const bare = reachableBareImports(path.join(root, "generator/index.ts"))
    expect(bare.size).toBeGreaterThan(3) // yaml, ts-morph, … are found: the walk works
    const effect = [...bare].filter(([specifier]) => /^(effect|@effect\/)/.test(specifier))
    expect(effect).toEqual([])
  })

  it("`run` serves every bare specifier the committed Effect 3 modules import", () => {
    const dir = path.join(root, "generated")
    const modules = readdirSync(dir).filter((f) => f.endsWith(".ts"))
    expect(modules.length).toBeGreaterThan(5)
    const imported = new Set(modules.flatMap((m) => specifiersOf(path.join(dir, m)).filter((s) => !s.startsWith("."))))
    expect(imported).toContain("effect/Effect")
    expect([...imported].filter((s) => !(runModuleSpecifiers as ReadonlyArray<string>).includes(s))).toEqual([])
  })
})
