/**
 * The arazzo-effect runtime: what generated workflows import. Generated code reads as
 * `Arazzo.operation(...)`, `run.step({...})`, `Arazzo.equal(...)`.
 */
export * from "./errors.js"
export {
  type AnyWorkflow,
  endOn,
  type FailureAction,
  gotoOn,
  gotoWorkflowOn,
  retryOn,
  type Transfer,
  type WorkflowTarget
} from "./failure.js"
export { jsonPath, type JSONPathQuery, matches, selects } from "./jsonpath.js"
export * from "./outputs.js"
export * from "./policy.js"
export { MAX_DEPTH, REDACTED, TOO_DEEP } from "./redact.js"
export { replace, type Replacement } from "./replace.js"
export * from "./request.js"
export type { SentRequest, StepResponse } from "./response.js"
export * from "./run.js"
export * from "./servers.js"
export * from "./values.js"
export * from "./workflow.js"

import * as Schema from "effect/Schema"

/** A binary input: a `Blob` (or `File`) or raw bytes, sent as a multipart file part. */
export const Binary: Schema.Schema<Blob | Uint8Array> = Schema.Union(
  Schema.instanceOf(Blob),
  Schema.Uint8ArrayFromSelf
)
