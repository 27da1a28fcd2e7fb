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
import { findWorkflow, reportShorthand } from "../resolve/workflow-refs.js"
import { checkFailureActions, checkSuccessActions } from "./actions.js"
import type { StepChecks } from "./context.js"
import { checkPassedInputs } from "./passed-inputs.js"
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
  const passed = parameters.flatMap(({ parameter }) => typeof parameter["name"] === "string" ? [parameter["name"]] : [])
  checkPassedInputs(passed, found, scope, path, "this step")
  for (const { parameter, at } of parameters) {
    if (typeof parameter["name"] !== "string") continue
    lowerValue(parameter["value"], { ...scope, response: false }, [...at, "value"])
  }
  checkOutputs(raw["outputs"], { ...scope, response: false, calledOutputs }, path, false)
}
