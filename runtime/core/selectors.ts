/**
 * Arazzo 1.1 Selector Objects with a JSONPath selector, evaluated on their context value. The
 * generator has checked the query (RFC 9535) and decided which of the two readings applies:
 * a singular query (RFC 9535 §2.3.5.1: names and indices only) yields the one value it selects,
 * any other query the list of every value it selects. Singular queries of member names and
 * non-negative indices never get here: the generator reads them as the JSON Pointer they spell.
 * JSON Pointer selectors are `at` (./values.ts); XPath selectors are `xpathSelect` (./xml.ts).
 */
import type { JSONPathQuery, JSONValue } from "json-p3"

/** The values a query selects in `context`, in the order RFC 9535 gives; none when the context is absent. */
export const selectAll = (query: JSONPathQuery, context: unknown): ReadonlyArray<unknown> =>
  context === undefined ? [] : query.query(context as JSONValue).values()

/** The value a singular query selects in `context`; `undefined` when it selects none. */
export const selectOne = (query: JSONPathQuery, context: unknown): unknown =>
  context === undefined ? undefined : query.match(context as JSONValue)?.value
