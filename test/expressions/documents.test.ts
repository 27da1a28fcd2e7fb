import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import {
  hasRuntimeExpressionPrefix,
  parseCondition,
  parseRuntimeExpression,
  parseTemplate
} from "../../generator/expressions/index.js"

const CIVITAI = fileURLToPath(new URL("../../specs/civitai/arazzo/", import.meta.url))

interface Criterion {
  readonly condition: string
  readonly contextRoot: boolean
  readonly type: unknown
  readonly where: string
}

interface Found {
  readonly criteria: Array<Criterion>
  /** String values (never keys) that contain a `$`, with where they are. */
  readonly values: Array<{ readonly value: string; readonly where: string }>
}

/** Prose fields are not evaluated, so a `$` in them is just text. */
const PROSE = new Set(["description", "summary", "title"])

const collect = (node: unknown, where: string, found: Found): void => {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collect(item, `${where}[${i}]`, found))
    return
  }
  if (typeof node !== "object" || node === null) return
  const record = node as Record<string, unknown>
  const condition = record["condition"]
  if (typeof condition === "string") {
    // A criterion with a context (type jsonpath) evaluates `$` against that context.
    const contextRoot = record["context"] !== undefined || record["type"] === "jsonpath"
    found.criteria.push({ condition, contextRoot, type: record["type"], where: `${where}.condition` })
  }
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string") {
      if (key !== "condition" && !PROSE.has(key) && value.includes("$")) {
        found.values.push({ value, where: `${where}.${key}` })
      }
    } else {
      collect(value, `${where}.${key}`, found)
    }
  }
}

const documents = readdirSync(CIVITAI).filter((name) => name.endsWith(".yml")).sort()

describe("civitai Arazzo documents", () => {
  const found: Found = { criteria: [], values: [] }
  for (const name of documents) collect(parse(readFileSync(join(CIVITAI, name), "utf8")), name, found)

  it("has documents with criteria and expressions to check", () => {
    expect(documents.length).toBeGreaterThanOrEqual(13)
    expect(found.criteria.length).toBeGreaterThanOrEqual(50)
    expect(found.criteria.some((c) => c.contextRoot)).toBe(true)
    expect(found.values.length).toBeGreaterThanOrEqual(100)
  })

  it("parses every condition", () => {
    const failures = found.criteria.flatMap(({ condition, contextRoot, where }) => {
      const result = parseCondition(condition, { contextRoot })
      return result.ok ? [] : [`${where}: ${condition}: ${result.error.message}`]
    })
    expect(failures).toEqual([])
  })

  it("parses every value that starts like a runtime expression as one", () => {
    const expressions = found.values.filter(({ value }) => hasRuntimeExpressionPrefix(value))
    expect(expressions.length).toBeGreaterThanOrEqual(100)
    const failures = expressions.flatMap(({ value, where }) => {
      const result = parseRuntimeExpression(value)
      return result.ok ? [] : [`${where}: ${value}: ${result.error.message}`]
    })
    expect(failures).toEqual([])
  })

  it("parses every value containing '$' as a template", () => {
    const failures = found.values.flatMap(({ value, where }) => {
      const result = parseTemplate(value)
      return result.ok ? [] : [`${where}: ${value}: ${result.error.message}`]
    })
    expect(failures).toEqual([])
  })

  it("recognises the unbraced 'Bearer $inputs.apiKey' the documents use, with the spec form", () => {
    const bearer = found.values.filter(({ value }) => value === "Bearer $inputs.apiKey")
    expect(bearer.length).toBeGreaterThan(0)
    const template = parseTemplate("Bearer $inputs.apiKey")
    expect(template.ok && template.value.bare.map((b) => b.suggestion)).toEqual(["Bearer {$inputs.apiKey}"])
  })

  it("keeps a '$type' payload key out of the expressions (it is a key, not a value)", () => {
    expect(found.values.some(({ value }) => value.startsWith("$type"))).toBe(false)
  })
})
