/**
 * What the journal keeps. An exchange is stored as the generated code reads it (status,
 * headers, the body's bytes), so a replay decodes, judges and reads outputs exactly as the first
 * run did. Results and errors are stored through their schemas; binary values as base64.
 */
import * as Schema from "effect/Schema"
import { WorkflowError } from "../../effect3/internal/errors.js"
import type { RawResponse } from "../../effect3/internal/execution.js"
import type { EndPoint, WorkflowResult } from "../../effect3/internal/run.js"
import { decodeStored, encodeStoredSync } from "./json.js"

/** One step attempt's response, and when it completed (the journaled clock moves to it). */
export interface JournaledResponse extends RawResponse {
  readonly at: number
}

/** One step attempt's response, as an activity's result. */
export const JournaledResponse: Schema.Schema<JournaledResponse, {
  readonly status: number
  readonly headers: { readonly [name: string]: string }
  readonly bytes: string
  readonly at: number
}> = Schema.Struct({
  status: Schema.Number,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  bytes: Schema.Uint8ArrayFromBase64,
  at: Schema.Number
})

/** Any JSON value the workflow produced (outputs, step outputs), binary values included. */
export const StoredValue: Schema.Schema<unknown, unknown> = Schema.transform(Schema.Unknown, Schema.Unknown, {
  strict: true,
  decode: decodeStored,
  encode: encodeStoredSync
})

type AnyResult = WorkflowResult<unknown, unknown, EndPoint>

const Transfer = Schema.Struct({
  workflowId: Schema.String,
  result: Schema.suspend((): Schema.Schema<AnyResult, any> => StoredResult)
})

const Completed = Schema.Struct({
  _tag: Schema.Literal("Completed"),
  outputs: StoredValue,
  steps: StoredValue
})

const Ended = Schema.Struct({
  _tag: Schema.Literal("Ended"),
  stepId: Schema.String,
  action: Schema.String,
  via: Schema.Literal("onSuccess", "onFailure"),
  failure: Schema.optional(WorkflowError),
  transfer: Schema.optional(Transfer),
  outputs: StoredValue,
  steps: StoredValue
})

/** A generated workflow's result (`Completed` or `Ended`), as the journal stores it. */
export const StoredResult: Schema.Schema<AnyResult, any> = Schema.Union(Completed, Ended) as any

/** The workflow's errors: the runtime's serializable tagged errors. */
export { WorkflowError }
