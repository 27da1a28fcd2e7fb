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
import { cannotOpen, SEALED, type Sealer } from "./seal.js"

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

/**
 * One step attempt's response sealed with the store key (seal.ts): its status and completion time
 * stay readable (the CLI's `run --durable` follows the status codes), its headers and body do not.
 */
export interface SealedResponse {
  readonly status: number
  readonly at: number
  readonly [SEALED]: string
}

export const SealedResponse: Schema.Schema<SealedResponse> = Schema.Struct({
  status: Schema.Number,
  at: Schema.Number,
  [SEALED]: Schema.String
})

/** What an activity's result is in the journal: a response, sealed when the store has a key. */
export const JournalEntry: Schema.Schema<JournaledResponse | SealedResponse, any> = Schema.Union(
  JournaledResponse,
  SealedResponse
)

/** A journaled response sealed: headers and body as JSON (the body in base64), then encrypted. */
export const sealResponse = (key: Sealer, context: string, response: JournaledResponse): SealedResponse => ({
  status: response.status,
  at: response.at,
  [SEALED]: key.seal(
    JSON.stringify({ headers: response.headers, bytes: Buffer.from(response.bytes).toString("base64") }),
    context
  )
})

/** A journal entry as the runtime reads it; throws when this key cannot open a sealed one. */
export const openResponse = (key: Sealer | undefined, context: string, entry: JournaledResponse | SealedResponse) => {
  if (!(SEALED in entry)) return entry
  if (key === undefined) throw cannotOpen("journaled responses", key)
  const { bytes, headers } = JSON.parse(key.open(entry[SEALED], context)) as {
    readonly headers: Record<string, string>
    readonly bytes: string
  }
  return { status: entry.status, at: entry.at, headers, bytes: new Uint8Array(Buffer.from(bytes, "base64")) }
}

/** A result sealed whole with the store key: outputs and step outputs may be secrets. */
export const SealedResult = Schema.Struct({
  _tag: Schema.Literal("Sealed"),
  [SEALED]: Schema.String
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
