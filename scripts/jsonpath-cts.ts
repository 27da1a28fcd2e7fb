/**
 * Runs the JSONPath Compliance Test Suite (RFC 9535) against the JSONPath library the runtime uses.
 *
 *   npx tsx scripts/jsonpath-cts.ts [path-to-cts.json]
 *
 * Default suite: shared/corpus/peers/jsonpath-compliance-test-suite/cts.json beside this repository.
 * A test passes when
 *  - `invalid_selector: true`: compile() throws (the selector is rejected at parse time);
 *  - otherwise: the values of the nodelist equal `result` (deep, order-sensitive) or one of `results`.
 * Prints the failing tests grouped by category (the name's prefix before the first comma), then
 * `jsonpath-cts: N passed, M failed`. Exits 1 when a test fails.
 *
 * The library is reached through a small adapter, so a different one can be measured by swapping it.
 */
import { jsonpath, type JSONValue } from "json-p3"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

interface Adapter<Q> {
  readonly name: string
  /** Parse and check a selector once; throws when it is not a well-formed, well-typed RFC 9535 query. */
  readonly compile: (selector: string) => Q
  /** The values of the nodelist the compiled query selects from `document`, in nodelist order. */
  readonly evaluate: (query: Q, document: unknown) => ReadonlyArray<unknown>
}

type CompiledQuery = ReturnType<typeof jsonpath.compile>

const jsonP3: Adapter<CompiledQuery> = {
  name: "json-p3",
  compile: (selector) => jsonpath.compile(selector),
  evaluate: (query, document) => query.query(document as JSONValue).values()
}

interface CtsTest {
  readonly name: string
  readonly selector: string
  readonly document?: unknown
  readonly result?: ReadonlyArray<unknown>
  readonly results?: ReadonlyArray<ReadonlyArray<unknown>>
  readonly invalid_selector?: boolean
}

interface Outcome {
  readonly test: CtsTest
  readonly passed: boolean
  readonly reason?: string
}

/** Structural equality of JSON values (numbers by ===, so 0 and -0 are equal as in JSON). */
const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => jsonEqual(x, b[i]))
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length &&
    ka.every((k) =>
      Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 160)

const preview = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 160 ? `${s.slice(0, 157)}...` : s
}

const runTest = <Q>(adapter: Adapter<Q>, test: CtsTest): Outcome => {
  let query: Q
  try {
    query = adapter.compile(test.selector)
  } catch (e) {
    return test.invalid_selector === true
      ? { test, passed: true }
      : { test, passed: false, reason: `compile threw: ${message(e)}` }
  }
  if (test.invalid_selector === true) return { test, passed: false, reason: "invalid selector was accepted" }
  let got: ReadonlyArray<unknown>
  try {
    got = adapter.evaluate(query, test.document)
  } catch (e) {
    return { test, passed: false, reason: `evaluate threw: ${message(e)}` }
  }
  const expected = test.results ?? (test.result === undefined ? [] : [test.result])
  return expected.some((want) => jsonEqual(got, want))
    ? { test, passed: true }
    : { test, passed: false, reason: `got ${preview(got)}, want ${preview(test.results ?? test.result)}` }
}

const category = (name: string): string => {
  const i = name.indexOf(",")
  return i < 0 ? name : name.slice(0, i)
}

const main = (): number => {
  const defaultSuite = fileURLToPath(
    new URL("../../shared/corpus/peers/jsonpath-compliance-test-suite/cts.json", import.meta.url)
  )
  const suitePath = process.argv[2] ?? defaultSuite
  if (!existsSync(suitePath)) {
    console.error(`jsonpath-cts: no suite at ${suitePath} (pass the path to cts.json)`)
    return 2
  }
  const suite = JSON.parse(readFileSync(suitePath, "utf8")) as { readonly tests: ReadonlyArray<CtsTest> }
  const adapter = jsonP3
  const outcomes = suite.tests.map((test) => runTest(adapter, test))

  const failed = outcomes.filter((o) => !o.passed)
  const byCategory = new Map<string, Array<Outcome>>()
  for (const o of failed) {
    const key = category(o.test.name)
    byCategory.set(key, [...(byCategory.get(key) ?? []), o])
  }
  for (const [key, list] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${key} (${list.length} failed)`)
    for (const o of list) console.log(`  ${o.test.name}: ${o.reason ?? ""}`)
  }

  const count = (xs: ReadonlyArray<Outcome>) => xs.filter((o) => o.passed).length
  const valid = outcomes.filter((o) => o.test.invalid_selector !== true)
  const invalid = outcomes.filter((o) => o.test.invalid_selector === true)
  console.log(
    `${adapter.name} on ${suitePath}: valid selectors ${count(valid)}/${valid.length}, ` +
      `invalid selectors rejected ${count(invalid)}/${invalid.length}`
  )
  console.log(`jsonpath-cts: ${outcomes.length - failed.length} passed, ${failed.length} failed`)
  return failed.length === 0 ? 0 : 1
}

process.exitCode = main()
