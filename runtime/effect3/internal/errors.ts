/**
 * The typed failures of a generated workflow. Each says which workflow and step failed, which
 * request was sent (method and URL with secrets redacted, never the raw request) and carries
 * the step outputs gathered before the failure, so nothing is lost. They are `Schema.TaggedError`
 * classes: an error encodes to plain data and decodes back (a durable engine stores them).
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import type { WorkflowErrorTag as GeneratorTag } from "../../core/error-tags.js"

/** A request as it may be shown to people: no headers, secrets in the URL redacted. */
export const RequestSummary = Schema.Struct({ method: Schema.String, url: Schema.String })
export type RequestSummary = typeof RequestSummary.Type

/** Outputs of the steps that completed before the failure, by stepId. */
export const GatheredOutputs = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type GatheredOutputs = typeof GatheredOutputs.Type

const stepFailure = {
  workflowId: Schema.String,
  stepId: Schema.String,
  request: RequestSummary,
  stepOutputs: GatheredOutputs
}

const at = (f: { readonly stepId: string; readonly request: RequestSummary }) =>
  `step ${f.stepId} (${f.request.method} ${f.request.url})`

/** The workflow inputs do not match the workflow's inputs schema. */
export class InputsInvalid extends Schema.TaggedError<InputsInvalid>()("InputsInvalid", {
  workflowId: Schema.String,
  issues: Schema.Array(Schema.Struct({ path: Schema.String, message: Schema.String }))
}) {
  override get message() {
    const list = this.issues.map((i) => `${i.path || "(inputs)"}: ${i.message}`).join("; ")
    return `Invalid inputs for workflow ${this.workflowId}: ${list}`
  }
}

/** A request could not be built (a path parameter resolved to nothing, an unencodable body). */
export class RequestInvalid extends Schema.TaggedError<RequestInvalid>()("RequestInvalid", {
  ...stepFailure,
  detail: Schema.String
}) {
  override get message() {
    return `Cannot build the request of ${at(this)}: ${this.detail}`
  }
}

/**
 * The operation needs a credential that was not given: no alternative of its OpenAPI `security`
 * can be met with the credentials provided (`Credentials`) and the step's own parameters. Raised
 * before the request is sent. `schemes` are those of the first alternative that were missing,
 * each with how to give it.
 */
export class CredentialMissing extends Schema.TaggedError<CredentialMissing>()("CredentialMissing", {
  ...stepFailure,
  /** The source description whose credentials are missing. */
  source: Schema.String,
  schemes: Schema.Array(Schema.Struct({ scheme: Schema.String, kind: Schema.String, provide: Schema.String })),
  /** How many alternatives the operation's security offers. */
  alternatives: Schema.Number
}) {
  override get message() {
    const schemes = this.schemes.map((s) => `\`${s.scheme}\` (${s.kind}): ${s.provide}`).join("; ")
    const others = this.alternatives > 1 ? ` (or another of its ${this.alternatives} security alternatives)` : ""
    return `No credential for ${at(this)} of source ${this.source}${others}: ${schemes}`
  }
}

/**
 * No OAuth2 token could be had for the step: the token endpoint (or the OpenID Connect
 * discovery document) refused, answered without a token, or could not be reached. The detail
 * names the status and the OAuth2 error code only: token requests and responses are never shown.
 */
export class TokenFailed extends Schema.TaggedError<TokenFailed>()("TokenFailed", {
  ...stepFailure,
  source: Schema.String,
  scheme: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `No token for ${at(this)}: source ${this.source}, scheme \`${this.scheme}\`: ${this.detail}`
  }
}

/**
 * The request never produced a response the step can judge: connection refused or reset, DNS,
 * TLS (`Transport`), a body that cannot be encoded (`Encode`), a URL the client rejects
 * (`InvalidUrl`), or a redirect the policy does not follow (`Redirect`: to another origin, or
 * too many).
 */
