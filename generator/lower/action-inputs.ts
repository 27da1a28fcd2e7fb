/**
 * A success or failure action's `parameters` (Arazzo 1.1): the inputs of the workflow it starts,
 * by name (`in` is not used: they map to that workflow's inputs), reusable ones through
 * `$components.parameters`. Absent: the workflow gets this run's inputs, as in 1.0.
 */
import type { Path } from "../load/yaml.js"
import { resolveParameter, type Reusables } from "../resolve/components.js"
import { arrayAt, type Scope, stringAt } from "../resolve/context.js"
import { lowerValue } from "../resolve/values.js"
import type { ValueIR } from "./ir.js"

/** The inputs, `undefined` when the action has no `parameters`, `null` when one could not be lowered (reported). */
export const lowerActionInputs = (
  action: Record<string, unknown>,
  at: Path,
  scope: Scope,
  reusables: Reusables
): ReadonlyArray<readonly [string, ValueIR]> | undefined | null => {
  if (!("parameters" in action)) return undefined
  const inputs = new Map<string, ValueIR>()
  let ok = true
  arrayAt(action, "parameters").forEach((raw, i) => {
    const where = [...at, "parameters", i]
    const parameter = resolveParameter(raw, reusables, scope, where)
    const name = parameter === undefined ? undefined : stringAt(parameter, "name")
    const value = parameter === undefined ? undefined : lowerValue(parameter["value"], scope, [...where, "value"])
    if (name === undefined || value === undefined) ok = false
    // Given twice: the last one, as a step's parameters.
    else inputs.set(name, value)
  })
  return ok ? [...inputs] : null
}
