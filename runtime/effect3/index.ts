/**
 * The arazzo-effect runtime: what generated workflows import. Generated code reads as
 * `Arazzo.operation(...)`, `run.step({...})`, `Arazzo.equal(...)`.
 */
export { form, json, multipart, text } from "../core/body.js"
export { jsonPath, type JSONPathQuery, matches, selects } from "../core/jsonpath.js"
export { MAX_DEPTH, REDACTED, TOO_DEEP } from "../core/redact.js"
export { replace, type Replacement } from "../core/replace.js"
export type { SentRequest, StepResponse } from "../core/response.js"
export * from "../core/values.js"
export * from "./internal/errors.js"
export {
  type AnyWorkflow,
  endOn,
  type FailureAction,
  gotoOn,
  gotoWorkflowOn,
  retryOn,
  type Transfer,
  type WorkflowTarget
} from "./internal/failure.js"
export * from "./internal/outputs.js"
export * from "./internal/policy.js"
export * from "./internal/request.js"
export * from "./internal/run.js"
export * from "./internal/servers.js"
export * from "./internal/workflow.js"

import * as Schema from "effect/Schema"

/** A binary input: a `Blob` (or `File`) or raw bytes, sent as a multipart file part. */
export const Binary: Schema.Schema<Blob | Uint8Array> = Schema.Union(
  Schema.instanceOf(Blob),
  Schema.Uint8ArrayFromSelf
)