export class RequestFailed extends Schema.TaggedError<RequestFailed>()("RequestFailed", {
  ...stepFailure,
  reason: Schema.Literal("Transport", "Encode", "InvalidUrl", "Redirect"),
  detail: Schema.String,
  attempts: Schema.Number
}) {
  override get message() {
    return `Request of ${at(this)} failed after ${this.attempts} attempt(s): ${this.reason}: ${this.detail}`
  }
}

/**
 * A response arrived but cannot be read as declared. The reason tells the cases apart:
 * - `InvalidJson`: a body with a JSON content type does not parse;
 * - `TooLarge`: the body exceeds the policy's `maxResponseBytes` (it was not read further);
 * - `Output`: an output has the wrong type, is missing where the OpenAPI response schema
 *   requires it (`pointer` says where), or points into a body that is not JSON (`output` names it).
 */
export class ResponseInvalid extends Schema.TaggedError<ResponseInvalid>()("ResponseInvalid", {
  ...stepFailure,
  status: Schema.Number,
  reason: Schema.Literal("InvalidJson", "TooLarge", "Output"),
  /** The name of the output that cannot be read, for reason `Output`. */
  output: Schema.optional(Schema.String),
  /** The JSON Pointer of that output in the body, when it reads the body. */
  pointer: Schema.optional(Schema.String),
  detail: Schema.String
}) {
  override get message() {
    return `Response of ${at(this)} (status ${this.status}) is invalid: ${this.detail}`
  }
}

/** A success criterion did not hold for the response, and no failure action handled it. */
export class StepFailed extends Schema.TaggedError<StepFailed>()("StepFailed", {
  ...stepFailure,
  status: Schema.Number,
  /** The criterion as written in the document. */
  criterion: Schema.String,
  /** Why the criterion could not be evaluated (Arazzo 1.1: such a criterion fails, and says so). */
  detail: Schema.optional(Schema.String),
  /** The response body (secrets redacted), to see why. */
  body: Schema.Unknown,
  /**
   * For a 401 or 403: the security the OpenAPI description asks of this operation, as
   * alternatives of scheme names (`[["bearerAuth"]]`), so the message can say what was missing.
   */
  security: Schema.optional(Schema.Array(Schema.Array(Schema.String)))
}) {
  override get message() {
    const base = this.detail === undefined
      ? `Success criterion \`${this.criterion}\` of ${at(this)} does not hold (status ${this.status})`
      : `Success criterion \`${this.criterion}\` of ${
        at(this)
      } could not be evaluated (status ${this.status}): ${this.detail}`
    const security = this.security
    if (security === undefined || security.length === 0 || (this.status !== 401 && this.status !== 403)) return base
    const alternatives = security.map((schemes) => schemes.map((s) => `\`${s}\``).join(" and ")).join(" or ")
    return `${base}; the OpenAPI description secures this operation with ${alternatives}`
  }
}

/** A step (one request, its retries included) took longer than its timeout. */
export class StepTimeout extends Schema.TaggedError<StepTimeout>()("StepTimeout", {
  ...stepFailure,
  timeout: Schema.Duration
}) {
  override get message() {
    return `Timed out after ${Duration.format(this.timeout)}: ${at(this)}`
  }
}

/** A polling step ran out of its schedule while the loop condition still held. */
export class PollExhausted extends Schema.TaggedError<PollExhausted>()("PollExhausted", {
  ...stepFailure,
  attempts: Schema.Number,
  status: Schema.Number,
  /** The loop condition as written in the document. */
  condition: Schema.String,
  lastBody: Schema.Unknown
}) {
  override get message() {
    return `Polling ${at(this)} gave up after ${this.attempts} attempts; \`${this.condition}\` still holds`
  }
}

/** The whole workflow took longer than its timeout. */
export class WorkflowTimeout extends Schema.TaggedError<WorkflowTimeout>()("WorkflowTimeout", {
  workflowId: Schema.String,
  timeout: Schema.Duration,
  stepOutputs: GatheredOutputs
}) {
  override get message() {
    return `Workflow ${this.workflowId} timed out after ${Duration.format(this.timeout)}`
  }
}

