/**
 * Types from JSON Schema (workflow inputs, OpenAPI response schemas), as plain data. The
 * emitter prints each as an Effect `Schema` and as the TypeScript type that Schema decodes to.
 */
import { isObject } from "../../runtime/core/json.js"
import type { JsonSchema } from "../load/openapi.js"
import type { WorkflowRefIR } from "./ir.js"

export type Literal = string | number | boolean | null

export type TypeIR =
  | { readonly kind: "string" | "number" | "integer" | "boolean" | "null" | "unknown" | "binary" }
  /** An enum; `open`: other values of the same primitive types decode too (responses: APIs add values). */
  | { readonly kind: "literal"; readonly values: ReadonlyArray<Literal>; readonly open: boolean }
  | { readonly kind: "array"; readonly items: TypeIR }
  /**
   * `rest`: the type of members the schema does not list, when it declares one
   * (`additionalProperties: {…}` or `true`); `closed`: `additionalProperties: false`, so such
   * members are dropped when decoding (otherwise they are kept, untyped).
   */
  | {
    readonly kind: "object"
    readonly properties: ReadonlyArray<PropertyIR>
    readonly rest: TypeIR | undefined
    readonly closed: boolean
  }
  | { readonly kind: "union"; readonly members: ReadonlyArray<TypeIR> }
  /** The type of another workflow's output (a step that runs it reads it): a reference, not decoded again. */
  | { readonly kind: "workflowOutput"; readonly workflow: WorkflowRefIR; readonly name: string }

export interface PropertyIR {
  readonly name: string
  readonly type: TypeIR
  readonly required: boolean
  readonly description: string | undefined
  /** JSON Schema `default` of an optional property: the value decoding fills in when it is absent. */
  readonly default?: unknown
}

export const UNKNOWN: TypeIR = { kind: "unknown" }
export const STRING: TypeIR = { kind: "string" }

type Json = Readonly<Record<string, unknown>>

/** Deep enough for real response schemas; deeper (or circular) parts are `unknown`. */
const MAX_DEPTH = 12

const isBinary = (s: Json) =>
  s["format"] === "binary" || (s["type"] === "string" && typeof s["contentMediaType"] === "string" &&
    s["contentEncoding"] === undefined && s["contentMediaType"] !== "application/json")

/** How schemas are read: `openEnums` for what an API sends (responses), closed for what a caller must give (inputs). */
export interface TypeOptions {
  readonly openEnums: boolean
}

const CLOSED: TypeOptions = { openEnums: false }

/**
 * The most nodes one schema's type may have. Generated descriptions (Google's discovery-based
 * ones) nest hundreds of object schemas without a cycle: typed to full depth, one response type
 * printed to hundreds of kilobytes on a line, which neither a reader nor the formatter can take.
 * Such a type is typed as deep as fits the budget, every member at the same depth; deeper is
 * `unknown` (read, not typed).
 */
export const MAX_TYPE_NODES = 150

/** The type of a JSON Schema: as deep as `MAX_DEPTH`, less when that is over `MAX_TYPE_NODES`. */
export const typeOfSchema = (schema: JsonSchema | undefined, options: TypeOptions = CLOSED): TypeIR => {
  let fitting: TypeIR = UNKNOWN
  // Shallow first: each try stops as soon as it is over the budget, so a huge schema costs little.
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const budget: Budget = { nodes: MAX_TYPE_NODES, cut: false }
    const type = typeAtDepth(schema, options, depth, new Set(), budget)
    if (budget.nodes < 0) return fitting
    fitting = type
    // Nothing was cut at this depth: deeper limits give the same type.
    if (!budget.cut) return type
  }
  return fitting
}

/** Nodes left to make; `cut`: a part was left `unknown` for depth. */
interface Budget {
  nodes: number
  cut: boolean
}

/** `depth` counts down to the deepest level still typed; `budget` counts the nodes made. */
const typeAtDepth = (
  schema: JsonSchema | undefined,
  options: TypeOptions,
  depth: number,
  seen: ReadonlySet<object>,
  budget: Budget
): TypeIR => {
  if (budget.nodes < 0) return UNKNOWN
  if (!isObject(schema) || seen.has(schema) || typeof schema["$ref"] === "string") return UNKNOWN
  if (depth < 0) {
    // Printed as `unknown`: counted too.
    budget.nodes--
    budget.cut = true
    return UNKNOWN
  }
  budget.nodes--
  const within = new Set(seen).add(schema)
  const sub = (s: unknown) => typeAtDepth(s as JsonSchema, options, depth - 1, within, budget)
  if ("const" in schema) return { kind: "literal", values: [schema["const"] as Literal], open: false }
  if (Array.isArray(schema["enum"]) && schema["enum"].every(isLiteral)) {
    const values = schema["enum"] as ReadonlyArray<Literal>
    // An enum of strings or numbers can grow; `true`/`false`/`null` cannot.
    const open = options.openEnums && values.some((v) => typeof v === "string" || typeof v === "number")
    return withNull({ kind: "literal", values, open }, schema)
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const members = schema[key]
    if (Array.isArray(members) && members.length > 0) return union(members.map(sub))
  }
  if (Array.isArray(schema["allOf"])) return allOf(schema["allOf"].map(sub))
  const types = Array.isArray(schema["type"]) ? (schema["type"] as Array<unknown>) : [schema["type"]]
  const nullable = schema["nullable"] === true || types.includes("null")
  const base = baseType(schema, types.filter((t) => t !== "null"), sub)
  return nullable ? union([base, { kind: "null" }]) : base
}

const isLiteral = (u: unknown): u is Literal =>
  u === null || typeof u === "string" || typeof u === "number" || typeof u === "boolean"

