/**
 * OpenAPI (and other source) description files parsed fast: `JSON.parse` for JSON and js-yaml
 * for YAML, without source positions. The `yaml` library that reads Arazzo documents keeps every
 * node's position, which a description rarely needs, and is slow on large files (35 s for a
 * 12 MB, 10,000-operation description here, js-yaml 2.5 s). Positions are made only when asked
 * for (a diagnostic inside the description): the file is then parsed once more with positions,
 * and a file the fast parse refuses (a syntax error, too deep, too many nodes) goes to the
 * positioned, bounded parse for its diagnostic.
 */
import { load as loadYaml } from "js-yaml"
import type { Diagnostic } from "../diagnostics.js"
import { parseYaml, type SourceText, type YamlBounds } from "./yaml.js"

/** Counts the nodes of a value as a walk would visit them, stopping past `limit` (aliases count as often as they are used). */
const withinNodes = (value: unknown, limit: number): boolean => {
  let count = 0
  const stack: Array<unknown> = [value]
  while (stack.length > 0) {
    const node = stack.pop()
    if (++count > limit) return false
    if (node === null || typeof node !== "object") continue
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item)
    } else {
      for (const key in node) {
        count++
        stack.push((node as Record<string, unknown>)[key])
      }
    }
  }
  return true
}

const looksLikeJson = (text: string) => /^\s*[{[]/.test(text)

/** The fast parse, or `undefined` when the positioned parse must decide (an error, or past a bound). */
const fastParse = (text: string, bounds: YamlBounds): { readonly value: unknown } | undefined => {
  let value: unknown
  try {
    value = looksLikeJson(text)
      ? JSON.parse(text)
      : loadYaml(text, { maxDepth: bounds.depth, maxAliases: 1000, json: true })
  } catch {
    return undefined
  }
  return withinNodes(value, bounds.nodes) ? { value } : undefined
}

/**
 * A description's text as a `SourceText`. Its value comes from the fast parse; `locate` and
 * `diagnostic` parse the file again with positions on first use.
 */
export const parseDescription = (
  file: string,
  text: string,
  bounds: YamlBounds
): { readonly source: SourceText; readonly errors: Array<Diagnostic> } => {
  const fast = fastParse(text, bounds)
  if (fast === undefined) return parseYaml(file, text, bounds)
  let positioned: SourceText | undefined
  const withPositions = (): SourceText => (positioned ??= parseYaml(file, text, bounds).source)
  return {
    source: {
      file,
      value: fast.value,
      locate: (path) => withPositions().locate(path),
      diagnostic: (path, severity, code, message, offset) =>
        withPositions().diagnostic(path, severity, code, message, offset)
    },
    errors: []
  }
}
