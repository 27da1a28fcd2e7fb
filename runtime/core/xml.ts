/**
 * XPath over XML bodies: `xpath` criteria, outputs read from XML responses, and replacements in
 * XML request bodies. Published as `arazzo-effect/runtime/xml` so that only documents with XML
 * criteria load fontoxpath.
 *
 * Arazzo names XPath 1.0, 2.0 and 3.0 (`xpath-10`, `xpath-20`, `xpath-30`); every expression runs
 * on fontoxpath's XPath 3.1 engine. 3.1 is a superset of 2.0/3.0, and it keeps the 1.0 meaning of
 * the paths, predicates, comparisons and functions criteria use; the differences are corner
 * cases of 1.0's loose typing (e.g. `"1" = 1` is a type error in 2.0+, not a number comparison).
 *
 * A body is only parsed when it looks safe to: no entity declarations (so no entity expansion,
 * billion laughs or quadratic blow-up, and no external entities, which slimdom would drop
 * anyway), at most MAX_XML_TAGS tags (parsing costs ~14 µs per element), and at most
 * MAX_XML_DEPTH levels (fontoxpath's document-order sorting is quadratic in depth: `//a` took
 * over 40 s on a 10,000-deep document). Anything else is not XML to these functions.
 */
import fontoxpath from "fontoxpath"
import { Document, type Node, parseXmlDocument, serializeToWellFormedString } from "slimdom"
import { CriterionError } from "./criteria.js"
import { errorText, xpathSyntaxChecker } from "./xpath-syntax.js"

export interface XPathQuery {
  readonly expression: string
}

/** Most `<` a body may contain (elements, comments, CDATA, processing instructions). */
export const MAX_XML_TAGS = 100_000
/** Deepest element nesting a body may have. */
export const MAX_XML_DEPTH = 256

/** An XPath expression; the generator has checked its syntax with `xpathSyntaxError`. */
export const xpath = (expression: string): XPathQuery => ({ expression })

/** Why an expression does not parse as XPath 3.1, or `undefined` when it does. */
export const xpathSyntaxError = xpathSyntaxChecker(fontoxpath, () => new Document())

// Parsing

const bodyText = (body: unknown): string | undefined => {
  if (typeof body === "string") return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body) // drops a UTF-8 BOM
  return undefined
}

/** The document, or why it is not one these functions will read. */
const parse = (text: string): Document | { readonly error: string } => {
  const trimmed = text.replace(/^\uFEFF/, "")
  if (trimmed.includes("<!ENTITY")) return { error: "XML that declares entities is not read" }
  let tags = 0
  for (let i = trimmed.indexOf("<"); i !== -1; i = trimmed.indexOf("<", i + 1)) {
    if (++tags > MAX_XML_TAGS) return { error: `XML with more than ${MAX_XML_TAGS} tags is not read` }
  }
  let document: Document
  try {
    document = parseXmlDocument(trimmed)
  } catch (cause) {
    return { error: `not well-formed XML: ${errorText(cause).split("\n")[0]}` }
  }
  if (depthOver(document, MAX_XML_DEPTH)) return { error: `XML nested deeper than ${MAX_XML_DEPTH} levels is not read` }
  return document
}

/** Whether elements nest deeper than `limit`; iterative, so a deep document cannot overflow the stack. */
const depthOver = (document: Document, limit: number): boolean => {
  const stack: Array<readonly [Node, number]> = document.documentElement ? [[document.documentElement, 1]] : []
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry
    if (depth > limit) return true
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === 1) stack.push([child, depth + 1])
    }
  }
  return false
}

/**
 * The last body parsed, kept until the current task ends: the criteria and outputs of one
 * response are evaluated together, so they share one parse, and nothing outlives them.
 */
let lastParsed:
  | { readonly body: unknown; readonly document: Document | undefined; readonly why: string | undefined }
  | undefined
let releaseScheduled = false

const documentOf = (body: unknown): Document | undefined => {
  if (lastParsed !== undefined && lastParsed.body === body) return lastParsed.document
  const text = bodyText(body)
  const parsed = text === undefined ? undefined : parse(text)
  const document = parsed instanceof Document ? parsed : undefined
  lastParsed = {
    body,
    document,
    why: parsed === undefined ? "the context is not XML text" : (parsed instanceof Document ? undefined : parsed.error)
  }
  if (!releaseScheduled) {
    releaseScheduled = true
    const timer: unknown = setTimeout(() => {
      lastParsed = undefined
      releaseScheduled = false
    }, 0) // Node: do not keep the process alive for this. (Other runtimes return a number.)
    ;(timer as { unref?: () => void }).unref?.()
  }
  return document
}

/**
 * Prefixes in expressions resolve to the namespaces the document element declares. Unprefixed
 * names mean no namespace, as in every XPath version (a default `xmlns` needs a prefix).
 */
