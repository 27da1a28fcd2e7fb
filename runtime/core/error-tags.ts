/**
 * The kinds of error a generated workflow can raise, by tag. The generator decides which of
 * them each workflow can raise (its signature names only those); each Effect line defines one
 * error class per tag (a type test checks the two lists agree).
 */
export const WORKFLOW_ERROR_TAGS = [
  "InputsInvalid",
  "RequestInvalid",
  "CredentialMissing",
  "TokenFailed",
  "RequestFailed",
  "ResponseInvalid",
  "StepFailed",
  "StepTimeout",
  "PollExhausted",
  "StepLimitExceeded",
  "CallFailed",
  "DependencyFailed",
  "WorkflowTimeout"
] as const

export type WorkflowErrorTag = (typeof WORKFLOW_ERROR_TAGS)[number]
