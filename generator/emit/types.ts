/** `TypeIR` printed twice, consistently: as an Effect `Schema` and as the TypeScript type it decodes to. */
import type { Literal, TypeIR } from "../lower/types.js"
import { propertyKey } from "./names.js"
import { stringLiteral } from "./text.js"

const literal = (value: Literal): string => (typeof value === "string" ? stringLiteral(value) : String(value))

/**
 * An optional field: `Schema.optional`, or with a JSON Schema `default`,
 * `Schema.optionalWith(…, { default })`, so decoding fills the value in.
 */
export const optionalSchema = (schema: string, fallback: unknown): string =>
  fallback === undefined
    ? `Schema.optional(${schema})`
    : `Schema.optionalWith(${schema}, { default: () => (${JSON.stringify(fallback)} as const) })`

/** Whether a type (at any depth) has a property with a default, so its encoded form differs. */
export const hasDefaults = (type: TypeIR): boolean => {
  switch (type.kind) {
    case "object":
      return type.properties.some((p) => p.default !== undefined || hasDefaults(p.type)) ||
        (type.rest !== undefined && hasDefaults(type.rest))
    case "array":
      return hasDefaults(type.items)
    case "union":
      return type.members.some(hasDefaults)
    default:
      return false
  }
}

/**
 * The Schema of a type. `withDefaults` (inputs only) compiles JSON Schema `default`s; response
 * schemas ignore them, so decoded outputs keep the optional fields their types declare.
 */
export const schemaOf = (type: TypeIR, withDefaults = false): string => {
  const sub = (t: TypeIR) => schemaOf(t, withDefaults)
  switch (type.kind) {
    case "string":
      return "Schema.String"
    case "number":
      return "Schema.Number"
    case "boolean":
      return "Schema.Boolean"
    case "null":
      return "Schema.Null"
    case "unknown":
      return "Schema.Unknown"
    case "binary":
      return "Arazzo.Binary"
    case "literal":
      return `Schema.Literal(${type.values.map(literal).join(", ")})`
    case "array":
      return `Schema.Array(${sub(type.items)})`
    case "union":
      return `Schema.Union(${type.members.map(sub).join(", ")})`
    case "object": {
      const rest = type.rest === undefined
        ? undefined
        : `Schema.Record({ key: Schema.String, value: ${sub(type.rest)} })`
      if (type.properties.length === 0) return rest ?? "Schema.Struct({})"
      const fields = type.properties.map((p) =>
        `${propertyKey(p.name)}: ${
          p.required ? sub(p.type) : optionalSchema(sub(p.type), withDefaults ? p.default : undefined)
        }`
      )
      return `Schema.Struct({ ${fields.join(", ")} }${rest ? `, ${rest}` : ""})`
    }
  }
}

export const typeOf = (type: TypeIR): string => {
  switch (type.kind) {
    case "string":
    case "number":
    case "boolean":
    case "null":
    case "unknown":
      return type.kind
    case "binary":
      return "Blob | Uint8Array"
    case "literal":
      return type.values.map(literal).join(" | ")
    case "array":
      return `ReadonlyArray<${typeOf(type.items)}>`
    case "union":
      return type.members.map(typeOf).join(" | ")
    case "object": {
      const rest = type.rest === undefined ? undefined : `{ readonly [x: string]: ${typeOf(type.rest)} }`
      if (type.properties.length === 0) return rest ?? "{}"
      const fields = type.properties.map((p) =>
        p.required
          ? `readonly ${propertyKey(p.name)}: ${typeOf(p.type)}`
          : `readonly ${propertyKey(p.name)}?: ${optionalTypeOf(p.type)}`
      )
      return `{ ${fields.join("; ")} }${rest ? ` & ${rest}` : ""}`
    }
  }
}

/** The type of a value that may be missing. */
export const optionalTypeOf = (
  type: TypeIR
): string => (type.kind === "unknown" ? "unknown" : `${typeOf(type)} | undefined`)
