/**
 * Step outputs: where each value is read in the response and the Schema it must satisfy. The
 * generator derives both from the Arazzo expression and the OpenAPI response schema, so a
 * step's outputs are typed and checked at the boundary: a value the response schema requires
 * that is missing, or a value of the wrong type, fails the step that received it.
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import { describeSource, type OutputSource, pointerText, readSource } from "../../core/outputs.js"
import type { StepResponse } from "../../core/response.js"
import { type Segment, setOwn } from "../../core/values.js"

export interface Output<A> {
  readonly source: OutputSource
  /** The schema a present value must satisfy. */
  readonly schema: Schema.Codec<A, unknown>
  /** Whether an absent value (`undefined`) is accepted as is. */
  readonly optional: boolean
  /** A credential the API issues: the run redacts its value wherever it appears afterwards. */
  readonly secret: boolean
}

/** How an output is read: `required` (an absent value fails the step), `secret` (a credential the API issues). */
export interface OutputOptions {
  readonly required?: true
  readonly secret?: true
}

/**
 * A value in the response body at a JSON Pointer (its decoded tokens). With `required` (the
 * response schema lists every member on the way in `required`) an absent value fails the step;
 * otherwise it is `undefined`.
 */
export function body<A>(
  pointer: ReadonlyArray<Segment>,
  schema: Schema.Codec<A, any>,
  options: OutputOptions & { readonly required: true }
): Output<A>
export function body<A>(
  pointer: ReadonlyArray<Segment>,
  schema: Schema.Codec<A, any>,
  options?: OutputOptions
): Output<A | undefined>
export function body<A>(
  pointer: ReadonlyArray<Segment>,
  schema: Schema.Codec<A, any>,
  options?: OutputOptions
): Output<A | undefined> {
  const required = options?.required === true
  return {
    source: { _tag: "Body", pointer, required },
    schema: schema as Schema.Codec<A | undefined, unknown>,
    optional: !required,
    secret: options?.secret === true
  }
}

/** A response header (the name in lower case); `undefined` when absent. */
export const header = (name: string, options?: { readonly secret?: true }): Output<string | undefined> => ({
  source: { _tag: "Header", name },
  schema: Schema.String as Schema.Codec<string | undefined, unknown>,
  optional: true,
  secret: options?.secret === true
})

export const statusCode: Output<number> = {
  source: { _tag: "Status" },
  schema: Schema.Number as Schema.Codec<number, unknown>,
  optional: false,
  secret: false
}

/** Any other value, computed by generated code (inputs, earlier outputs, constants). */
export const value = <A>(compute: (response: StepResponse) => A, options?: { readonly secret?: true }): Output<A> => ({
  source: { _tag: "Computed", compute },
  schema: Schema.Unknown as Schema.Codec<A, unknown>,
  optional: false,
  secret: options?.secret === true
})

/** The outputs table of a step whose outputs have type `S`. */
export type OutputsFor<S> = { readonly [K in keyof S]-?: Output<S[K]> }

/**
 * An enum decoded open: the declared values type the result for narrowing, and any other value
 * of the same primitive type still decodes (APIs add values; a run must not fail on one).
 */
export const openLiterals = <const L extends ReadonlyArray<string | number>>(
  ...values: L
): Schema.Codec<L[number] | (L[number] extends string ? string & {} : number & {}), unknown> => {
  const kinds = new Set(values.map((v) => typeof v))
  const wide = [...kinds].map((k) => (k === "string" ? Schema.String : Schema.Number))
  return Schema.Union([Schema.Literals(values), ...wide]) as unknown as Schema.Codec<
    L[number] | (L[number] extends string ? string & {} : number & {}),
    unknown
  >
}

/** Each output schema's decoder, made once (generated modules declare their output tables once). */
const decoders = new WeakMap<
  Schema.Codec<any, unknown>,
  (value: unknown) => Result.Result<any, Schema.SchemaError>
>()

const decoderOf = <A>(
  schema: Schema.Codec<A, unknown>
): (value: unknown) => Result.Result<A, Schema.SchemaError> => {
  let decode = decoders.get(schema)
  if (decode === undefined) decoders.set(schema, decode = Schema.decodeUnknownResult(schema))
  return decode
}

const formatIssue = SchemaIssue.makeFormatterDefault()

/**
 * Checks a value, or says why it does not match. Output schemas only check (they transform
 * nothing), and Effect 4's decoder drops members a struct does not list, so the value read is
 * kept as the API sent it, as the Effect 3 line keeps it. A value nested deeper than the stack (a
 * hostile body) can make checking or formatting throw; that is a mismatch too, not a crash.
 */
const check = <A>(schema: Schema.Codec<A, unknown>, value: unknown): Result.Result<A, string> => {
  try {
    const decoded = decoderOf(schema)(value)
    return Result.isFailure(decoded)
      ? Result.fail(`does not match its schema: ${formatIssue(decoded.failure.issue)}`)
      : Result.succeed(value as A)
  } catch (cause) {
    const why = `the mismatch cannot be described: ${String(cause)}`
    return Result.fail(`does not match its schema (expected ${String(schema)}); ${why}`)
  }
}

export type OutputTable = Readonly<Record<string, Output<any>>>

/** Why an output could not be read: its name, where it points (body outputs) and what is wrong. */
export interface OutputFailure {
  readonly output: string
  readonly pointer: string | undefined
  readonly error: string
}

/** Reads and checks every output; the first that cannot be read is reported by name. */
/** Why output `name` failed: its name, where it points and what is wrong (built only on failure). */
const failure = (name: string, output: Output<any>, why: string): OutputFailure => {
  const { source } = output
  return {
    output: name,
    pointer: source._tag === "Body" ? pointerText(source.pointer) : undefined,
    error: `output \`${name}\` (${describeSource(source)}) ${why}`
  }
}

const NO_SECRETS: ReadonlyArray<unknown> = []

export const readOutputs = (
  table: OutputTable,
  response: StepResponse
): { readonly outputs: Record<string, unknown>; readonly secrets: ReadonlyArray<unknown> } | OutputFailure => {
  const outputs: Record<string, unknown> = {}
  let secrets = NO_SECRETS
  for (const name in table) {
    const output = table[name]!
    const read = readSource(output.source, response)
    if (read._tag === "Unreadable") return failure(name, output, read.why)
    if (read._tag === "Missing") {
      const { source } = output
      const at = source._tag === "Body" && source.pointer.length > 0 ? pointerText(source.pointer) : "the root"
      return failure(
        name,
        output,
        `is missing: the OpenAPI response schema requires a value at ${at} (expected ${String(output.schema)})`
      )
    }
    if (read.value === undefined && output.optional) {
      setOwn(outputs, name, undefined)
      continue
    }
    const checked = check(output.schema, read.value)
    if (Result.isFailure(checked)) return failure(name, output, checked.failure)
    setOwn(outputs, name, checked.success)
    if (output.secret) secrets = [...secrets, checked.success]
  }
  return { outputs, secrets }
}
