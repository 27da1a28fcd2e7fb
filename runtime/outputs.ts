/**
 * Step outputs: where each value is read from the response and the Schema it must satisfy.
 * The generator derives both from the Arazzo expression and the OpenAPI response schema, so a
 * step's outputs are typed and checked at the boundary.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { StepResponse } from "./response.js"
import { at, type Segment } from "./values.js"

export interface Output<A> {
  readonly read: (response: StepResponse) => unknown
  readonly schema: Schema.Schema<A, unknown>
}

/** A value in the response body at a JSON Pointer (given as its decoded tokens); `undefined` when absent. */
export const body = <A>(pointer: ReadonlyArray<Segment>, schema: Schema.Schema<A, any>): Output<A | undefined> => ({
  read: (response) => at(response.body, pointer),
  schema: Schema.UndefinedOr(schema) as Schema.Schema<A | undefined, unknown>
})

/** A response header (the name in lower case); `undefined` when absent. */
export const header = (name: string): Output<string | undefined> => ({
  read: (response) => response.headers[name],
  schema: Schema.UndefinedOr(Schema.String) as Schema.Schema<string | undefined, unknown>
})

export const statusCode: Output<number> = {
  read: (response) => response.status,
  schema: Schema.Number as Schema.Schema<number, unknown>
}

/** Any other value, computed by generated code (inputs, earlier outputs, constants). */
export const value = <A>(compute: (response: StepResponse) => A): Output<A> => ({
  read: compute,
  schema: Schema.Unknown as Schema.Schema<unknown, unknown> as Schema.Schema<A, unknown>
})

export type OutputTable = Readonly<Record<string, Output<any>>>
export type OutputsOf<T extends OutputTable> = { readonly [K in keyof T]: T[K] extends Output<infer A> ? A : never }

/** Reads and checks every output; the first mismatch is reported by name. */
export const readOutputs = <T extends OutputTable>(
  table: T,
  response: StepResponse
): { readonly outputs: OutputsOf<T> } | { readonly error: string } => {
  const outputs: Record<string, unknown> = {}
  for (const [name, output] of Object.entries(table)) {
    const decoded = Schema.decodeUnknownEither(output.schema)(output.read(response))
    if (Either.isLeft(decoded)) {
      return { error: `output \`${name}\` ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}` }
    }
    outputs[name] = decoded.right
  }
  return { outputs: outputs as OutputsOf<T> }
}
