/**
 * The standalone validators (generator/validate/schema/arazzo-<line>.validate.cjs) are committed:
 * each must be what scripts/compile-schemas.ts makes of the schema and its corrections today, and
 * checking a document must not compile a schema (the point of having them).
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { schemaLines } from "../../generator/validate/schema-source.js"
import { compiledSchemaFile } from "../../generator/validate/schema-validator.js"
import { compiledSchemaModule } from "../../scripts/compile-schemas.js"

const root = path.resolve(import.meta.dirname, "../..")

describe("the compiled Arazzo schemas", () => {
  it.each(schemaLines)("the %s validator is current (else: npx tsx scripts/compile-schemas.ts)", (line) => {
    const committed = readFileSync(fileURLToPath(compiledSchemaFile(line)), "utf8")
    expect(committed === compiledSchemaModule(line)).toBe(true)
  })

  it("checks 1.0 and 1.1 documents without loading ajv's compiler", () => {
    const script = `
      import { createRequire } from "node:module"
      import { parseYaml } from "./generator/load/yaml.ts"
      import { validateStructure } from "./generator/validate/structure.ts"
      const found = []
      for (const arazzo of ["1.0.1", "1.1.0"]) {
        const { source } = parseYaml("doc.yaml", "arazzo: " + arazzo + "\\ninfo: { title: t }\\n")
        found.push(validateStructure(source).map((d) => d.code).join(","))
      }
      const cache = Object.keys(createRequire(import.meta.url).cache)
      console.log(JSON.stringify({ found, compiler: cache.filter((f) => /ajv[\\\\/]dist[\\\\/](core|compile)/.test(f)) }))
    `
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8"
    })
    const { found, compiler } = JSON.parse(out) as { found: Array<string>; compiler: Array<string> }
    // Both lines really validated (the version is fine, the rest is missing)…
    expect(found).toEqual([
      "structure-required,structure-required,structure-required",
      "structure-required,structure-required,structure-required"
    ])
    // …and no module of ajv's compiler was loaded to do it.
    expect(compiler).toEqual([])
  })
})
