/** One workflow checked: its flow, `dependsOn`, each step, and its outputs. */
import type { LoadedSource } from "../load/document.js"
import type { Path } from "../load/yaml.js"
import { isAsyncApiStep } from "../resolve/asyncapi.js"
import { arrayAt, isObject, type Reporter } from "../resolve/context.js"
import { dependenciesOf, outputScope, stepScope, workflowNames } from "../resolve/scope.js"
import type { StepChecks } from "./context.js"
import { checkDependsOn } from "./dependencies.js"
import type { SecurityLedger } from "./openapi.js"
import { checkReachability } from "./reachability.js"
import { checkOutputs } from "./references.js"
import { checkStepDependencies } from "./step-dependencies.js"
import { checkStep } from "./step.js"

export const checkWorkflow = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  index: number,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  security: SecurityLedger
): void => {
  const path: Path = ["workflows", index]
  const names = workflowNames(root, raw, sources, dependenciesOf(root, raw, sources))
  checkReachability(names.flow, path, reporter)
  // The steps read the dependencies' inputs and outputs: without them there is nothing to check against.
  if (!checkDependsOn(root, raw, sources, path, reporter)) return
  const checks: StepChecks = {
    root,
    sources,
    order: names.order,
    security,
    components: isObject(root["components"]) ? root["components"] : {},
    workflowParameters: arrayAt(raw, "parameters"),
    workflowSuccessActions: arrayAt(raw, "successActions"),
    workflowFailureActions: arrayAt(raw, "failureActions")
  }
  for (const [i, step] of arrayAt(raw, "steps").filter(isObject).entries()) {
    const scope = stepScope(names, i, reporter)
    checkStep(step, i, scope, checks, [...path, "steps", i])
    // An AsyncAPI step's dependencies wait on messages (issue #17), not on steps run before it.
    if (!isAsyncApiStep(step, sources)) {
      checkStepDependencies(step, i, names.order, raw, root, sources, scope, [...path, "steps", i])
    }
  }
  checkOutputs(raw["outputs"], outputScope(names, reporter), path)
}
