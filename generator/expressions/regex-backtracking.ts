/**
 * Which regex criteria would backtrack catastrophically (exponentially) in an ECMAScript engine.
 * arazzo-effect runs patterns in linear time, but a document is also read by other tools, so
 * `check` warns. The analysis looks for the shapes that make a repeated group ambiguous, so that
 * a backtracking engine tries exponentially many ways to split a long non-matching value:
 *
 * - a repetition inside a repetition with nothing required between them: `(a+)+`, `(\w+\s?)*`;
 * - alternatives of a repetition that can match the same text: `(a|a)*`, `(\w|\d)+`, `(a|b|ab)*`;
 * - two overlapping repetitions side by side inside a repetition: `(x+x+)+`.
 *
 * It is a static check on the pattern's syntax tree (regjsparser, the parser Babel uses), with
 * character sets compared exactly; it errs towards silence where it cannot decide.
 */
import regjsparser, { type AstNode, type Features, type RootNode as Root } from "regjsparser"

/** The syntax the analysis parses: ECMAScript without flags, named groups and lookbehind allowed. */
type Syntax = { lookbehind: true; namedGroups: true } & Features
type RootNode = Root<Syntax>
type Quantifier = Extract<RootNode, { type: "quantifier" }>

export interface Backtracking {
  /** Offset in the pattern of the repetition that makes it blow up. */
  readonly offset: number
  /** The repetition's text, e.g. `(a+)+`. */
  readonly fragment: string
  readonly why: string
}

/** Code-unit ranges `[low, high]`, sorted and disjoint. */
type CharSet = ReadonlyArray<readonly [number, number]>

const MAX = 0xffff
const full: CharSet = [[0, MAX]]
const empty: CharSet = []

const normalize = (ranges: Array<readonly [number, number]>): CharSet => {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: Array<[number, number]> = []
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}
const union = (...sets: ReadonlyArray<CharSet>): CharSet => normalize(sets.flat())
const complement = (set: CharSet): CharSet => {
  const out: Array<[number, number]> = []
  let next = 0
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= MAX) out.push([next, MAX])
  return out
}
const overlaps = (a: CharSet, b: CharSet): boolean =>
  a.some(([lo, hi]) => b.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi))

const digit: CharSet = [[48, 57]]
const word: CharSet = normalize([[48, 57], [65, 90], [95, 95], [97, 122]])
const space: CharSet = normalize([
  [9, 13],
  [32, 32],
  [160, 160],
  [5760, 5760],
  [8192, 8202],
  [8232, 8233],
  [8239, 8239],
  [8287, 8287],
  [12288, 12288],
  [65279, 65279]
])
const lineTerminators: CharSet = normalize([[10, 10], [13, 13], [8232, 8233]])

const escapeSet = (value: "d" | "D" | "w" | "W" | "s" | "S"): CharSet => {
  const base = value.toLowerCase() === "d" ? digit : value.toLowerCase() === "w" ? word : space
  return value === value.toUpperCase() ? complement(base) : base
}

/** The characters a single-character matcher accepts, or `undefined` for anything else. */
const charSet = (node: AstNode<Syntax>): CharSet | undefined => {
  switch (node.type) {
    case "value":
      return [[node.codePoint, node.codePoint]]
    case "dot":
      return complement(lineTerminators)
    case "characterClassEscape":
      return escapeSet(node.value)
    case "characterClassRange":
      return [[node.min.codePoint, node.max.codePoint]]
    case "characterClass": {
      const parts = node.body.map((b) => (b.type === "unicodePropertyEscape" ? full : charSet(b) ?? full))
      const set = union(...parts)
      return node.negative ? complement(set) : set
    }
    default:
      return undefined
  }
}

/** Repeats many times: `*`, `+`, `{n,}`, or a large `{n,m}`. */
const repeats = (q: Quantifier): boolean => q.max === undefined || q.max >= 10

/** `node` as a repetition, when it is one. */
const repetition = (node: RootNode): Quantifier | undefined =>
  node.type === "quantifier" && repeats(node) ? node : undefined