/** A workflow whose gotos form a loop ran more steps than the policy's `maxSteps`. */
export class StepLimitExceeded extends Schema.TaggedError<StepLimitExceeded>()("StepLimitExceeded", {
  workflowId: Schema.String,
  /** The step that would have run next. */
  stepId: Schema.String,
  limit: Schema.Number,
  stepOutputs: GatheredOutputs
}) {
  override get message() {
    return `Workflow ${this.workflowId} ran ${this.limit} steps without finishing (next: ${this.stepId}); see Policy.maxSteps`
  }
}

/** Every way a generated workflow can fail. */
export type WorkflowError =
  | CallFailed
  | DependencyFailed
  | InputsInvalid
  | RequestInvalid
  | CredentialMissing
  | TokenFailed
  | RequestFailed
  | ResponseInvalid
  | StepFailed
  | StepTimeout
  | PollExhausted
  | StepLimitExceeded
  | WorkflowTimeout

/** The schema of any workflow error, e.g. to store or send one. */
export const WorkflowError: Schema.Schema<WorkflowError, any> = Schema.suspend(() =>
  Schema.Union(
    CallFailed,
    DependencyFailed,
    InputsInvalid,
    RequestInvalid,
    CredentialMissing,
    TokenFailed,
    RequestFailed,
    ResponseInvalid,
    StepFailed,
    StepTimeout,
    PollExhausted,
    StepLimitExceeded,
    WorkflowTimeout
  )
)

/**
 * A step that runs another workflow failed: the called workflow failed (`cause`), or a success
 * criterion of the step did not hold for its outputs (`criterion`).
 */
export class CallFailed extends Schema.TaggedError<CallFailed>()("CallFailed", {
  workflowId: Schema.String,
  stepId: Schema.String,
  calledWorkflowId: Schema.String,
  criterion: Schema.optional(Schema.String),
  /** Why the criterion could not be evaluated (Arazzo 1.1). */
  detail: Schema.optional(Schema.String),
  cause: Schema.optional(WorkflowError),
  stepOutputs: GatheredOutputs
}) {
  override get message(): string {
    const why: string = this.criterion !== undefined
      ? `success criterion \`${this.criterion}\` ${
        this.detail === undefined ? "does not hold" : `could not be evaluated: ${this.detail}`
      }`
      : `it failed: ${this.cause?.message ?? "unknown"}`
    return `Step ${this.stepId} of workflow ${this.workflowId} ran workflow ${this.calledWorkflowId}, and ${why}`
  }
}

/** A workflow listed in `dependsOn` failed (or ended through a failure action), so this one did not run. */
export class DependencyFailed extends Schema.TaggedError<DependencyFailed>()("DependencyFailed", {
  workflowId: Schema.String,
  dependency: Schema.String,
  cause: Schema.optional(WorkflowError)
}) {
  override get message(): string {
    return `Workflow ${this.workflowId} depends on ${this.dependency}, which failed: ${
      this.cause?.message ?? "unknown"
    }`
  }
}

/** The tag of each workflow error. */
export type WorkflowErrorTag = WorkflowError["_tag"]

/**
 * The errors of one workflow, as its generated signature names them: only the tags it can
 * raise, with `stepId` narrowed to its steps and `stepOutputs` typed like its results' `steps`.
 */
export type ErrorOf<Tag extends WorkflowErrorTag, Steps> = Tag extends WorkflowErrorTag
  ? Narrowed<Extract<WorkflowError, { readonly _tag: Tag }>, keyof Steps & string, Steps>
  : never

type Narrowed<E, StepId extends string, Steps> =
  & E
  & (E extends { readonly stepId: string } ? { readonly stepId: StepId } : unknown)
  & (E extends { readonly stepOutputs: GatheredOutputs } ? { readonly stepOutputs: Partial<Steps> } : unknown)

/** A compile-time check that this line has an error class for every tag the generator knows. */
type SameTags<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
export const _everyTag: SameTags<WorkflowErrorTag, GeneratorTag> = true
