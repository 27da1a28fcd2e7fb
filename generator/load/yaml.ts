/**
 * YAML (and JSON, a subset of it) parsed with source positions kept, so every diagnostic can
 * point at the `file:line:col` of the value it is about. Parsing is bounded: nesting deeper than
 * the depth limit is refused while the text is read (before the recursive composer sees it), and
 * a file with more nodes than its limit, aliases counted as the nodes they stand for (an alias
 * bomb), is refused before any JavaScript value is built.
 */
import {
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node as YamlNode,
  Parser,
  YAMLParseError
} from "yaml"
import type { Diagnostic, Severity } from "../diagnostics.js"
import { defaultLimits, howToRaise, type LimitName, showLimit } from "./limits.js"

/** A path into a parsed document: member names and array indexes. */
export type Path = ReadonlyArray<string | number>

export interface Position {
  readonly line: number
  readonly column: number
}

export interface SourceText {
  /** The file as it is shown in diagnostics. */
  readonly file: string
  readonly value: unknown
  /** Where the value at `path` starts; the nearest existing parent when it is absent. */
  readonly locate: (path: Path) => Position
  /** A diagnostic at the value at `path`; `offset` moves into a string value (for expression columns). */
  readonly diagnostic: (path: Path, severity: Severity, code: string, message: string, offset?: number) => Diagnostic
}

/** The node and depth limits a parse runs under, and which limit names they are reported as. */
export interface YamlBounds {
  readonly nodes: number
  readonly nodesLimit: LimitName
  readonly depth: number
  /**
   * Whether a key given twice in one mapping is an error. The yaml library checks by comparing
   * each key with every earlier one (quadratic: 8 s for a 10,000-path OpenAPI file), so only
   * Arazzo documents, which are small and whose duplicate keys matter, are checked.
   */
  readonly uniqueKeys?: boolean
}

export const documentBounds: YamlBounds = {
  nodes: defaultLimits.documentNodes,
  nodesLimit: "documentNodes",
  depth: defaultLimits.depth
}

/** Lexemes that each start a node of their own (so their count never exceeds the node count). */
const NODE_LEXEMES: ReadonlySet<string> = new Set([
  "scalar",
  "single-quoted-scalar",
  "double-quoted-scalar",
  "alias",
  "flow-map-start",
  "flow-seq-start"
])

/** Room the parser's stack needs beyond the collections themselves (document, a scalar, a pair). */
const STACK_SLACK = 4

export const parseYaml = (
  file: string,
  text: string,
  bounds: YamlBounds = documentBounds
): { readonly source: SourceText; readonly errors: Array<Diagnostic> } => {
  const lineCounter = new LineCounter()
  const at = (offset: number, code: string, message: string): Diagnostic => {
    const { line, col } = lineCounter.linePos(offset)
    return { file, line, column: col, severity: "error", code, message }
  }
  const refused = (error: Diagnostic) => ({
    source: { file, value: undefined, locate: () => ({ line: 1, column: 1 }), diagnostic: unlocated(file) },
    errors: [error]
  })

  // Read the text into CST tokens, refusing as soon as it nests too deep or has too many nodes.
  const parser = new Parser(lineCounter.addNewLine)
  const tokens: Array<CST.Token> = []
  let lexemes = 0
  lineCounter.addNewLine(0)
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token)
    if (parser.stack.length > bounds.depth + STACK_SLACK) {
      return refused(at(
        parser.offset,
        "limit-depth",
        `collections nest deeper than the limit of ${showLimit("depth", bounds.depth)} levels; ${howToRaise("depth")}`
      ))
    }
    if (NODE_LEXEMES.has(CST.tokenType(lexeme) ?? "") && ++lexemes > bounds.nodes) {
      return refused(tooManyNodes(at(parser.offset, "", ""), bounds))
    }
  }
  for (const token of parser.end()) tokens.push(token)

  const composer = new Composer({ uniqueKeys: bounds.uniqueKeys ?? true, prettyErrors: false, strict: true })
  let doc: Document.Parsed | undefined
  for (const composed of composer.compose(tokens, true, text.length)) {
    if (doc === undefined) doc = composed
    else {
      doc.errors.push(
        new YAMLParseError(
          [composed.range[0], composed.range[1]],
          "MULTIPLE_DOCS",
          "the file holds more than one YAML document"
        )
      )
      break
    }
  }
  if (doc === undefined) return refused(at(0, "yaml-syntax", "the file holds no YAML document"))
  const parsed = doc
  const errors: Array<Diagnostic> = [...parsed.errors, ...parsed.warnings].map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0])
    return {
      file,
      line,
      column: col,
      severity: parsed.errors.includes(e as never) ? "error" : "warning",
      code: "yaml-syntax",
      message: e.message.split("\n")[0] ?? e.message
    }
  })
  let value: unknown = undefined
  if (parsed.errors.length === 0) {
    const excess = expandedSize(parsed, bounds.nodes)
    if (excess !== undefined) {
      errors.push(tooManyNodes(at(excess.offset, "", ""), bounds, excess.viaAlias))
    } else {
      try {
        value = parsed.toJS({ maxAliasCount: -1 })
      } catch (cause) {
        errors.push(at(0, "yaml-syntax", cause instanceof Error ? cause.message : String(cause)))
      }
    }
  }
  const startOf = (path: Path): number => nodeStart(parsed, path)
  const locate = (path: Path): Position => {
    const { line, col } = lineCounter.linePos(startOf(path))
    return { line, column: col }
  }
  const diagnostic = (path: Path, severity: Severity, code: string, message: string, offset = 0): Diagnostic => {
    const start = startOf(path)
    const quoted = isQuotedScalar(parsed, path) ? 1 : 0
    const { line, col } = lineCounter.linePos(start + (offset > 0 ? offset + quoted : 0))
    return { file, line, column: col, severity, code, message }
  }
  return { source: { file, value, locate, diagnostic }, errors }
}