/** The sequence a node stands for: a group's or an alternative's terms, else the node alone. */
const sequenceOf = (node: RootNode): ReadonlyArray<RootNode> => {
  if (node.type === "alternative") return node.body
  if (node.type === "group" && (node.behavior === "normal" || node.behavior === "ignore")) {
    const [only, ...rest] = node.body
    return rest.length === 0 && only !== undefined ? sequenceOf(only) : node.body
  }
  return [node]
}

const nullable = (node: RootNode): boolean => {
  switch (node.type) {
    case "anchor":
    case "reference":
      return true
    case "group":
      return node.behavior === "normal" || node.behavior === "ignore" ? node.body.every(nullable) : true
    case "alternative":
      return node.body.every(nullable)
    case "disjunction":
      return node.body.some(nullable)
    case "quantifier":
      return node.min === 0 || nullable(node.body[0])
    default:
      return false
  }
}

/** The characters a non-empty match of `node` can start with (empty when unknown). */
const firstChars = (node: RootNode): CharSet => {
  const single = charSet(node)
  if (single !== undefined) return single
  switch (node.type) {
    case "group":
      return node.behavior === "normal" || node.behavior === "ignore" ? firstOfSequence(node.body) : empty
    case "alternative":
      return firstOfSequence(node.body)
    case "disjunction":
      return union(...node.body.map(firstChars))
    case "quantifier":
      return firstChars(node.body[0])
    default:
      return empty
  }
}
const firstOfSequence = (terms: ReadonlyArray<RootNode>): CharSet => {
  const sets: Array<CharSet> = []
  for (const term of terms) {
    sets.push(firstChars(term))
    if (!nullable(term)) break
  }
  return union(...sets)
}

/** An inner repetition that can make up all of `node`'s match (everything else in it optional). */
const freeRepetition = (node: RootNode): RootNode | undefined => {
  switch (node.type) {
    case "quantifier":
      if (repeats(node)) return nullable(node.body[0]) ? undefined : node
      return node.max !== undefined && node.max <= 1 ? freeRepetition(node.body[0]) : undefined
    case "group":
      return node.behavior === "normal" || node.behavior === "ignore" ? freeInSequence(node.body) : undefined
    case "alternative":
      return freeInSequence(node.body)
    case "disjunction":
      for (const branch of node.body) {
        const found = freeRepetition(branch)
        if (found !== undefined) return found
      }
      return undefined
    default:
      return undefined
  }
}
const freeInSequence = (terms: ReadonlyArray<RootNode>): RootNode | undefined => {
  for (const [i, term] of terms.entries()) {
    const found = freeRepetition(term)
    if (found !== undefined && terms.every((other, j) => j === i || nullable(other))) return found
  }
  return undefined
}

/** A branch as fixed-length positions (each a character set), when it is one. */
const fixedPositions = (node: RootNode): ReadonlyArray<CharSet> | undefined => {
  const out: Array<CharSet> = []
  for (const term of sequenceOf(node)) {
    const single = charSet(term)
    if (single !== undefined) {
      out.push(single)
      continue
    }
    if (term.type === "quantifier" && term.max !== undefined && term.min === term.max && term.min <= 8) {
      const inner = charSet(term.body[0])
      if (inner === undefined) return undefined
      for (let k = 0; k < term.min; k++) out.push(inner)
      continue
    }
    return undefined
  }
  return out.length > 0 ? out : undefined
}

/**
 * Whether two ways through a repeated alternation can match the same text: two branches that
 * overlap position by position, or a branch that can be tiled by the others (`ab` by `a`, `b`).
 */
