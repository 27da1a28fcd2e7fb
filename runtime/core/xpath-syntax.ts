/**
 * The XPath syntax check, given the engine: runtime/core/xml.ts passes the fontoxpath it imports,
 * and the generator (generator/resolve/xpath.ts) passes one it loads only when a document has an
 * XPath expression, so that `check` and `generate` of the many documents without XPath never load it.
 */
import type Fontoxpath from "fontoxpath"
import type { Document } from "slimdom"

/** What the check uses of fontoxpath's module. */
export type Engine = Pick<typeof Fontoxpath, "parseScript" | "evaluateXPath">

/** Why an expression does not parse as XPath 3.1, or `undefined` when it does. */
export const xpathSyntaxChecker = (engine: Engine, document: () => Document) => {
  const locate = xpathSyntaxLocator(engine, document)
  return (expression: string): string | undefined => locate(expression)?.message
}

/** Why an expression does not parse as XPath 3.1 and where (a 0-based offset into it), or `undefined`. */
export const xpathSyntaxLocator = (engine: Engine, document: () => Document) =>
(
  expression: string
): { readonly message: string; readonly offset: number } | undefined => {
  try {
    engine.parseScript(expression, { language: engine.evaluateXPath.XPATH_3_1_LANGUAGE }, document())
    return undefined
  } catch (cause) {
    return { message: errorText(cause), offset: errorOffset(cause, expression.length) }
  }
}

/** fontoxpath's parse errors carry `position.start.offset`; anything else is placed at the start. */
const errorOffset = (cause: unknown, length: number): number => {
  const offset = (cause as { position?: { start?: { offset?: unknown } } } | null)?.position?.start?.offset
  return typeof offset === "number" && offset >= 0 && offset <= length ? offset : 0
}

/** fontoxpath's message ends with `Error: XPST0003: …` after a drawing of the expression; keep that part. */
export const errorText = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  const last = message.lastIndexOf("Error: ")
  return (last === -1 ? message : message.slice(last + "Error: ".length)).replace(/\s+/g, " ").trim()
}
