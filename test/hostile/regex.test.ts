/**
 * Class 1: regex criteria run in bounded time. The runtime matches on a linear-time engine, the
 * generator rejects what that engine cannot run (at the condition's position), and `check` warns
 * about patterns that would backtrack catastrophically in an ECMAScript engine.
 */
import { describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"
import { catastrophicBacktracking } from "../../generator/expressions/regex-backtracking.js"
import { generate } from "../../generator/index.js"
import { matches, regex } from "../../runtime/core/jsonpath.js"
import { compilePattern, PatternError } from "../../runtime/core/regex.js"
import { makeProject, orderDocument, regexCriterion } from "./support.js"

/** The classic exponential case for a backtracking engine: 2^n ways to fail. */
const EVIL = "^(a+)+$"
const longNonMatch = "a".repeat(100_000) + "!"

describe("regex criteria at run time", () => {
  it("a backtracking pattern against a 100,000-character value answers within 1 s", () => {
    const pattern = regex(EVIL)
    const started = performance.now()
    expect(matches(pattern, longNonMatch)).toBe(false)
    expect(matches(pattern, "a".repeat(100_000))).toBe(true)
    const ms = performance.now() - started
    // V8's RegExp would not finish 30 characters of this in a second.
    expect(ms).toBeLessThan(1000)
  })

  it("a RegExp hoisted by an older generated module runs on the same engine", () => {
    const started = performance.now()
    expect(matches(new RegExp(EVIL), longNonMatch)).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it("keeps ECMAScript syntax: named groups, \\u escapes, lookbehind; numbers match as text", () => {
    expect(matches(regex("^(?<major>\\d+)\\.\\d+$"), "12.5")).toBe(true)
    expect(matches(regex("^\\u0041pplication/json"), "Application/json")).toBe(true)
    expect(matches(regex("(?<=v)\\d"), "v2")).toBe(true)
    expect(matches(regex("^2\\d\\d$"), 204)).toBe(true)
    expect(matches(regex("x"), { x: 1 })).toBe(false)
    expect(matches(regex("x"), undefined)).toBe(false)
  })

  it("refuses backreferences and lookahead with a typed error", () => {
    expect(() => compilePattern("(a)\\1")).toThrow(PatternError)
    expect(() => compilePattern("a(?=b)")).toThrow(PatternError)
  })
})

describe("regex criteria at generation time", () => {
  it("a backreference or lookahead is a positioned error, and nothing is emitted", async () => {
    const project = await makeProject()
    for (const pattern of ["^(a)\\1$", "^a(?!b)"]) {
      const file = await project.document(
        "backref.yaml",
        orderDocument("../openapi/orders.openapi.yaml", regexCriterion(pattern))
      )
      const result = await generate([file], { outDir: project.dir, cwd: project.dir })
      expect(result.files).toEqual([])
      const errors = result.diagnostics.filter((d) => d.severity === "error")
      expect(errors.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
        "arazzo/backref.yaml:14:24 unsupported-regex-feature"
      ])
    }
  })

  it("check warns at the repetition's column for a catastrophic pattern, and not for ordinary ones", async () => {
    const project = await makeProject()
    const file = await project.document(
      "evil.yaml",
      orderDocument("../openapi/orders.openapi.yaml", regexCriterion(EVIL))
    )
    const warnings = (await checkDocument(file, { cwd: project.dir })).filter((d) => d.code === "regex-backtracking")
    // The condition is at column 24 (its opening quote); `(a+)+` starts one character into the pattern.
    expect(warnings.map((d) => `${d.line}:${d.column} ${d.severity}`)).toEqual(["14:26 warning"])
    expect(warnings[0]!.message).toContain("`(a+)+`")

    const fine = await project.document(
      "fine.yaml",
      orderDocument("../openapi/orders.openapi.yaml", regexCriterion("^application/(\\w+\\+)?json"))
    )
    expect(await checkDocument(fine, { cwd: project.dir })).toEqual([])
  })

  it("the analysis flags the known exponential shapes and leaves ordinary patterns alone", () => {
    const flagged = [
      "^(a+)+$",
      "(a|a)*$",
      "(x+x+)+y",
      "^(\\w+\\s?)*$",
      "(a|b|ab)*c",
      "(.|\\s)*x",
      "^(([a-z])+.)+[A-Z]([a-z])+$",
      "(a*)*b"
    ]
    const ordinary = [
      "^application/json",
      "^2\\d\\d$",
      "^[a-z]+@[a-z]+\\.com$",
      "\"status\":\\s*\"(done|ok)\"",
      "^(\\d+\\.)*\\d+$",
      "^([a-z0-9]+(-[a-z0-9]+)*)$",
      "(a|b)*c",
      "^(a|ab)*c$",
      "done|complete"
    ]
    expect(flagged.filter((p) => catastrophicBacktracking(p) === undefined)).toEqual([])
    expect(ordinary.filter((p) => catastrophicBacktracking(p) !== undefined)).toEqual([])
  })
})
