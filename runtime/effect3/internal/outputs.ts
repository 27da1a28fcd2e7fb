/**
 * Step outputs: where each value is read from the response and the Schema it must satisfy.
 * The generator derives both from the Arazzo expression and the OpenAPI response schema, so a
 * step's outputs are typed and checked at the boundary.
 *
 * A body output is a JSON Pointer into a JSON body. A JSON body without the value (or no body
 * at all) gives `undefined`; a body that is not a JSON object or array (an HTML page, text,
 * bytes, a bare string) cannot be pointed into, and is an error naming the output.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { isJson, type StepResponse } from "../../core/response.js"
import { at, type Segment } from "../../core/values.js"

export interface Output<A> {
  /** Where the value comes from, as an Arazzo runtime expression (for messages). */
  readonly from: string
  /** The raw value, or why this response cannot hold it at all. */
  readonly read: (response: StepResponse) => Either.Either<unknown, string>
  /** The schema a present value must satisfy. */
  readonly schema: Schema.Schema<A, unknown>
  /** Whether an absent value (`undefined`) is accepted as is. */
  readonly optional: boolean
}

const pointerText = (pointer: ReadonlyArray<Segment>): string =>
  pointer.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("")

/** What a body that cannot be pointed into is, for the message. */
const notADocument = (response: StepResponse): string | undefined => {
  const { body } = response
  if (body === undefined || body === null) return undefined
  if (typeof body === "object" && !(body instanceof Uint8Array)) return undefined
  const contentType = response.headers["content-type"] || "no content type"
  if (body instanceof Uint8Array) return `binary content (${contentType}), not JSON`
  if (typeof body === "string" && !isJson(contentType)) return `text (${contentType}), not JSON`
  return `a JSON ${typeof body}, not an object or array`
}

/** A value in the response body at a JSON Pointer (given as its decoded tokens); `undefined` when absent. */
export const body = <A>(pointer: ReadonlyArray<Segment>, schema: Schema.Schema<A, any>): Output<A | undefined> => ({
  from: `$response.body${pointer.length === 0 ? "" : "#" + pointerText(pointer)}`,
  read: (response) => {
    const unreadable = pointer.length === 0 ? undefined : notADocument(response)
    return unreadable === undefined
      ? Either.right(at(response.body, pointer))
      : Either.left(`points into a body that is ${unreadable}`)
  },
  schema: schema as unknown as Schema.Schema<A | undefined, unknown>,
  optional: true
})

/** A response header (the name in lower case); `undefined` when absent. */
export const header = (name: string): Output<string | undefined> => ({
  from: `$response.header.${name}`,
  read: (response) => Either.right(response.headers[name]),
  schema: Schema.String as Schema.Schema<string | undefined, unknown>,
  optional: true
})

export const statusCode: Output<number> = {
  from: "$statusCode",
  read: (response) => Either.right(response.status),
  schema: Schema.Number as Schema.Schema<number, unknown>,
  optional: false
}

/** Any other value, computed by generated code (inputs, earlier outputs, constants). */
export const value = <A>(compute: (response: StepResponse) => A): Output<A> => ({
  from: "a computed value",
  read: (response) =>
    Either.try({ try: () => compute(response), catch: (cause) => `cannot be computed: ${String(cause)}` }),
  schema: Schema.Unknown as Schema.Schema<A, unknown>,
  optional: false
})

export type OutputTable = Readonly<Record<string, Output<any>>>
export type OutputsOf<T extends OutputTable> = { readonly [K in keyof T]: T[K] extends Output<infer A> ? A : never }

/** Each output schema's decoder, made once (generated modules declare their output tables once). */
const decoders = new WeakMap<
  Schema.Schema<any, unknown>,
  (value: unknown) => Either.Either<any, ParseResult.ParseError>
>()

const decoderOf = <A>(
  schema: Schema.Schema<A, unknown>
): (value: unknown) => Either.Either<A, ParseResult.ParseError> => {
  let decode = decoders.get(schema)
  if (decode === undefined) decoders.set(schema, decode = Schema.decodeUnknownEither(schema))
  return decode
}

/**
 * Decodes a value, or says why not. A value nested deeper than the stack (a hostile body) can
 * make decoding or formatting the mismatch throw; that is a mismatch too, not a crash.
 */
const check = <A>(schema: Schema.Schema<A, unknown>, value: unknown): Either.Either<A, string> => {
  try {
    return Either.mapLeft(
      decoderOf(schema)(value),
      (error) => `does not match its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    )
  } catch (cause) {
    const why = `the mismatch cannot be described: ${String(cause)}`
    return Either.left(`does not match its schema (expected ${String(schema)}); ${why}`)
  }
}

/** Reads and checks every output; the first that cannot be read is reported by name. */
export const readOutputs = <T extends OutputTable>(
  table: T,
  response: StepResponse
): { readonly outputs: OutputsOf<T> } | { readonly output: string; readonly error: string } => {
  const outputs: Record<string, unknown> = {}
  for (const [name, output] of Object.entries(table)) {
    const fail = (why: string) => ({ output: name, error: `output \`${name}\` (${output.from}) ${why}` })
    const raw = output.read(response)
    if (Either.isLeft(raw)) return fail(raw.left)
    if (raw.right === undefined && output.optional) {
      outputs[name] = undefined
      continue
    }
    const checked = check(output.schema, raw.right)
    if (Either.isLeft(checked)) return fail(checked.left)
    outputs[name] = checked.right
  }
  return { outputs: outputs as OutputsOf<T> }
}
