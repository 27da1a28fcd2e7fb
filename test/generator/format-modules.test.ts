/**
 * A generated module is formatted whole below a size bound and declaration by declaration above
 * it; the two ways must give the same bytes, or generated/ would change with a module's size.
 */
import { readdir, readFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import {
  formatByDeclaration,
  formatGeneratedModule,
  formatTypeScript,
  WHOLE_MODULE_CHARS
} from "../../generator/format/index.js"

const generated = path.resolve(import.meta.dirname, "../../generated")

describe("formatting generated modules", () => {
  it("whole-module and per-declaration formatting agree on every committed module", async () => {
    const names = (await readdir(generated)).filter((f) => f.endsWith(".ts")).sort()
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) {
      const committed = await readFile(path.join(generated, name), "utf8")
      // (dprint is not always idempotent, so the two are compared with each other, not with the input.)
      expect(formatByDeclaration(committed, name), name).toBe(formatTypeScript(committed, name))
    }
  })

  it("a module above the bound is formatted per declaration, to the same text", () => {
    const declaration = (i: number) => `export const value${i} = {\nname: 'v${i}', items: [1,2,3]\n}\n`
    const pieces: Array<string> = []
    for (let i = 0; pieces.join("\n").length <= WHOLE_MODULE_CHARS; i++) pieces.push(declaration(i))
    const big = pieces.join("\n")
    expect(big.length).toBeGreaterThan(WHOLE_MODULE_CHARS)
    const formatted = formatGeneratedModule(big)
    expect(formatted).toBe(formatTypeScript(big))
    expect(formatted).toContain(`export const value0 = {\n  name: "v0",\n  items: [1, 2, 3]\n}\n\nexport const value1`)
  })
})
