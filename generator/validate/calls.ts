/**
 * A step that runs a workflow: the workflow exists, the step passes its required inputs, the
 * values it passes and its outputs (`$outputs.x`, the called workflow's) refer to what is in
 * scope, and its actions are ones such a step can have.
 */
import type { Path } from "../load/yaml.js"
import { mergeParameters } from "../resolve/components.js"
import { arrayAt, isObject, report, type Scope } from "../resolve/context.js"
import { lowerCriterion } from "../resolve/criteria.js"
import { lowerValue } from "../resolve/values.js"
import { findWorkflow, type FoundWorkflow, inputsSchemaOf, reportShorthand } from "../resolve/workflow-refs.js"
import { checkFailureActions, checkSuccessActions } from "./actions.js"
import type { StepChecks } from "./context.js"
import { checkOutputs } from "./references.js"

export const checkCallStep = (
  raw: Record<string, unknown>,
  index: number,
  workflowId: string,
  scope: Scope,
  checks: StepChecks,
  path: Path
): void => {
  const found = findWorkflow(workflowId, checks.root, checks.sources)
  if (!("raw" in found)) {
    report(scope, [...path, "workflowId"], "error", found.code, found.message)
    return
  }
  reportShorthand(found, workflowId, scope, [...path, "workflowId"])
  const calledOutputs = new Set(Object.keys(isObject(found.raw["outputs"]) ? found.raw["outputs"] : {}))
  // Criteria and actions of a step that runs a workflow test that workflow's outputs (`$outputs.x`).
  const callScope: Scope = { ...scope, response: false, calledOutputs }
  arrayAt(raw, "successCriteria").forEach((c, i) => lowerCriterion(c, callScope, [...path, "successCriteria", i]))
  const flow = checkSuccessActions(raw, index, callScope, checks, path)
  checkFailureActions(raw, callScope, checks, path)
  if (flow?.polls === true) {
    report(
      scope,
      [...path, "onSuccess"],
      "error",
      "unsupported-call-step-actions",
      "a step that runs a workflow cannot poll itself"
    )
  }
  const parameters = mergeParameters(raw, checks, scope, path, true)
  if (parameters === undefined) return
  checkCallInputs(parameters.map((p) => p.parameter), found, scope, path)
  for (const { parameter, at } of parameters) {
    if (typeof parameter["name"] !== "string") continue
    lowerValue(parameter["value"], { ...scope, response: false }, [...at, "value"])
  }
  checkOutputs(raw["outputs"], { ...scope, response: false, calledOutputs }, path, false)
}

/** A step that calls a workflow must pass its required inputs. */
const checkCallInputs = (
  parameters: ReadonlyArray<Record<string, unknown>>,
  called: FoundWorkflow,
  scope: Scope,
  path: Path
) => {
  const inputs = inputsSchemaOf(called.root, called.raw["inputs"])
  const passed = new Set(parameters.flatMap((p) => (typeof p["name"] === "string" ? [p["name"]] : [])))
  const missing = arrayAt(inputs, "required").filter((name): name is string =>
    typeof name === "string" && !passed.has(name)
  )
  if (missing.length > 0) {
    report(
      scope,
      path,
      "error",
      "missing-workflow-input",
      `workflow \`${called.workflowId}\` requires ${
        missing.map((m) => `\`${m}\``).join(", ")
      }, which this step does not pass`
    )
  }
}
