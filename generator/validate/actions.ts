/**
 * A step's success and failure actions, its own and the workflow's it inherits, reusable ones
 * through `$components`: each must name a component that exists, have a known type, and go to a
 * step of the workflow or a workflow that exists; their criteria are checked as any criterion.
 */
import type { Path } from "../load/yaml.js"
import { lowerActionInputs } from "../lower/action-inputs.js"
import { mergeActions } from "../resolve/components.js"
import { arrayAt, report, type Scope, stringAt } from "../resolve/context.js"
import { lowerCriteria } from "../resolve/criteria.js"
import { findWorkflow, reportShorthand } from "../resolve/workflow-refs.js"
import type { StepChecks } from "./context.js"
import { checkPassedInputs } from "./passed-inputs.js"

/**
 * An action's `parameters` are the inputs of the workflow it starts (1.1): they need one, and
 * their values are checked as any value; `false` when one of them is wrong.
 */
const checkActionInputs = (action: Record<string, unknown>, checks: StepChecks, scope: Scope, at: Path): boolean => {
  if (!("parameters" in action)) return true
  if (stringAt(action, "workflowId") === undefined || stringAt(action, "type") === "end") {
    report(
      scope,
      [...at, "parameters"],
      "error",
      "action-parameters-without-workflow",
      "an action's `parameters` are the inputs of the workflow it starts: it needs a `workflowId`"
    )
    return false
  }
  if (stringAt(action, "type") === "retry") {
    report(
      scope,
      [...at, "parameters"],
      "error",
      "unsupported-retry-parameters",
      "`parameters` on a retry action that runs a workflow are not compiled yet"
    )
    return false
  }
  const inputs = lowerActionInputs(action, at, scope, checks)
  if (inputs === null) return false
  // The started workflow gets these inputs instead of this run's, so its required ones must be among them.
  const target = findWorkflow(stringAt(action, "workflowId")!, checks.root, checks.sources)
  if ("raw" in target && inputs !== undefined) {
    checkPassedInputs(inputs.map(([name]) => name), target, scope, [...at, "parameters"], "this action")
  }
  return true
}

const checkWorkflowTarget = (workflowId: string, checks: StepChecks, scope: Scope, at: Path): boolean => {
  const found = findWorkflow(workflowId, checks.root, checks.sources)
  if ("raw" in found) {
    reportShorthand(found, workflowId, scope, at)
    return true
  }
  report(scope, at, "error", found.code, found.message)
  return false
}

const checkStepTarget = (stepId: string, checks: StepChecks, scope: Scope, at: Path): boolean => {
  if (checks.order.includes(stepId)) return true
  report(
    scope,
    at,
    "error",
    "unknown-goto-target",
    `\`goto\` names step \`${stepId}\`, which workflow ${scope.workflowId} does not have`
  )
  return false
}

/** An action's criteria, joined; `false` when one of them is wrong. */
const checkActionCriteria = (action: Record<string, unknown>, scope: Scope, at: Path) => {
  const criteria = arrayAt(action, "criteria")
  if (criteria.length === 0) return { ok: true, conditional: false }
  return { ok: lowerCriteria(criteria, scope, [...at, "criteria"]) !== undefined, conditional: true }
}

/** The success actions; `polls` when the first one goes back to the step itself on a condition. */
export const checkSuccessActions = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  checks: StepChecks,
  path: Path
): { readonly polls: boolean } | undefined => {
  const stepId = checks.order[index]!
  const merged = mergeActions(raw, "onSuccess", checks, scope, path)
  if (merged === undefined) return undefined
  let polls = false
  let ok = true
  for (const [position, { action, at }] of merged.entries()) {
    const type = stringAt(action, "type")
    const criteria = checkActionCriteria(action, scope, at)
    if (!criteria.ok) {
      ok = false
      continue
    }
    if (!checkActionInputs(action, checks, scope, at)) {
      ok = false
      continue
    }
    if (type === "end") continue
    if (type !== "goto") {
      report(scope, [...at, "type"], "error", "action-type", "a success action's type is `end` or `goto`")
      ok = false
      continue
    }
    const target = stringAt(action, "stepId")
    const workflowId = stringAt(action, "workflowId")
    if (target === undefined && workflowId !== undefined) {
      if (!checkWorkflowTarget(workflowId, checks, scope, [...at, "workflowId"])) ok = false
    } else if (target === undefined) {
      report(scope, at, "error", "action-target-missing", "a `goto` action needs a `stepId` or a `workflowId`")
      ok = false
    } else if (!checkStepTarget(target, checks, scope, [...at, "stepId"])) {
      ok = false
    } else if (target === stepId && position === 0 && criteria.conditional) {
      polls = true
    }
  }
  return ok ? { polls } : undefined
}

export const checkFailureActions = (
  raw: Record<string, unknown>,
  scope: Scope,
  checks: StepChecks,
  path: Path
): boolean => {
  const merged = mergeActions(raw, "onFailure", checks, scope, path)
  if (merged === undefined) return false
  let ok = true
  for (const { action, at } of merged) {
    const criteria = checkActionCriteria(action, scope, at)
    if (!criteria.ok) {
      ok = false
      continue
    }
    if (!checkActionInputs(action, checks, scope, at)) {
      ok = false
      continue
    }
    const type = stringAt(action, "type")
    const stepId = stringAt(action, "stepId")
    const workflowId = stringAt(action, "workflowId")
    const step = stepId === undefined ? undefined : checkStepTarget(stepId, checks, scope, [...at, "stepId"])
    const workflow = workflowId === undefined
      ? undefined
      : checkWorkflowTarget(workflowId, checks, scope, [...at, "workflowId"])
    if (step === false || workflow === false) {
      ok = false
      continue
    }
    if (scope.calledOutputs !== undefined && criteria.conditional) {
      report(
        scope,
        [...at, "criteria"],
        "error",
        "unsupported-call-step-actions",
        "criteria on the failure actions of a step that runs a workflow are not supported yet (there is no response to test)"
      )
      ok = false
      continue
    }
    if (type === "end" || type === "retry" || (type === "goto" && (step === true || workflow === true))) continue
    if (type === "goto") {
      report(scope, at, "error", "action-target-missing", "a `goto` action needs a `stepId` or a `workflowId`")
    } else {
      report(scope, [...at, "type"], "error", "action-type", "a failure action's type is `end`, `goto` or `retry`")
    }
    ok = false
  }
  return ok
}
