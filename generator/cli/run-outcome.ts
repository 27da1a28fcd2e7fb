/**
 * What a run came to, as the CLI reports it: the result (checked against the shape the runtime
 * returns), the outputs printed as JSON, typed errors as tag + message, and secrets kept out of
 * everything printed on stderr.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { REDACTED, Secrets } from "../../runtime/core/redact.js"
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

/** The outputs on stdout: secret ones (inputs passed through, credentials the API issued) redacted. */
export const printOutputs = (
  outputs: unknown,
  workflow: WorkflowIR,
  secrets: Secrets,
  maxDepth = DEFAULT_PRINT_DEPTH
) => {
  const secret = new Set(workflow.outputs.filter((o) => o.secret).map((o) => o.name))
  const shown = typeof outputs === "object" && outputs !== null
    ? Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, secret.has(k) && v !== undefined ? REDACTED : v]))
    : outputs
  return Console.log(secrets.text(outputsJson(shown, maxDepth)))
}

/**
 * What the CLI keeps out of everything it prints: secret input values (API keys, tokens), and
 * once the run has ended, the credentials the API issued (outputs the generator marks secret).
 */
export const runSecrets = (workflow: WorkflowIR, inputs: unknown): Secrets =>
  Secrets.of(workflow.inputs.filter((input) => input.secret).map((input) => memberOf(inputs, input.name)))

const memberOf = (value: unknown, name: string): unknown =>
  typeof value === "object" && value !== null && Object.hasOwn(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined

/** Learns the secret step and workflow outputs of a result (`steps` and `outputs` as the runtime returns them). */
export const learnIssued = (secrets: Secrets, workflow: WorkflowIR, result: unknown): void => {
  const steps = memberOf(result, "steps")
  const outputs = memberOf(result, "outputs")
  secrets.learn([
    ...workflow.steps.flatMap((step) =>
      step.outputs.filter((o) => o.secret).map((o) => memberOf(memberOf(steps, step.stepId), o.name))
    ),
    ...workflow.outputs.filter((o) => o.secret).map((o) => memberOf(outputs, o.name))
  ])
}
