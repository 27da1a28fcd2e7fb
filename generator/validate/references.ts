/**
 * Outputs: each is a runtime expression, or (1.1) a Selector Object, whose `$steps`, `$inputs`,
 * `$outputs`, `$response…` references name what exists and can have a value there (see
 * resolve/values.ts and resolve/selectors.ts).
 */
import type { Path } from "../load/yaml.js"
import { isObject, report, type Scope } from "../resolve/context.js"
import { isSelectorObject } from "../resolve/selectors.js"
import { lowerOutputValue } from "../resolve/values.js"

/** A step's or a workflow's `outputs`; `requireExpression`: a value that is not a string is reported. */
export const checkOutputs = (outputs: unknown, scope: Scope, path: Path, requireExpression = true): void => {
  if (!isObject(outputs)) return
  for (const [name, expression] of Object.entries(outputs)) {
    const at = [...path, "outputs", name]
    if (typeof expression === "string" || isSelectorObject(expression)) lowerOutputValue(expression, scope, at)
    else if (requireExpression) {
      report(scope, at, "error", "output-invalid", "an output must be a runtime expression or a Selector Object")
    }
  }
}
