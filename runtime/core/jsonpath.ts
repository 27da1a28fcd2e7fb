/**
 * JSONPath (RFC 9535) and regex criteria. Queries and patterns are compiled once, when the
 * generated module loads; a criterion then only evaluates them against a response.
 * A JSONPath criterion holds when the query, run against the context value as its root `$`,
 * selects at least one node (so `$[?@.x]` tests the context's members, not the context).
 */
import { jsonpath, type JSONPathQuery, type JSONValue } from "json-p3"

export type { JSONPathQuery }

/** Compiles an RFC 9535 query (the generator has already checked its syntax). */
export const jsonPath = (query: string): JSONPathQuery => jsonpath.compile(query)

/** Whether the query selects anything in `value`. */
export const selects = (query: JSONPathQuery, value: unknown): boolean =>
  value !== undefined && query.query(value as JSONValue).values().length > 0

/** Whether a string (or a number, as text) matches the pattern; other values never match. */
export const matches = (pattern: RegExp, value: unknown): boolean =>
  (typeof value === "string" || typeof value === "number") && pattern.test(String(value))
