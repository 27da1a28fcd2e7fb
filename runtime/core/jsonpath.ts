/**
 * JSONPath (RFC 9535) and regex criteria. Queries and patterns are compiled once, when the
 * generated module loads; a criterion then only evaluates them against a response. Patterns
 * run on a linear-time engine (./regex.ts).
 * A JSONPath criterion holds when the query, run against the context value as its root `$`,
 * selects at least one node (so `$[?@.x]` tests the context's members, not the context).
 */
import { jsonpath, type JSONPathQuery, type JSONValue } from "json-p3"
import { CriterionError } from "./criteria.js"
import { compilePattern, type Pattern, testPattern } from "./regex.js"

export type { JSONPathQuery, Pattern }

/** Compiles a regex criterion's pattern (the generator has already checked the engine can run it). */
export const regex = (source: string): Pattern => compilePattern(source)

/** Compiles an RFC 9535 query (the generator has already checked its syntax). */
export const jsonPath = (query: string): JSONPathQuery => jsonpath.compile(query)

/** Whether the query selects anything in `value`. */
export const selects = (query: JSONPathQuery, value: unknown): boolean =>
  value !== undefined && query.query(value as JSONValue).values().length > 0

/** The linear-time form of a `RegExp` hoisted by modules generated before `regex` existed. */
const fromRegExp = new WeakMap<RegExp, Pattern>()

/**
 * Whether a string (or a number, as text) matches the pattern; other values never match. A
 * `RegExp` (older generated modules) is run as its source on the same linear-time engine.
 */
export const matches = (pattern: Pattern | RegExp, value: unknown): boolean => {
  if (!(pattern instanceof RegExp)) return testPattern(pattern, value)
  let compiled = fromRegExp.get(pattern)
  if (compiled === undefined) {
    compiled = compilePattern(pattern.source)
    fromRegExp.set(pattern, compiled)
  }
  return testPattern(compiled, value)
}

// Arazzo 1.1: conditions with `{$…}` substituted at run time, so compiled per distinct text.

/** Compiled conditions by their text after substitution; bounded, as the texts come from responses. */
const compiledTexts = <A>(compile: (text: string) => A) => {
  const cache = new Map<string, A>()
  return (text: string): A => {
    const hit = cache.get(text)
    if (hit !== undefined) return hit
    const compiled = compile(text)
    if (cache.size >= 256) cache.delete(cache.keys().next().value!)
    cache.set(text, compiled)
    return compiled
  }
}

const reason = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

const patternOf = compiledTexts((text) => {
  try {
    new RegExp(text)
    return compilePattern(text)
  } catch (cause) {
    throw new CriterionError(`after substitution, \`${text}\` is not a pattern the regex engine runs: ${reason(cause)}`)
  }
})

const queryOf = compiledTexts((text) => {
  try {
    return jsonpath.compile(text)
  } catch (cause) {
    throw new CriterionError(`after substitution, \`${text}\` is not an RFC 9535 JSONPath query: ${reason(cause)}`)
  }
})

/** A 1.1 regex criterion whose pattern was substituted: an invalid result is a `CriterionError`. */
export const matchesText = (pattern: string, value: unknown): boolean => testPattern(patternOf(pattern), value)

/** A 1.1 JSONPath criterion whose query was substituted: an invalid result is a `CriterionError`. */
export const selectsText = (query: string, value: unknown): boolean => selectsStrict(queryOf(query), value)

/** A 1.1 JSONPath criterion: a query that fails on the value is a `CriterionError`, not `false`. */
export const selectsStrict = (query: JSONPathQuery, value: unknown): boolean => {
  if (value === undefined) return false
  try {
    return query.query(value as JSONValue).values().length > 0
  } catch (cause) {
    throw new CriterionError(`the JSONPath query failed on the context: ${reason(cause)}`)
  }
}

/**
 * The items of a list that a filter query (`$[?…]`) selects, in order: what a document's
 * `list[?(@.sent==false)]` reads. `undefined` when the value is not a list.
 */
export const where = (query: JSONPathQuery, value: unknown): Array<unknown> | undefined =>
  Array.isArray(value) ? query.query(value as JSONValue).values() : undefined