const ambiguousAlternation = (branches: ReadonlyArray<RootNode>): boolean => {
  const fixed = branches.map(fixedPositions)
  const tiles = fixed.filter((f): f is ReadonlyArray<CharSet> => f !== undefined)
  const fits = (tile: ReadonlyArray<CharSet>, target: ReadonlyArray<CharSet>, at: number) =>
    at + tile.length <= target.length && tile.every((set, k) => overlaps(set, target[at + k]!))
  for (const [i, target] of fixed.entries()) {
    if (target === undefined) continue
    // Another branch of the same length over the same characters.
    if (
      fixed.some((other, j) =>
        j !== i && other !== undefined && other.length === target.length && fits(other, target, 0)
      )
    ) return true
    // Tiled by two or more of the branches (itself excluded).
    const others = tiles.filter((t) => t !== target)
    const reachable = new Array<number>(target.length + 1).fill(0)
    reachable[0] = 1
    for (let at = 0; at < target.length; at++) {
      if (reachable[at] === 0) continue
      for (const tile of others) {
        if (fits(tile, target, at)) {
          reachable[at + tile.length] = Math.max(reachable[at + tile.length]!, reachable[at]! + 1)
        }
      }
    }
    if (reachable[target.length]! > 2) return true
  }
  return false
}

/** Two overlapping repetitions with only optional terms between them. */
const adjacentRepetitions = (terms: ReadonlyArray<RootNode>): boolean => {
  for (const [i, term] of terms.entries()) {
    const a = repetition(term)
    if (a === undefined) continue
    for (const next of terms.slice(i + 1)) {
      const b = repetition(next)
      if (b !== undefined && overlaps(firstChars(a.body[0]), firstChars(b.body[0]))) return true
      if (!nullable(next)) break
    }
  }
  return false
}

/**
 * A repetition of single characters that the rest of the sequence can also match, one character
 * at a time, with nothing else required: `(a+a)+`, `(([a-z])+.)+` split a run many ways.
 */
const repetitionAndOverlappingRest = (terms: ReadonlyArray<RootNode>): Quantifier | undefined => {
  for (const [i, term] of terms.entries()) {
    const inner = repetition(term)
    const set = inner === undefined
      ? undefined
      : charSet(sequenceOf(inner.body[0]).length === 1 ? sequenceOf(inner.body[0])[0]! : inner.body[0])
    if (inner === undefined || set === undefined) continue
    const before = terms.slice(0, i)
    const after = terms.slice(i + 1)
    const required = after.filter((t) => !nullable(t))
    if (
      before.every(nullable) && required.length > 0 &&
      required.every((t) => {
        const single = charSet(t)
        return single !== undefined && overlaps(single, set)
      })
    ) return inner
  }
  return undefined
}

const explain = (node: Quantifier): string | undefined => {
  const body = node.body[0]
  const inner = freeRepetition(body)
  if (inner !== undefined) {
    return `the repetition \`${inner.raw}\` inside it can split the same text in exponentially many ways`
  }
  const terms = sequenceOf(body)
  const [only] = terms
  if (terms.length === 1 && only?.type === "disjunction" && ambiguousAlternation(only.body)) {
    return "two of its alternatives can match the same text"
  }
  if (adjacentRepetitions(terms)) return "two repetitions inside it can match the same characters"
  const overlapping = repetitionAndOverlappingRest(terms)
  if (overlapping !== undefined) {
    return `the repetition \`${overlapping.raw}\` and what follows it can match the same characters`
  }
  return undefined
}

/** The first repetition of `source` that can backtrack exponentially; `undefined` for none (or no valid pattern). */
export const catastrophicBacktracking = (source: string): Backtracking | undefined => {
  let tree: RootNode
  try {
    tree = regjsparser.parse(source, "", { lookbehind: true, namedGroups: true })
  } catch {
    return undefined
  }
  const stack: Array<RootNode> = [tree]
  let found: Backtracking | undefined
  while (stack.length > 0) {
    const node = stack.pop()!
    const outer = repetition(node)
    if (outer !== undefined) {
      const why = explain(outer)
      if (why !== undefined && (found === undefined || node.range[0] < found.offset)) {
        found = { offset: outer.range[0], fragment: outer.raw, why }
      }
    }
    if ("body" in node && Array.isArray(node.body)) stack.push(...(node.body as Array<RootNode>))
  }
  return found
}
