/**
 * arazzo-effect's runtime for Effect 4: the contract between generated workflow modules and
 * the runtime. Generated code reads as `Arazzo.operation(...)`, `run.step({...})`,
 * `Arazzo.equal(...)`; applications use `Arazzo.Policies`, `Arazzo.Servers`, the results and the
 * errors. Everything else is internal and may change.
 */
import * as Schema from "effect/Schema"

// Declaring a module's sources and operations
export type { OperationOptions, Parameters, SecurityRequirement } from "../core/request.js"
export type { ParameterStyle, Serialization } from "../core/serialize.js"
export { type Operation, operation } from "./internal/operation.js"
export { Servers, type Source, source } from "./internal/servers.js"

// Credentials for the sources' security schemes
export {
  CREDENTIAL_FIELDS,
  type CredentialField,
  credentialKey,
  type SecurityScheme,
  type SecuritySchemes,
  type SecurityScopes
} from "../core/credentials.js"
export {
  type CredentialFor,
  type CredentialInput,
  Credentials,
  type CredentialsFor,
  type CredentialStore,
  fromPairs as credentialsFromPairs,
  type OAuthCredential,
  type Secret
} from "./internal/credentials.js"

// Request bodies
export { binary, type Body, form, json, multipart, text } from "../core/body.js"
export type { Replacement } from "../core/replace.js"

// Criteria and the values they compare
export { type CallCriterion, type Criterion, criterion, CriterionError, successfulStatus } from "../core/criteria.js"
export {
  jsonPath,
  type JSONPathQuery,
  matches,
  matchesText,
  regex,
  selects,
  selectsStrict,
  selectsText,
  where
} from "../core/jsonpath.js"
export type { SentRequest, StepResponse } from "../core/response.js"
export { selectAll, selectOne } from "../core/selectors.js"
export {
  at,
  each,
  embed,
  equal,
  greaterOrEqual,
  greaterThan,
  lessOrEqual,
  lessThan,
  notEqual,
  own,
  present,
  type Segment,
  truthy
} from "../core/values.js"

// Outputs
export { body, header, openLiterals, type Output, type OutputsFor, statusCode, value } from "./internal/outputs.js"

// Failure actions
export { endOn, gotoOn, gotoWorkflowOn, retryOn } from "../core/actions.js"

// Workflows, steps and results
export {
  type AnyWorkflow,
  type CallResult,
  type CallStep,
  type Completed,
  type Ended,
  type EndPoint,
  type FailureAction,
  type Goto,
  type OperationStep,
  type Outcome,
  type Run,
  type StepResult,
  type Transfer,
  type WorkflowResult,
  type WorkflowTarget
} from "./internal/run.js"
export {
  runWorkflow,
  type WorkflowDefinition,
  type WorkflowErrorOf,
  type WorkflowOutputsOf
} from "./internal/workflow.js"

// Policies
export {
  defaultPolicy,
  defaultPoll,
  defaultRetry,
  forStep,
  forWorkflow,
  Policies,
  type Policy,
  type PolicySettings,
  type StepPolicy,
  type WorkflowPolicy
} from "./internal/policy.js"

// Errors
export * from "./internal/errors.js"

// Redaction limits, for those who print errors
export { MAX_DEPTH, REDACTED, TOO_DEEP } from "../core/redact.js"

/** A binary input: a `Blob` (or `File`) or raw bytes, sent as a multipart file part or a raw body. */
export const Binary: Schema.Codec<Blob | Uint8Array> = Schema.Union([
  Schema.instanceOf(Blob),
  Schema.Uint8Array
])
