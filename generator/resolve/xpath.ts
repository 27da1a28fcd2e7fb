/**
 * The generator's XPath syntax check. fontoxpath (and slimdom) load on the first XPath expression
 * met, synchronously (their CommonJS builds), rather than with the modules that call this: most
 * documents have none, and loading them was a measurable part of `check`'s start.
 */
import { createRequire } from "node:module"
import { type Engine, xpathSyntaxChecker } from "../../runtime/core/xpath-syntax.js"

let check: ((expression: string) => string | undefined) | undefined

/** Why an expression does not parse as XPath 3.1, or `undefined` when it does. */
export const xpathSyntaxError = (expression: string): string | undefined => {
  if (check === undefined) {
    const require = createRequire(import.meta.url)
    const { Document } = require("slimdom") as typeof import("slimdom")
    check = xpathSyntaxChecker(require("fontoxpath") as Engine, () => new Document())
  }
  return check(expression)
}
