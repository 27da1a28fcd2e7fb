/**
 * What differs between the Effect lines in generated code: the modules it imports and how it
 * spells Schemas. Everything else the emitter prints is the same for both.
 */
import { stringLiteral } from "./text.js"

export type EffectLine = 3 | 4

export interface Dialect {
  readonly line: EffectLine
  /** Module specifiers of the imports a generated module may have. */
  readonly modules: {
    readonly runtime: string
    readonly xml: string
    readonly httpClient: string
  }
  readonly literal: (values: ReadonlyArray<string>) => string
  readonly union: (members: ReadonlyArray<string>) => string
  readonly record: (value: string) => string
  readonly struct: (fields: ReadonlyArray<string>, rest: string | undefined) => string
  readonly optional: (schema: string) => string
  /** An optional field that decoding fills with `fallback` (a JSON value) when it is absent. */
  readonly withDefault: (schema: string, fallback: unknown) => string
  /** A struct whose members not listed are dropped when decoding (`additionalProperties: false`). */
  readonly closed: (struct: string) => string
  readonly int: string
}

const effect3: Dialect = {
  line: 3,
  modules: { runtime: "arazzo-effect/effect3", xml: "arazzo-effect/xml", httpClient: "@effect/platform/HttpClient" },
  literal: (values) => `Schema.Literal(${values.join(", ")})`,
  union: (members) => `Schema.Union(${members.join(", ")})`,
  record: (value) => `Schema.Record({ key: Schema.String, value: ${value} })`,
  struct: (fields, rest) => `Schema.Struct({ ${fields.join(", ")} }${rest === undefined ? "" : `, ${rest}`})`,
  optional: (schema) => `Schema.optional(${schema})`,
  withDefault: (schema, fallback) =>
    `Schema.optionalWith(${schema}, { default: () => (${JSON.stringify(fallback)} as const) })`,
  closed: (struct) => `${struct}.annotations({ parseOptions: { onExcessProperty: "ignore" } })`,
  int: "Schema.Int"
}

const effect4: Dialect = {
  line: 4,
  modules: { runtime: "arazzo-effect/effect4", xml: "arazzo-effect/xml", httpClient: "effect/http/HttpClient" },
  literal: (
    values
  ) => (values.length === 1 ? `Schema.Literal(${values[0]})` : `Schema.Literals([${values.join(", ")}])`),
  union: (members) => `Schema.Union([${members.join(", ")}])`,
  record: (value) => `Schema.Record(Schema.String, ${value})`,
  struct: (fields, rest) =>
    rest === undefined
      ? `Schema.Struct({ ${fields.join(", ")} })`
      : `Schema.StructWithRest(Schema.Struct({ ${fields.join(", ")} }), [${rest}])`,
  optional: (schema) => `Schema.optional(${schema})`,
  withDefault: (schema, fallback) =>
    `${schema}.pipe(Schema.withDecodingDefault(Effect.succeed(${JSON.stringify(fallback)} as const)))`,
  // Effect 4 drops members a struct does not list when decoding: a closed struct needs nothing more.
  closed: (struct) => struct,
  int: "Schema.Int"
}

export const dialectOf = (line: EffectLine): Dialect => (line === 3 ? effect3 : effect4)

/** A literal value as source text. */
export const literalText = (value: string | number | boolean | null): string =>
  typeof value === "string" ? stringLiteral(value) : String(value)
