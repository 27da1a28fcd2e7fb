/**
 * Workflows of the Civitai Orchestration mock: validating a submission, the status progression
 * driven by polls, cancellation, and rendering as the `Workflow` schema.
 */
import { blobContentUrl } from "./civitai-orchestration-blobs.js"
import {
  accept,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type Parsed,
  refuse
} from "./civitai-orchestration-http.js"

export type WorkflowOutcome = "succeeded" | "failed" | "expired" | "canceled"
export type WorkflowStatus = "unassigned" | "preparing" | "processing" | WorkflowOutcome

export const WORKFLOW_STATUSES: ReadonlyArray<WorkflowStatus> = [
  "unassigned",
  "preparing",
  "processing",
  "succeeded",
  "failed",
  "expired",
  "canceled"
]

export const isWorkflowStatus = (value: string): value is WorkflowStatus =>
  (WORKFLOW_STATUSES as ReadonlyArray<string>).includes(value)

export const isTerminal = (status: WorkflowStatus): boolean =>
  status === "succeeded" || status === "failed" || status === "expired" || status === "canceled"

/** What the mock needs from each submitted step; the full step stays in `request`. */
export interface StepSummary {
  readonly name: string
  readonly type: string
  readonly width: number
  readonly height: number
}

/** A submitted workflow. Mutable here; the mock hands it out as `MockWorkflow`. */
export interface WorkflowState {
  readonly id: string
  /** The submitted body, exactly as parsed. */
  readonly request: JsonObject
  readonly steps: ReadonlyArray<StepSummary>
  readonly createdAt: string
  tags: ReadonlyArray<string>
  status: WorkflowStatus
  /** getWorkflow calls answered for it (failed, injected calls excluded). */
  polls: number
  startedAt: string | undefined
  completedAt: string | undefined
}

export type MockWorkflow = Readonly<WorkflowState>

/** How polls move a workflow: `pollsUntilDone` non-terminal answers, then `outcome`. */
export interface Progression {
  readonly pollsUntilDone: number
  readonly outcome: WorkflowOutcome
}

const DEFAULT_SIZE = 1024
const BUZZ_PER_STEP = 25

const isStringArray = (value: JsonValue | undefined): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

const integerOr = (value: JsonValue | undefined, fallback: number): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback

const summarizeStep = (step: JsonValue, index: number): Parsed<StepSummary> => {
  if (!isJsonObject(step)) return refuse(`steps[${index}] must be an object`)
  const type = step["$type"]
  if (typeof type !== "string") return refuse(`steps[${index}].$type must be a string`)
  const name = step["name"]
  const input = isJsonObject(step["input"]) ? step["input"] : {}
  return accept({
    name: typeof name === "string" ? name : `step${index}`,
    type,
    width: integerOr(input["width"], DEFAULT_SIZE),
    height: integerOr(input["height"], DEFAULT_SIZE)
  })
}

export interface ValidSubmission {
  readonly request: JsonObject
  readonly steps: ReadonlyArray<StepSummary>
  readonly tags: ReadonlyArray<string>
}

/** Checks the parts of `WorkflowRequest` the mock relies on: an object with a `steps` array. */
export const validateSubmission = (body: JsonValue): Parsed<ValidSubmission> => {
  if (!isJsonObject(body)) return refuse("the workflow request must be a JSON object")
  const rawSteps = body["steps"]
  if (!Array.isArray(rawSteps)) return refuse(`the workflow request must have a "steps" array`)
  const tags = body["tags"]
  if (tags !== undefined && !isStringArray(tags)) return refuse(`"tags" must be an array of strings`)
  const steps: Array<StepSummary> = []
  for (const [index, step] of rawSteps.entries()) {
    const summary = summarizeStep(step, index)
    if (!summary.ok) return summary
    steps.push(summary.value)
  }
  return accept({ request: body, steps, tags: tags ?? [] })
}

export const newWorkflow = (id: string, submission: ValidSubmission, now: Date): WorkflowState => ({
  id,
  request: submission.request,
  steps: submission.steps,
  createdAt: now.toISOString(),
  tags: submission.tags,
  status: "unassigned",
  polls: 0,
  startedAt: undefined,
  completedAt: undefined
})

/** The status the n-th poll (1-based) reports. */
export const statusForPoll = (poll: number, progression: Progression): WorkflowStatus => {
  if (poll > progression.pollsUntilDone) return progression.outcome
  return poll === 1 ? "preparing" : "processing"
}

const moveTo = (workflow: WorkflowState, status: WorkflowStatus, now: Date): void => {
  workflow.status = status
  if (status !== "unassigned" && workflow.startedAt === undefined) workflow.startedAt = now.toISOString()
  if (isTerminal(status) && workflow.completedAt === undefined) workflow.completedAt = now.toISOString()
}

