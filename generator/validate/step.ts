/** One step checked: what it calls, its parameters and body, criteria, outputs and actions. */
import type { Path } from "../load/yaml.js"
import { isAsyncApiStep } from "../resolve/asyncapi.js"
import { arrayAt, report, type Scope, stringAt } from "../resolve/context.js"
import { lowerCriterion } from "../resolve/criteria.js"
import { isCallStep } from "../resolve/operations.js"
import { checkFailureActions, checkSuccessActions } from "./actions.js"
import { checkCallStep } from "./calls.js"
import type { StepChecks } from "./context.js"
import { checkMessageStep } from "./message-step.js"
import { checkAgainstOpenApi } from "./openapi.js"
import { checkStepOperation } from "./operations.js"
import { checkParameters } from "./parameters.js"
import { checkBody } from "./payload.js"
import { checkOutputs } from "./references.js"

export const checkStep = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  checks: StepChecks,
  path: Path
): void => {
  if (isAsyncApiStep(raw, checks.sources)) return checkMessageStep(raw, index, scope, checks, path)
  for (const member of ["action", "correlationId"] as const) {
    if (member in raw) {
      report(
        scope,
        [...path, member],
        "warning",
        "message-member-ignored",
        `\`${member}\` applies to AsyncAPI steps only; this step calls an OpenAPI operation, so it is ignored`
      )
    }
  }
  if (isCallStep(raw) && raw["timeout"] !== undefined) {
    report(
      scope,
      [...path, "timeout"],
      "error",
      "unsupported-call-step-timeout",
      "a `timeout` on a step that runs a workflow is not compiled yet; bound that workflow with Policies (workflowTimeout)"
    )
  }
  if (isCallStep(raw)) return checkCallStep(raw, index, stringAt(raw, "workflowId")!, scope, checks, path)
  const operation = checkStepOperation(raw, checks, scope, path)
  const requestScope: Scope = { ...scope, response: false }
  const responseScope: Scope = { ...scope, response: true }
  const parameters = checkParameters(raw, operation?.operation, requestScope, checks, path)
  checkBody(raw, operation?.operation, requestScope, path)
  arrayAt(raw, "successCriteria").forEach((c, i) => lowerCriterion(c, responseScope, [...path, "successCriteria", i]))
  checkOutputs(raw["outputs"], responseScope, path)
  checkSuccessActions(raw, index, responseScope, checks, path)
  checkFailureActions(raw, responseScope, checks, path)
  if (operation !== undefined && parameters !== undefined) {
    checkAgainstOpenApi(raw, operation, parameters, checks.security, scope, path)
  }
}
