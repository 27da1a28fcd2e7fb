/**
 * Runtime expressions as real documents write them when they miss the ABNF in a way a reader
 * resolves at a glance. Each rewrite has exactly one reading, and the rewritten text must parse:
 *
 * - `$response.headers.X` (plural) → `$response.header.X`;
 * - `…#access_token` (a JSON pointer without its `/`) → `…#/access_token`;
 * - `$response.body.data.id` (dotted, no pointer) → `$response.body#/data/id`;
 * - an expression followed by prose in parentheses (`$inputs.x (optional)`) → the expression.
 *
 * Anything else stays an error: the caller reports the original parse error.
 */
import type { RuntimeExpression } from "./ast.js"
import { parseRuntimeExpression } from "./runtime-expression.js"

export interface LenientReading {
  /** The spec form, which parses. */
  readonly spec: string
  readonly expression: RuntimeExpression
  /** What was not the spec form, for the warning. */
  readonly why: string
  /** Offset in the original text the warning points at. */
  readonly offset: number
}

interface Rewrite {
  readonly apply: (text: string) => { readonly spec: string; readonly offset: number } | undefined
  readonly why: string
}

const REWRITES: ReadonlyArray<Rewrite> = [
  {
    why: "`headers` is written `header` (singular)",
    apply: (text) => {
      const match = /^\$(request|response)\.headers\./.exec(text)
      return match ? { spec: text.replace(".headers.", ".header."), offset: match[1]!.length + 2 } : undefined
    }
  },
  {
    why: "a JSON pointer starts with `/` after `#`",
    apply: (text) => {
      const at = text.indexOf("#")
      return at > 0 && text[at + 1] !== "/" && text[at + 1] !== undefined
        ? { spec: `${text.slice(0, at + 1)}/${text.slice(at + 1)}`, offset: at }
        : undefined
    }
  },
  {
    why: "a field of the body is selected with a JSON pointer",
    apply: (text) => {
      const match = /^(\$(?:request|response)\.body)((?:\.[\p{L}\p{N}_$-]+|\[\d+\])+)$/u.exec(text)
      if (!match || !match[2]!.startsWith(".")) return undefined
      const tokens = match[2]!.split(/[.[\]]+/).filter((t) => t !== "")
      return { spec: `${match[1]}#/${tokens.join("/")}`, offset: match[1]!.length }
    }
  },
  {
    why: "the prose after the expression is not part of it",
    apply: (text) => {
      const match = /^(\$\S+?)(\s+\([^()]*\))\s*$/.exec(text)
      return match ? { spec: match[1]!, offset: match[1]!.length } : undefined
    }
  }
]

/** The one reading of a malformed whole-value expression, or undefined when there is none. */
export const readLeniently = (text: string): LenientReading | undefined => {
  for (const rewrite of REWRITES) {
    const found = rewrite.apply(text)
    if (found === undefined) continue
    const parsed = parseRuntimeExpression(found.spec)
    if (parsed.ok) return { ...found, expression: parsed.value, why: rewrite.why }
    // Two slips in one value (`$response.headers.x (optional)`): the rest may fix the other.
    const again = readLeniently(found.spec)
    if (again !== undefined) {
      return {
        spec: again.spec,
        expression: again.expression,
        why: `${rewrite.why}; ${again.why}`,
        offset: found.offset
      }
    }
  }
  return undefined
}

/** The warning for a lenient reading, with the spec form. */
export const lenientMessage = (text: string, reading: LenientReading): string =>
  `\`${text}\` is not a runtime expression as written (${reading.why}); read as meant. Spec form: \`${reading.spec}\``
