/** `TypeIR` printed twice, consistently: as an Effect `Schema` and as the TypeScript type it decodes to. */
import type { Literal, TypeIR } from "../lower/types.js"
import { type Dialect, literalText } from "./dialect.js"
import { propertyKey, valueKey } from "./names.js"

/** How a type that refers to another workflow's output is written (the emitter knows the names). */
export type TypeRefs = (type: Extract<TypeIR, { kind: "workflowOutput" }>) => string

/**
 * The Schema of a type. `withDefaults` (inputs only) compiles JSON Schema `default`s; response
 * schemas ignore them, so decoded outputs keep the optional fields their types declare.
 */
export const schemaOf = (type: TypeIR, dialect: Dialect, withDefaults = false): string => {
  const sub = (t: TypeIR) => schemaOf(t, dialect, withDefaults)
  switch (type.kind) {
    case "string":
      return "Schema.String"
    case "number":
      return "Schema.Number"
    case "integer":
      return dialect.int
    case "boolean":
      return "Schema.Boolean"
    case "null":
      return "Schema.Null"
    case "unknown":
    case "workflowOutput":
      return "Schema.Unknown"
    case "binary":
      return "Arazzo.Binary"
    case "literal": {
      const values = type.values.map(literalText)
      if (!type.open) return dialect.literal(values)
      // The open values' primitive types; `true`/`false`/`null` stay closed literals beside them.
      const wide = type.values.filter((v) => typeof v === "string" || typeof v === "number").map(literalText)
      const fixed = type.values.filter((v) => typeof v !== "string" && typeof v !== "number").map(literalText)
      const open = `Arazzo.openLiterals(${wide.join(", ")})`
      return fixed.length === 0 ? open : dialect.union([open, dialect.literal(fixed)])
    }
    case "array":
      return `Schema.Array(${sub(type.items)})`
    case "union":
      return dialect.union(type.members.map(sub))
    case "object": {
      const rest = type.rest === undefined ? undefined : dialect.record(sub(type.rest))
      if (type.properties.length === 0) return rest ?? dialect.struct([], undefined)
      const fields = type.properties.map((p) => {
        const schema = sub(p.type)
        const field = p.required
          ? schema
          : withDefaults && p.default !== undefined
          ? dialect.withDefault(schema, p.default)
          : dialect.optional(schema)
        return `${valueKey(p.name)}: ${field}`
      })
      const struct = dialect.struct(fields, rest)
      return type.closed ? dialect.closed(struct) : struct
    }
  }
}

const openSuffix = (values: ReadonlyArray<Literal>): Array<string> => [
  ...(values.some((v) => typeof v === "string") ? ["(string & {})"] : []),
  ...(values.some((v) => typeof v === "number") ? ["(number & {})"] : [])
]

export const typeOf = (type: TypeIR, refs: TypeRefs): string => {
  const sub = (t: TypeIR) => typeOf(t, refs)
  switch (type.kind) {
    case "string":
    case "number":
    case "boolean":
    case "null":
    case "unknown":
      return type.kind
    case "integer":
      return "number"
    case "binary":
      return "Blob | Uint8Array"
    case "workflowOutput":
      return refs(type)
    case "literal":
      return [...type.values.map(literalText), ...(type.open ? openSuffix(type.values) : [])].join(" | ")
    case "array": {
      const items = sub(type.items)
      return `ReadonlyArray<${items}>`
    }
    case "union":
      return type.members.map(sub).join(" | ")
    case "object": {
      const rest = type.rest === undefined ? undefined : `{ readonly [x: string]: ${sub(type.rest)} }`
      if (type.properties.length === 0) return rest ?? "{}"
      const fields = type.properties.map((p) =>
        p.required
          ? `readonly ${propertyKey(p.name)}: ${sub(p.type)}`
          : `readonly ${propertyKey(p.name)}?: ${optionalTypeOf(p.type, refs)}`
      )
      const line = `{ ${fields.join("; ")} }`
      // A very long type on one line is left for the formatter to break, and dprint's WASM build
      // traps on some (oxforddictionaries' nested response types): such a type comes pre-broken.
      const literal = line.length > LONG_TYPE ? `{\n${fields.join("\n")}\n}` : line
      return `${literal}${rest ? ` & ${rest}` : ""}`
    }
  }
}

/** Past this many characters a type literal is printed one member per line (below it, dprint decides). */
const LONG_TYPE = 1000

/** The type of a value that may be missing. */
export const optionalTypeOf = (type: TypeIR, refs: TypeRefs): string =>
  type.kind === "unknown" ? "unknown" : `${typeOf(type, refs)} | undefined`

/** The type of a value, `| undefined` when it may be missing. */
export const valueTypeOf = (type: TypeIR, optional: boolean, refs: TypeRefs): string =>
  optional ? optionalTypeOf(type, refs) : typeOf(type, refs)