const optionsFor = (document: Document) => ({
  namespaceResolver: (
    prefix: string
  ) => (prefix === "" ? null : document.documentElement?.lookupNamespaceURI(prefix) ?? null)
})

// Criteria and outputs

/** The expression's effective boolean value on the body; `false` for a body that is not (readable) XML. */
export const xpathTest = (query: XPathQuery, body: unknown): boolean => {
  const document = documentOf(body)
  if (document === undefined) return false
  try {
    return fontoxpath.evaluateXPathToBoolean(query.expression, document, null, null, optionsFor(document))
  } catch {
    return false
  }
}

/**
 * An Arazzo 1.1 xpath criterion: a context that is not (readable) XML, or an expression that
 * fails on it, is a `CriterionError` (a failed criterion that says why), not `false`.
 */
export const xpathCheck = (query: XPathQuery, body: unknown): boolean => {
  const document = documentOf(body)
  if (document === undefined) throw new CriterionError(`the xpath criterion's context: ${lastParsed?.why ?? "not XML"}`)
  try {
    return fontoxpath.evaluateXPathToBoolean(query.expression, document, null, null, optionsFor(document))
  } catch (cause) {
    throw new CriterionError(`\`${query.expression}\` failed on the context: ${errorText(cause).split("\n")[0]}`)
  }
}

/** A 1.1 xpath criterion whose expression was substituted at run time; one that does not parse is a `CriterionError`. */
export const xpathCheckText = (expression: string, body: unknown): boolean => {
  const problem = xpathSyntaxError(expression)
  if (problem !== undefined) {
    throw new CriterionError(`after substitution, \`${expression}\` is not an XPath expression: ${problem}`)
  }
  return xpathCheck({ expression }, body)
}

const isNode = (item: unknown): item is Node =>
  typeof item === "object" && item !== null && typeof (item as { nodeType?: unknown }).nodeType === "number"

/** A node's XPath string value: text content for elements and documents, the value otherwise. */
const stringValue = (node: Node): string => {
  if (node.nodeType === 9) return (node as Document).documentElement?.textContent ?? ""
  return node.textContent ?? ""
}

/**
 * For outputs: the string value of the first node the expression selects; when it computes
 * values instead (`count(//item)`, `//item/@id/string()`), the value, or all of them when there
 * are several. `undefined` when nothing matches or the body is not (readable) XML.
 */
export const xpathSelect = (query: XPathQuery, body: unknown): unknown => {
  const document = documentOf(body)
  if (document === undefined) return undefined
  let items: Array<unknown>
  try {
    items = fontoxpath.evaluateXPath(
      query.expression,
      document,
      null,
      null,
      fontoxpath.evaluateXPath.ALL_RESULTS_TYPE,
      optionsFor(document)
    )
  } catch {
    return undefined
  }
  const first = items[0]
  if (first === undefined) return undefined
  if (isNode(first)) return stringValue(first)
  return items.length === 1 ? first : items
}

// Replacements

const XML_DECLARATION = /^\uFEFF?(<\?xml\s[^?]*\?>)/

/**
 * Sets the text of every element or attribute each target selects. A target that selects
 * nothing, or a value that is not a string, number or boolean, is an error naming the target.
 */
export const replaceXml = (
  xml: string,
  replacements: ReadonlyArray<{ readonly target: string; readonly value: unknown }>
): string | { readonly error: string } => {
  const document = parse(xml)
  if (!(document instanceof Document)) return { error: `the XML body cannot be read: ${document.error}` }
  for (const { target, value } of replacements) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      return {
        error: `replacement \`${target}\`: an XML value must be a string, number or boolean, not ${describe(value)}`
      }
    }
    let nodes: Array<Node>
    try {
      nodes = fontoxpath.evaluateXPathToNodes(target, document, null, null, optionsFor(document))
    } catch (cause) {
      return { error: `replacement \`${target}\`: ${errorText(cause)}` }
    }
    if (nodes.length === 0) return { error: `replacement \`${target}\` selects nothing in the XML body` }
    for (const node of nodes) {
      // Elements lose their children for the text; attributes and text nodes take it as their value.
      if (node.nodeType === 1 || node.nodeType === 2 || node.nodeType === 3 || node.nodeType === 4) {
        node.textContent = String(value)
      } else {
        return { error: `replacement \`${target}\` must select elements or attributes` }
      }
    }
  }
  try {
    // slimdom does not keep the XML declaration; put it back as it was written.
    const declaration = XML_DECLARATION.exec(xml)?.[1]
    const serialized = serializeToWellFormedString(document)
    return declaration === undefined ? serialized : declaration + serialized
  } catch (cause) {
    return { error: `the replaced XML body cannot be written: ${errorText(cause)}` }
  }
}

const describe = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : value === undefined ? "undefined" : `a ${typeof value}`
