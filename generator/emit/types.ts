/** `TypeIR` printed twice, consistently: as an Effect `Schema` and as the TypeScript type it decodes to. */
import type { Literal, TypeIR } from "../lower/types.js"
import { propertyKey } from "./names.js"
import { stringLiteral } from "./text.js"

const literal = (value: Literal): string => (typeof value === "string" ? stringLiteral(value) : String(value))

export const schemaOf = (type: TypeIR): string => {
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
      return `Schema.Array(${schemaOf(type.items)})`
    case "union":
      return `Schema.Union(${type.members.map(schemaOf).join(", ")})`
    case "object": {
      const rest = type.rest === undefined ? undefined : `Schema.Record({ key: Schema.String, value: ${schemaOf(type.rest)} })`
      if (type.properties.length === 0) return rest ?? "Schema.Struct({})"
      const fields = type.properties.map((p) =>
        `${propertyKey(p.name)}: ${p.required ? schemaOf(p.type) : `Schema.optional(${schemaOf(p.type)})`}`
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
        p.required ? `readonly ${propertyKey(p.name)}: ${typeOf(p.type)}` : `readonly ${propertyKey(p.name)}?: ${optionalTypeOf(p.type)}`
      )
      return `{ ${fields.join("; ")} }${rest ? ` & ${rest}` : ""}`
    }
  }
}

/** The type of a value that may be missing. */
export const optionalTypeOf = (type: TypeIR): string => (type.kind === "unknown" ? "unknown" : `${typeOf(type)} | undefined`)
