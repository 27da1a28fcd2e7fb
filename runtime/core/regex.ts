/**
 * Regex criteria, run by a linear-time engine: RE2's automata (re2js, a pure-JavaScript port),
 * not ECMAScript's backtracking one, so a pattern like `^(a+)+$` against a long response value
 * costs time proportional to the value, never exponential. Patterns are written in ECMAScript
 * syntax and translated once, when the generated module loads. What RE2 cannot run
 * (backreferences, lookahead) the generator rejects before any code is written; see
 * docs/security.md for the dialect.
 */
import { RE2JS } from "re2js"

/** A compiled regex criterion pattern. */
export interface Pattern {
  readonly source: string
  readonly engine: RE2JS
}

/** Why a pattern cannot be compiled: RE2's message about the translated pattern. */
export class PatternError extends Error {
  override readonly name = "PatternError"
}

/**
 * Compiles an ECMAScript-syntax pattern (no flags) for the linear-time engine. Lookbehind without
 * captures is supported; backreferences and lookahead are not (throws `PatternError`).
 */
export const compilePattern = (source: string): Pattern => {
  try {
    return { source, engine: RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.LOOKBEHINDS) }
  } catch (cause) {
    throw new PatternError(cause instanceof Error ? cause.message : String(cause))
  }
}

/** Why `source` cannot be compiled, or `undefined` when it can (for the generator). */
export const patternProblem = (source: string): string | undefined => {
  try {
    compilePattern(source)
    return undefined
  } catch (cause) {
    return cause instanceof Error ? cause.message : String(cause)
  }
}

/** Whether a string (or a number, as text) contains a match; other values never match. */
export const testPattern = (pattern: Pattern, value: unknown): boolean =>
  (typeof value === "string" || typeof value === "number") && pattern.engine.test(String(value))
