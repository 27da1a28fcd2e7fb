import { describe, expect, it } from "vitest"
import { jsonPath, where } from "../../runtime/core/jsonpath.js"
import {
  at,
  each,
  equal,
  greaterOrEqual,
  greaterThan,
  lessOrEqual,
  lessThan,
  notEqual,
  truthy
} from "../../runtime/core/values.js"

describe("each", () => {
  it("reads a path of every item, undefined for items without it", () => {
    expect(each([{ id: 1 }, { id: 2, x: 0 }, {}, "s"], ["id"])).toEqual([1, 2, undefined, undefined])
    expect(each([{ a: { b: "x" } }], ["a", "b"])).toEqual(["x"])
    expect(each(["a", "b"], [])).toEqual(["a", "b"])
  })
  it("is undefined for a value that is not a list", () => {
    expect(each({ id: 1 }, ["id"])).toBeUndefined()
    expect(each(undefined, ["id"])).toBeUndefined()
  })
})

describe("where", () => {
  it("keeps the items of a list that a filter query selects, in order", () => {
    const items = [{ id: 1, sent: false }, { id: 2, sent: true }, { id: 3 }, { id: 4, sent: false }, "s"]
    expect(where(jsonPath("$[?(@.sent==false)]"), items)).toEqual([{ id: 1, sent: false }, { id: 4, sent: false }])
    expect(each(where(jsonPath("$[?@.sent==false]"), items), ["id"])).toEqual([1, 4])
    expect(where(jsonPath("$[?(@.name=='On-Break')]"), [{ name: "On-Break", sid: "WA1" }, { name: "x" }]))
      .toEqual([{ name: "On-Break", sid: "WA1" }])
    expect(where(jsonPath("$[?(@.sent==false)]"), [])).toEqual([])
  })
  it("is undefined for a value that is not a list", () => {
    expect(where(jsonPath("$[?(@.sent==false)]"), { a: { sent: false } })).toBeUndefined()
    expect(where(jsonPath("$[?(@.sent==false)]"), undefined)).toBeUndefined()
  })
})

describe("at", () => {
  const body = { steps: [{ jobs: [{ result: { blobs: [{ url: "u" }] } }] }], "a/b": 1, list: ["x"] }
  it.each(
    [
      [["steps", 0, "jobs", 0, "result", "blobs", 0, "url"], "u"],
      [["steps", "0", "jobs"], body.steps[0]!.jobs],
      [["a/b"], 1],
      [["list", 1], undefined],
      [["list", "01"], undefined],
      [["steps", 0, "missing", "deeper"], undefined],
      [[], body],
      [["toString"], undefined]
    ] as const
  )("%j", (path, want) => {
    expect(at(body, path)).toEqual(want)
  })
})

describe("equal (Arazzo loose equality)", () => {
  it.each(
    [
      ["processing", "PROCESSING", true],
      ["processing", "processed", false],
      [201, 201, true],
      [201, "201", true],
      [201, "201x", false],
      [true, "true", true],
      [false, "TRUE", false],
      [null, undefined, true],
      [null, 0, false],
      [undefined, "", false],
      [{}, {}, false]
    ] as const
  )("%j == %j is %s", (left, right, want) => {
    expect(equal(left, right)).toBe(want)
    expect(notEqual(left, right)).toBe(!want)
  })
})

describe("ordering", () => {
  it("compares numbers and numeric strings numerically, strings case-insensitively, the rest never", () => {
    expect(lessThan(2, 10)).toBe(true)
    expect(lessThan("2", "10")).toBe(true)
    expect(greaterThan("b", "A")).toBe(true)
    expect(lessOrEqual("abc", "ABC")).toBe(true)
    expect(greaterOrEqual(3, 3)).toBe(true)
    expect(lessThan(null, 1)).toBe(false)
    expect(greaterThan({}, 1)).toBe(false)
  })
})

describe("truthy", () => {
  it.each([[0, false], ["", false], [null, false], [undefined, false], ["x", true], [[], true], [1, true]] as const)(
    "%j is %s",
    (value, want) => expect(truthy(value)).toBe(want)
  )
})
