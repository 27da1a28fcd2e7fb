/**
 * Response types are bounded: a schema that nests many objects without a cycle (Google's
 * generated descriptions) is typed as deep as fits `MAX_TYPE_NODES`, every member to the same
 * depth, and `unknown` below; a schema that fits is typed in full.
 */
import { describe, expect, it } from "vitest"
import { MAX_TYPE_NODES, type TypeIR, typeOfSchema } from "../../generator/lower/types.js"

/** An object schema `levels` deep, each level with `width` members that are objects again. */
const tree = (levels: number, width: number): Record<string, unknown> =>
  levels === 0
    ? { type: "string" }
    : {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: width }, (_, i) => [`p${i}`, tree(levels - 1, width)]))
    }

const nodes = (t: TypeIR): number =>
  1 +
  (t.kind === "object"
    ? t.properties.reduce((n, p) => n + nodes(p.type), 0)
    : t.kind === "array"
    ? nodes(t.items)
    : 0)

/** The depths at which `unknown` appears (0 = the root). */
const unknownDepths = (t: TypeIR, depth = 0, found = new Set<number>()): Set<number> => {
  if (t.kind === "unknown") found.add(depth)
  if (t.kind === "object") { for (const p of t.properties) unknownDepths(p.type, depth + 1, found) }
  return found
}

describe("type budget", () => {
  it("types a schema that fits in full", () => {
    const type = typeOfSchema(tree(3, 4))
    expect(unknownDepths(type).size).toBe(0)
    expect(nodes(type)).toBe(1 + 4 + 16 + 64)
  })

  it("cuts a schema over the budget at one depth for every member", () => {
    // Levels of 1, 6, 36, 216 and 1296 nodes: three levels and an `unknown` fourth fit 150, four do not.
    const type = typeOfSchema(tree(5, 6))
    expect(MAX_TYPE_NODES).toBeLessThan(1 + 6 + 36 + 216)
    expect(nodes(type)).toBeLessThanOrEqual(MAX_TYPE_NODES)
    expect([...unknownDepths(type)]).toEqual([2])
    expect(nodes(type)).toBe(1 + 6 + 36)
  })
})
