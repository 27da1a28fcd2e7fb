/**
 * The generator's XPath syntax check. fontoxpath (and slimdom) load on the first XPath expression
 * met, synchronously (their CommonJS builds), rather than with the modules that call this: most
 * documents have none, and loading them was a measurable part of `check`'s start.
 */
import { createRequire } from "node:module"
import { type Engine, xpathSyntaxLocator } from "../../runtime/core/xpath-syntax.js"

let locate: ((expression: string) => { readonly message: string; readonly offset: number } | undefined) | undefined

/** Why an expression does not parse as XPath 3.1 and where (an offset into it), or `undefined` when it does. */
export const xpathSyntaxProblem = (
  expression: string
): { readonly message: string; readonly offset: number } | undefined => {
  if (locate === undefined) {
    const require = createRequire(import.meta.url)
    const { Document } = require("slimdom") as typeof import("slimdom")
    locate = xpathSyntaxLocator(require("fontoxpath") as Engine, () => new Document())
  }
  return locate(expression)
}

/** Why an expression does not parse as XPath 3.1, or `undefined` when it does. */
export const xpathSyntaxError = (expression: string): string | undefined => xpathSyntaxProblem(expression)?.message
