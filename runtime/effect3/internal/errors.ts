/**
 * The typed failures of a generated workflow. Each one says which workflow and step failed,
 * which request was sent (method and URL with secrets redacted, never the raw request) and
 * carries the step outputs gathered before the failure, so nothing is lost.
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"

/** A request as it may be shown to people: no headers, secrets in the URL redacted. */
export interface RequestSummary {
  readonly method: string
  readonly url: string
}

/** Outputs of the steps that completed before the failure, by stepId. */
export type GatheredOutputs = Readonly<Record<string, unknown>>

interface StepFailureFields {
  readonly workflowId: string
  readonly stepId: string
  readonly request: RequestSummary
  readonly stepOutputs: GatheredOutputs
}

const at = (f: { readonly stepId: string; readonly request: RequestSummary }) =>
  `step ${f.stepId} (${f.request.method} ${f.request.url})`

/** The workflow inputs do not match the workflow's inputs schema. */
export class InputsInvalid extends Data.TaggedError("InputsInvalid")<{
  readonly workflowId: string
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>
}> {
  override get message() {
    const list = this.issues.map((i) => `${i.path || "(inputs)"}: ${i.message}`).join("; ")
    return `Invalid inputs for workflow ${this.workflowId}: ${list}`
  }
}

/** A request could not be built (a path parameter resolved to nothing, an unencodable body). */
export class RequestInvalid extends Data.TaggedError("RequestInvalid")<
  StepFailureFields & {
    readonly detail: string
  }
> {
  override get message() {
    return `Cannot build the request of ${at(this)}: ${this.detail}`
  }
}

/** The request never produced a response: connection refused or reset, DNS, TLS. */
export class RequestFailed extends Data.TaggedError("RequestFailed")<
  StepFailureFields & {
    readonly reason: "Transport" | "Encode" | "InvalidUrl"
    readonly detail: string
    readonly attempts: number
  }
> {
  override get message() {
    return `Request of ${at(this)} failed after ${this.attempts} attempt(s): ${this.reason}: ${this.detail}`
  }
}

/**
 * A response arrived but cannot be read as declared. The reason tells the cases apart:
 * - `InvalidJson`: a body with a JSON content type does not parse;
 * - `TooLarge`: the body exceeds the policy's `maxResponseBytes` (it was not read further);
 * - `Output`: an output has the wrong type, or points into a body that is not JSON (`output` names it).
 *
 * A JSON body without the value an output points at is not invalid: the output is `undefined`.
 */
export class ResponseInvalid extends Data.TaggedError("ResponseInvalid")<
  StepFailureFields & {
    readonly status: number
    readonly reason: "InvalidJson" | "TooLarge" | "Output"
    /** The name of the output that cannot be read, for reason `Output`. */
    readonly output?: string
    readonly detail: string
  }
> {
  override get message() {
    return `Response of ${at(this)} (status ${this.status}) is invalid: ${this.detail}`
  }
}

/** A success criterion did not hold for the response, and no failure action handled it. */
export class StepFailed extends Data.TaggedError("StepFailed")<
  StepFailureFields & {
    readonly status: number
    /** The criterion as written in the document. */
    readonly criterion: string
    /** The response body (secrets redacted), to see why. */
    readonly body: unknown
  }
> {
  override get message() {
    return `Success criterion \`${this.criterion}\` of ${at(this)} does not hold (status ${this.status})`
  }
}

/** A step (one request, its retries included) took longer than its timeout. */
export class StepTimeout extends Data.TaggedError("StepTimeout")<
  StepFailureFields & {
    readonly timeout: Duration.Duration
  }
> {
  override get message() {
    return `Timed out after ${Duration.format(this.timeout)}: ${at(this)}`
  }
}

/** A polling step ran out of its schedule while the loop condition still held. */
export class PollExhausted extends Data.TaggedError("PollExhausted")<
  StepFailureFields & {
    readonly attempts: number
    readonly status: number
    /** The loop condition as written in the document. */
    readonly condition: string
    readonly lastBody: unknown
  }
> {
  override get message() {
    return `Polling ${at(this)} gave up after ${this.attempts} attempts; \`${this.condition}\` still holds`
  }
}

/** The whole workflow took longer than its timeout. */
export class WorkflowTimeout extends Data.TaggedError("WorkflowTimeout")<{
  readonly workflowId: string
  readonly timeout: Duration.Duration
  readonly stepOutputs: GatheredOutputs
}> {
  override get message() {
    return `Workflow ${this.workflowId} timed out after ${Duration.format(this.timeout)}`
  }
}

/** A workflow whose gotos form a loop ran more steps than the policy's `maxSteps`. */
export class StepLimitExceeded extends Data.TaggedError("StepLimitExceeded")<{
  readonly workflowId: string
  /** The step that would have run next. */
  readonly stepId: string
  readonly limit: number
  readonly stepOutputs: GatheredOutputs
}> {
  override get message() {
    return `Workflow ${this.workflowId} ran ${this.limit} steps without finishing (next: ${this.stepId}); see Policy.maxSteps`
  }
}

/**
 * A step that runs another workflow failed: the called workflow failed (`cause`), or a success
 * criterion of the step did not hold for its outputs (`criterion`).
 */
export class CallFailed extends Data.TaggedError("CallFailed")<{
  readonly workflowId: string
  readonly stepId: string
  readonly calledWorkflowId: string
  readonly criterion: string | undefined
  readonly cause: WorkflowError | undefined
  readonly stepOutputs: GatheredOutputs
}> {
  override get message(): string {
    const why: string = this.criterion !== undefined
      ? `success criterion \`${this.criterion}\` does not hold`
      : `it failed: ${this.cause?.message ?? "unknown"}`
    return `Step ${this.stepId} of workflow ${this.workflowId} ran workflow ${this.calledWorkflowId}, and ${why}`
  }
}

/** Every way a generated workflow can fail. */
export type WorkflowError =
  | CallFailed
  | InputsInvalid
  | RequestInvalid
  | RequestFailed
  | ResponseInvalid
  | StepFailed
  | StepTimeout
  | PollExhausted
  | StepLimitExceeded
  | WorkflowTimeout
