/**
 * Step outputs as real documents name them when the name carries prose: `X-Next-Token (optional)`
 * or `rates (list including rateId, …)`, read elsewhere as `$steps.s.outputs.rates`. The name
 * before the parenthesis is the output's name; when exactly one output of the step has that
 * stem, the read means it (one reading). When two outputs share the stem, both fit: an error
 * that names them.
 */
import { resolveNamePath } from "../expressions/index.js"
import type { Accessor } from "../expressions/index.js"

/** `name (prose)` → `name`; undefined for a name without trailing prose in parentheses. */
export const outputStem = (key: string): string | undefined => /^([^\s()]+)\s+\(.*\)\s*$/s.exec(key)?.[1]

export type ProseReading =
  | { readonly kind: "one"; readonly key: string; readonly stem: string; readonly accessors: ReadonlyArray<Accessor> }
  | { readonly kind: "two"; readonly keys: ReadonlyArray<string> }

/** How `name` (as read in `$steps.s.outputs.<name>`) reads one of `outputs` by its stem; undefined when none. */
export const readProseNamed = (name: string, outputs: ReadonlySet<string>): ProseReading | undefined => {
  const byStem = new Map<string, Array<string>>()
  for (const key of outputs) {
    const stem = outputStem(key)
    if (stem !== undefined && !outputs.has(stem)) byStem.set(stem, [...(byStem.get(stem) ?? []), key])
  }
  const resolved = resolveNamePath(name, (candidate) => byStem.has(candidate))
  if (resolved === undefined) return undefined
  const keys = byStem.get(resolved.name)!
  return keys.length === 1
    ? { kind: "one", key: keys[0]!, stem: resolved.name, accessors: resolved.accessors }
    : { kind: "two", keys }
}

/**
 * `$steps.s.outputs.Shipment details` or `$inputs.Aux Price`: the expression ends at the space,
 * but the whole text after `outputs.` (`inputs.`) is exactly the name of one of the step's
 * outputs (the workflow's inputs): it reads that one (one reading).
 */
export const readSpacedName = (
  text: string,
  outputsOf: (stepId: string) => ReadonlySet<string> | undefined,
  inputs: { readonly has: (name: string) => boolean }
):
  | { readonly kind: "stepOutput"; readonly stepId: string; readonly key: string; readonly offset: number }
  | { readonly kind: "input"; readonly key: string; readonly offset: number }
  | undefined =>
{
  const input = /^\$inputs\.(.*\s.*)$/s.exec(text)
  if (input !== null && inputs.has(input[1]!)) {
    return { kind: "input", key: input[1]!, offset: text.length - input[1]!.length }
  }
  const match = /^\$steps\.([^.\s]+)\.outputs\.(.*\s.*)$/s.exec(text)
  if (match === null) return undefined
  const [, stepId, key] = match
  if (!outputsOf(stepId!)?.has(key!)) return undefined
  return { kind: "stepOutput", stepId: stepId!, key: key!, offset: text.length - key!.length }
}

/**
 * `$steps.s.outputs.matches[*].id` (JSONPath's wildcard; `[]` as JMESPath writes it): the `id`
 * of each item of the list at `matches`, one reading. A runtime expression has no wildcard, so
 * the read is compiled as a projection. One wildcard only; an index placeholder (`[n]`) or a
 * filter (`[?(…)]`) leaves which items are meant open, and stays an error.
 */
export const readProjection = (
  name: string,
  outputs: ReadonlySet<string>
):
  | {
    readonly name: string
    readonly accessors: ReadonlyArray<Accessor>
    readonly each: ReadonlyArray<Accessor>
    readonly wildcard: string
  }
  | undefined =>
{
  const match = /^(.+?)(\[\*\]|\[\])(.*)$/.exec(name)
  if (match === null) return undefined
  const [, before, wildcard, after] = match
  if (after!.includes("[*]") || after!.includes("[]")) return undefined
  const list = resolveNamePath(before!, (candidate) => outputs.has(candidate))
  // The part after the wildcard as accessors: read against a name that is all there is.
  const rest = after === "" ? { accessors: [] } : resolveNamePath(`_${after}`, (candidate) => candidate === "_")
  if (list === undefined || rest === undefined) return undefined
  return { name: list.name, accessors: list.accessors, each: rest.accessors, wildcard: wildcard! }
}

/** The index of the `]` that closes the `[` at `open`, skipping quoted strings and nested brackets. */
const closingBracket = (text: string, open: number): number | undefined => {
  let depth = 0
  let quote: string | undefined
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!
    if (quote !== undefined) {
      if (ch === "\\") i++
      else if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === "\"") quote = ch
    else if (ch === "[") depth++
    else if (ch === "]" && --depth === 0) return i
  }
  return undefined
}

/**
 * `$steps.s.outputs.items[?(@.sent==false)].id` (a JSONPath filter): the `id` of each item of the
 * list at `items` that the filter selects. A JSONPath filter selects a list of nodes (RFC 9535
 * §2.3.5), so the read is that list, as a `[*]` projection is: one reading, even when one match
 * is expected. The filter is kept as the RFC 9535 query `$[?…]` run on the list (Goessner's
 * `[?(…)]` parses as one), checked here with `compiles`; one filter only, and what follows it
 * must be plain accessors. Anything else stays `unknown-output`.
 */
export const readFilter = (
  name: string,
  outputs: ReadonlySet<string>,
  compiles: (query: string) => boolean
):
  | {
    readonly name: string
    readonly accessors: ReadonlyArray<Accessor>
    readonly query: string
    readonly filter: string
    readonly each: ReadonlyArray<Accessor>
  }
  | undefined =>
{
  const open = name.indexOf("[?")
  if (open <= 0) return undefined
  const close = closingBracket(name, open)
  if (close === undefined) return undefined
  const before = name.slice(0, open)
  const filter = name.slice(open, close + 1)
  const after = name.slice(close + 1)
  if (/\[(\?|\*|\])/.test(after)) return undefined
  const list = resolveNamePath(before, (candidate) => outputs.has(candidate))
  const rest = after === "" ? { accessors: [] } : resolveNamePath(`_${after}`, (candidate) => candidate === "_")
  const query = `$${filter}`
  if (list === undefined || rest === undefined || !compiles(query)) return undefined
  return { name: list.name, accessors: list.accessors, query, filter, each: rest.accessors }
}
