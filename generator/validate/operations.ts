/**
 * What a step calls: an operation of a source description (unknown source or operation, with
 * the nearest name, ambiguous or shorthand references; see resolve/operations.ts), or a workflow.
 */
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Scope } from "../resolve/context.js"
import { type ResolvedOperation, stepOperation } from "../resolve/operations.js"
import type { StepChecks } from "./context.js"

export const checkStepOperation = (
  raw: Record<string, unknown>,
  checks: StepChecks,
  scope: Scope,
  path: Path
): ResolvedOperation | undefined => {
  if (typeof raw["operationId"] !== "string" && typeof raw["operationPath"] !== "string") {
    report(
      scope,
      path,
      "error",
      "step-target-missing",
      "a step needs one of `operationId`, `operationPath` or `workflowId`"
    )
    return undefined
  }
  // path is ["workflows", i, "steps", j]: the workflow's steps, for an operationId used twice.
  const workflow = arrayAt(checks.root, "workflows")[Number(path[1])]
  return stepOperation(raw, checks.sources, scope, path, isObject(workflow) ? arrayAt(workflow, "steps") : undefined)
}