/** One answered poll; a terminal workflow stays as it is. */
export const advanceOnPoll = (workflow: WorkflowState, progression: Progression, now: Date): void => {
  workflow.polls += 1
  if (isTerminal(workflow.status)) return
  moveTo(workflow, statusForPoll(workflow.polls, progression), now)
}

/** Cancels a running workflow; one that already finished keeps its outcome. */
export const cancelWorkflow = (workflow: WorkflowState, now: Date): void => {
  if (!isTerminal(workflow.status)) moveTo(workflow, "canceled", now)
}

export type WorkflowUpdate = { readonly cancel: boolean; readonly tags: ReadonlyArray<string> | undefined }

/** Checks a `WorkflowUpdate`: `status` may only be "canceled", `tags` an array of strings. */
export const validateUpdate = (body: JsonValue): Parsed<WorkflowUpdate> => {
  if (!isJsonObject(body)) return refuse("the workflow update must be a JSON object")
  const status = body["status"]
  if (status !== undefined && status !== "canceled") return refuse(`"status" can only be set to "canceled"`)
  const tags = body["tags"]
  if (tags !== undefined && !isStringArray(tags)) return refuse(`"tags" must be an array of strings`)
  return accept({ cancel: status === "canceled", tags })
}

/** The id of the image a succeeded workflow produced. */
export const outputBlobId = (workflowId: string): string => `out_${workflowId}`

/** The workflow id behind an output blob id, if it is one. */
export const workflowIdOfOutput = (blobId: string): string | undefined =>
  blobId.startsWith("out_") ? blobId.slice("out_".length) : undefined

// Rendering, following the `Workflow`, `WorkflowStepResult` and `Job` schemas.

export interface OutputBlobJson {
  readonly blobId: string
  readonly url: string
  readonly mimeType: string
  readonly width: number
  readonly height: number
  readonly nsfwLevel: number
}

export interface JobJson {
  readonly id: string
  readonly status: string
  readonly startedAt?: string
  readonly completedAt?: string
  readonly result?: { readonly blobs: ReadonlyArray<OutputBlobJson> }
}

export interface WorkflowStepResultJson {
  readonly name: string
  readonly $type: string
  readonly status: string
  readonly startedAt?: string
  readonly completedAt?: string
  readonly jobs: ReadonlyArray<JobJson>
}

export interface WorkflowJson {
  readonly id: string
  readonly status: WorkflowStatus
  readonly tags: ReadonlyArray<string>
  readonly createdAt: string
  readonly startedAt?: string
  readonly completedAt?: string
  readonly cost?: { readonly base: number; readonly total: number; readonly currency: "BUZZ" }
  readonly steps: ReadonlyArray<WorkflowStepResultJson>
}

const timestamps = (workflow: WorkflowState): { startedAt?: string; completedAt?: string } => ({
  ...(workflow.startedAt === undefined ? {} : { startedAt: workflow.startedAt }),
  ...(workflow.completedAt === undefined ? {} : { completedAt: workflow.completedAt })
})

const outputBlobs = (workflow: WorkflowState, step: StepSummary, index: number, baseUrl: string) => {
  // The mock produces one image, for the first step.
  if (index !== 0) return []
  const blobId = outputBlobId(workflow.id)
  return [{
    blobId,
    url: blobContentUrl(baseUrl, blobId),
    mimeType: "image/png",
    width: step.width,
    height: step.height,
    nsfwLevel: 1
  }]
}

const renderJobs = (
  workflow: WorkflowState,
  step: StepSummary,
  index: number,
  baseUrl: string
): ReadonlyArray<JobJson> => {
  // Jobs are scheduled once preparation is over.
  if (workflow.status === "unassigned" || workflow.status === "preparing") return []
  const result = workflow.status === "succeeded"
    ? { result: { blobs: outputBlobs(workflow, step, index, baseUrl) } }
    : {}
  return [{ id: `job_${workflow.id}_${index}`, status: workflow.status, ...timestamps(workflow), ...result }]
}

export const renderWorkflow = (workflow: WorkflowState, baseUrl: string): WorkflowJson => {
  const cost = BUZZ_PER_STEP * workflow.steps.length
  return {
    id: workflow.id,
    status: workflow.status,
    tags: workflow.tags,
    createdAt: workflow.createdAt,
    ...timestamps(workflow),
    ...(workflow.status === "succeeded" ? { cost: { base: cost, total: cost, currency: "BUZZ" as const } } : {}),
    steps: workflow.steps.map((step, index) => ({
      name: step.name,
      $type: step.type,
      status: workflow.status,
      ...timestamps(workflow),
      jobs: renderJobs(workflow, step, index, baseUrl)
    }))
  }
}
