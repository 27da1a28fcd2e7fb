/**
 * What a run came to, as the CLI reports it: the result (checked against the shape the runtime
 * returns), the outputs printed as JSON, typed errors as tag + message, and secrets kept out of
 * everything printed on stderr.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { WorkflowIR } from "../lower/ir.js"
import { boundedJson } from "./bounded-json.js"
import { DEFAULT_PRINT_DEPTH, type ErrorReport, type RunEnd } from "./trace-printer.js"

export { DEFAULT_PRINT_DEPTH }

const Result = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("Completed"), outputs: Schema.Unknown }),
  Schema.Struct({
    _tag: Schema.Literal("Ended"),
    stepId: Schema.String,
    action: Schema.String,
    via: Schema.String,
    failure: Schema.Unknown,
    outputs: Schema.Unknown
  })
)

/** A failure of the workflow's error channel: one of the runtime's tagged `WorkflowError`s. */
export const isWorkflowError = (u: unknown): u is { readonly _tag: string; readonly message: string } =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string" &&
  typeof (u as { message?: unknown }).message === "string"

const field = (
  error: object,
  name: string
): unknown => (name in error ? (error as Record<string, unknown>)[name] : undefined)

export const errorReport = (error: { readonly _tag: string; readonly message: string }): ErrorReport => {
  const status = field(error, "status")
  return {
    tag: error._tag,
    message: error.message,
    status: typeof status === "number" ? status : undefined,
    body: field(error, "body") ?? field(error, "lastBody")
  }
}

export interface DescribedResult {
  readonly end: RunEnd
  readonly outputs: unknown
  /** A failure `end` action ended the workflow. */
  readonly failed: boolean
}

export const describeResult = (workflowId: string, result: unknown): Effect.Effect<DescribedResult> =>
  Schema.decodeUnknown(Result)(result).pipe(
    Effect.map((r): DescribedResult => {
      if (r._tag === "Completed") return { end: { _tag: "Completed", workflowId }, outputs: r.outputs, failed: false }
      const failure = isWorkflowError(r.failure) ? errorReport(r.failure) : undefined
      return {
        end: { _tag: "Ended", workflowId, stepId: r.stepId, action: r.action, via: r.via, failure },
        outputs: r.outputs,
        failed: r.via === "onFailure"
      }
    }),
    Effect.orDieWith((error) => new Error(`the workflow returned a result of unexpected shape: ${error.message}`))
  )

/**
 * Outputs as JSON: an output that is absent reads `null` (the key stays), bytes read as base64;
 * nested deeper than `maxDepth`, a note (a hostile response cannot crash the printing).
 */
export const outputsJson = (outputs: unknown, maxDepth = DEFAULT_PRINT_DEPTH): string =>
  boundedJson(outputs, {
    maxDepth,
    indent: 2,
    raise: "raise it with --print-depth <n>",
    replace: (value) => {
      if (value === undefined) return null
      if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString("base64") }
      return value
    }
  })

export const printOutputs = (outputs: unknown, maxDepth = DEFAULT_PRINT_DEPTH) =>
  Console.log(outputsJson(outputs, maxDepth))

/** Secret input values (API keys, tokens) replaced wherever they occur; short values are left alone. */
export const secretsOf = (workflow: WorkflowIR, inputs: unknown): (text: string) => string => {
  const values = workflow.inputs
    .filter((input) => input.secret)
    .map((
      input
    ) => (typeof inputs === "object" && inputs !== null ? (inputs as Record<string, unknown>)[input.name] : undefined))
    .filter((v): v is string => typeof v === "string" && v.length >= 4)
  const all = [...new Set([...values, ...values.map(encodeURIComponent)])].sort((a, b) => b.length - a.length)
  return (text) => all.reduce((t, secret) => t.split(secret).join("<redacted>"), text)
}