const unlocated = (file: string) => (_path: Path, severity: Severity, code: string, message: string): Diagnostic => ({
  file,
  line: 1,
  column: 1,
  severity,
  code,
  message
})

const tooManyNodes = (where: Diagnostic, bounds: YamlBounds, viaAlias = false): Diagnostic => ({
  ...where,
  code: "limit-nodes",
  message: `the file has more than ${showLimit(bounds.nodesLimit, bounds.nodes)} YAML nodes${
    viaAlias ? " once its aliases are expanded (an alias bomb?)" : ""
  }, the limit; ${howToRaise(bounds.nodesLimit)}`
})

/**
 * Whether the document, with every alias counted as the nodes it stands for, has more than
 * `limit` nodes: where the count went over, or `undefined`. Sizes are memoised per node, so an
 * alias bomb is measured without being expanded. The recursion is bounded by the depth limit.
 */
const expandedSize = (
  doc: Document.Parsed,
  limit: number
): { readonly offset: number; readonly viaAlias: boolean } | undefined => {
  const sizes = new Map<YamlNode, number>()
  const resolving = new Set<YamlNode>()
  let aliases = false
  let over: number | undefined
  const size = (node: unknown): number => {
    if (over !== undefined || !isNode(node)) return 0
    const known = sizes.get(node)
    if (known !== undefined) return known
    let total = 1
    if (isAlias(node)) {
      aliases = true
      const target = node.resolve(doc)
      // An alias inside the node it names would stand for an infinite value.
      total = target === undefined ? 1 : resolving.has(target) ? Infinity : size(target)
    } else if (isMap(node) || isSeq(node)) {
      resolving.add(node)
      for (const item of node.items) {
        total += isPair(item) ? size(item.key) + size(item.value) : size(item)
        if (total > limit) break
      }
      resolving.delete(node)
    }
    if (total > limit && over === undefined) over = node.range?.[0] ?? 0
    sizes.set(node, total)
    return total
  }
  size(doc.contents)
  return over === undefined ? undefined : { offset: over, viaAlias: aliases }
}
const nodeAt = (doc: Document, path: Path): unknown => doc.getIn(path as Array<unknown>, true)

const nodeStart = (doc: Document, path: Path): number => {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeAt(doc, path.slice(0, depth))
    if (isNode(node) && node.range) return node.range[0]
    if (isPair(node) && isNode(node.key) && node.key.range) return node.key.range[0]
  }
  return 0
}

const isQuotedScalar = (doc: Document, path: Path): boolean => {
  const node = nodeAt(doc, path)
  return isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")
}