const withNull = (
  type: TypeIR,
  schema: Json
): TypeIR => (schema["nullable"] === true ? union([type, { kind: "null" }]) : type)

const baseType = (schema: Json, types: ReadonlyArray<unknown>, sub: (s: unknown) => TypeIR): TypeIR => {
  if (types.length > 1) return union(types.map((t) => baseType(schema, [t], sub)))
  switch (types[0]) {
    case "string":
      return isBinary(schema) ? { kind: "binary" } : STRING
    case "integer":
      return { kind: "integer" }
    case "number":
      return { kind: "number" }
    case "boolean":
      return { kind: "boolean" }
    case "array":
      return { kind: "array", items: sub(schema["items"]) }
    case "object":
      return objectType(schema, sub)
    case undefined:
      if (isObject(schema["properties"])) return objectType(schema, sub)
      if (isObject(schema["items"])) return { kind: "array", items: sub(schema["items"]) }
      return UNKNOWN
    default:
      return UNKNOWN
  }
}

const objectType = (schema: Json, sub: (s: unknown) => TypeIR): TypeIR => {
  const required = new Set(Array.isArray(schema["required"]) ? (schema["required"] as Array<unknown>) : [])
  const properties = Object.entries(isObject(schema["properties"]) ? schema["properties"] : {}).map(([name, s]) => ({
    name,
    type: sub(s),
    required: required.has(name),
    description: isObject(s) && typeof s["description"] === "string" ? s["description"] : undefined,
    ...(isObject(s) && s["default"] !== undefined && !required.has(name) ? { default: s["default"] } : {})
  }))
  const additional = schema["additionalProperties"]
  const rest = isObject(additional)
    ? sub(additional)
    : additional === true || (properties.length === 0 && additional !== false)
    ? UNKNOWN
    : undefined
  return { kind: "object", properties, rest, closed: additional === false }
}

const union = (members: ReadonlyArray<TypeIR>): TypeIR => {
  const flat = members.flatMap((m) => (m.kind === "union" ? m.members : [m]))
  if (flat.some((m) => m.kind === "unknown")) return UNKNOWN
  const unique = flat.filter((m, i) => flat.findIndex((o) => JSON.stringify(o) === JSON.stringify(m)) === i)
  return unique.length === 1 ? unique[0]! : { kind: "union", members: unique }
}

/** `allOf` of objects merges their properties; anything else is too rich to type precisely. */
const allOf = (parts: ReadonlyArray<TypeIR>): TypeIR => {
  if (parts.length === 1) return parts[0]!
  if (!parts.every((p) => p.kind === "object")) return UNKNOWN
  const properties = new Map<string, PropertyIR>()
  for (const part of parts) {
    if (part.kind !== "object") continue
    for (const p of part.properties) {
      const prior = properties.get(p.name)
      properties.set(p.name, prior ? { ...p, required: p.required || prior.required } : p)
    }
  }
  return {
    kind: "object",
    properties: [...properties.values()],
    rest: undefined,
    closed: parts.some((p) => p.kind === "object" && p.closed)
  }
}

/**
 * The schema of the value at a JSON Pointer inside a value of `schema`: object members and
 * array items; through `allOf`, and through `oneOf`/`anyOf` when every branch agrees.
 */
export const schemaAtPointer = (
  schema: JsonSchema | undefined,
  pointer: ReadonlyArray<string>
): JsonSchema | undefined => {
  let current: JsonSchema | undefined = schema
  for (const token of pointer) {
    current = step(current, token)
    if (current === undefined) return undefined
  }
  return current
}

const step = (schema: JsonSchema | undefined, token: string): JsonSchema | undefined => {
  if (!isObject(schema)) return undefined
  if (Array.isArray(schema["allOf"])) {
    for (const part of schema["allOf"]) {
      const found = step(part as JsonSchema, token)
      if (found !== undefined) return found
    }
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = schema[key]
    if (Array.isArray(branches) && branches.length > 0) {
      const found = branches.map((b) => step(b as JsonSchema, token))
      return found.every((f) => f !== undefined && JSON.stringify(f) === JSON.stringify(found[0]))
        ? found[0]
        : undefined
    }
  }
  const properties = schema["properties"]
  if (isObject(properties) && token in properties) return properties[token] as JsonSchema
  if (/^(0|[1-9][0-9]*)$/.test(token) && (schema["type"] === "array" || isObject(schema["items"]))) {
    return schema["items"] as JsonSchema | undefined
  }
  if (isObject(schema["additionalProperties"])) return schema["additionalProperties"] as JsonSchema
  return undefined
}

/**
 * Whether a value of `schema` certainly has something at `pointer`: every member on the way is
 * listed in its object's `required` (through `allOf`; through `oneOf`/`anyOf` when every branch
 * requires it). Array items are never certain (an array may be empty).
 */
export const requiredAtPointer = (schema: JsonSchema | undefined, pointer: ReadonlyArray<string>): boolean => {
  let current: JsonSchema | undefined = schema
  for (const token of pointer) {
    if (!requires(current, token)) return false
    current = step(current, token)
  }
  return pointer.length > 0
}

const requires = (schema: JsonSchema | undefined, token: string): boolean => {
  if (!isObject(schema)) return false
  if (Array.isArray(schema["allOf"]) && schema["allOf"].some((part) => requires(part as JsonSchema, token))) return true
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = schema[key]
    if (Array.isArray(branches) && branches.length > 0 && branches.every((b) => requires(b as JsonSchema, token))) {
      return true
    }
  }
  return Array.isArray(schema["required"]) && schema["required"].includes(token) &&
    isObject(schema["properties"]) && token in schema["properties"]
}

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
