/**
 * Which errors each workflow can raise, so its generated signature names exactly those: its own
 * kinds (from what its steps do), and the errors of every workflow it runs (a step that runs
 * one, `dependsOn`, a `goto` to one, a `retry` that runs one first), whose failures reach its
 * caller as they are. A called workflow whose step criteria do not hold, or that ends through a
 * failure action, is a `CallFailed` (`DependencyFailed` for `dependsOn`) of this one.
 */
import { WORKFLOW_ERROR_TAGS, type WorkflowErrorTag } from "../../runtime/core/error-tags.js"
import type { ErrorSetIR, WorkflowIR, WorkflowRefIR } from "./ir.js"

type Lowered = Omit<WorkflowIR, "errors">

/**
 * Whether a step can miss a credential (its OpenAPI asks for one the step does not send), and
 * whether it may need an OAuth2 token; lowering decides it from the operation and its schemes.
 */
export type StepNeeds = (step: Lowered["steps"][number]) => { readonly credential: boolean; readonly token: boolean }

const ownTags = (workflow: Lowered, needs: StepNeeds): Array<WorkflowErrorTag> => {
  const tags = new Set<WorkflowErrorTag>(["InputsInvalid", "WorkflowTimeout"])
  for (const step of workflow.steps) {
    if (step.call !== undefined) tags.add("CallFailed")
    else {for (
        const tag of ["RequestInvalid", "RequestFailed", "ResponseInvalid", "StepFailed", "StepTimeout"] as const
      )
      {
        tags.add(tag)
      }}
    const need = needs(step)
    if (need.credential) tags.add("CredentialMissing")
    if (need.token) tags.add("TokenFailed")
    if (step.poll !== undefined) tags.add("PollExhausted")
  }
  if (workflow.shape === "stateMachine") tags.add("StepLimitExceeded")
  if (workflow.dependsOn.length > 0) tags.add("DependencyFailed")
  return WORKFLOW_ERROR_TAGS.filter((tag) => tags.has(tag))
}

/** Every workflow a workflow runs (steps that call one, gotos and retries to one, `dependsOn`): their errors are its errors. */
export const workflowRefs = (workflow: Pick<WorkflowIR, "dependsOn" | "steps">): Array<WorkflowRefIR> => [
  ...workflow.dependsOn,
  ...workflow.steps.flatMap((step) => [
    ...(step.call ? [step.call.workflow] : []),
    ...step.actions.flatMap((a) => (a.kind === "gotoWorkflow" ? [a.target] : [])),
    ...step.failureActions.flatMap((a) =>
      a.kind === "gotoWorkflow" ? [a.target] : a.kind === "retry" && a.workflow !== undefined ? [a.workflow] : []
    )
  ])
]

const key = (ref: WorkflowRefIR) => `${ref.source ?? ""}\u0000${ref.workflowId}`

/** Each workflow's error sets: itself first, then every workflow it can hand over to, transitively, each once. */
export const errorSets = (
  workflows: ReadonlyArray<Lowered>,
  needs: StepNeeds = () => ({ credential: false, token: false })
): Map<string, ReadonlyArray<ErrorSetIR>> => {
  const byId = new Map(workflows.map((w) => [w.workflowId, w]))
  const result = new Map<string, ReadonlyArray<ErrorSetIR>>()
  for (const workflow of workflows) {
    const sets: Array<ErrorSetIR> = []
    const seen = new Set<string>()
    const queue: Array<WorkflowRefIR> = [{ workflowId: workflow.workflowId, source: undefined }]
    while (queue.length > 0) {
      const ref = queue.shift()!
      if (seen.has(key(ref))) continue
      seen.add(key(ref))
      const local = ref.source === undefined ? byId.get(ref.workflowId) : undefined
      sets.push({ workflow: ref, tags: local === undefined ? undefined : ownTags(local, needs) })
      if (local !== undefined) queue.push(...workflowRefs(local))
    }
    result.set(workflow.workflowId, sets)
  }
  return result
}
