/**
 * The compiled validator of an Arazzo line (./schema/arazzo-<line>.validate.cjs, written by
 * scripts/compile-schemas.ts): ajv's standalone code and the schema documents it reports nodes of.
 * Loaded on first use of its line, synchronously; nothing compiles a schema at check time.
 */
import type { ErrorObject } from "ajv/dist/2020.js"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type { SchemaLine } from "./schema-source.js"

/** The options the validators are compiled with. */
export const ajvOptions = {
  allErrors: true,
  verbose: true,
  // Strict mode rejects this schema: `patternProperties` without `type: object`
  // (specification-extensions, strictTypes) and `$anchor` inside `properties` (strictSchema).
  strict: false,
  logger: false,
  // `uri-reference` is the only format used; any string is a URI reference after resolution rules.
  formats: { "uri-reference": true }
} as const

/** The draft 2020-12 meta-schemas, which the Schema Object's `$ref` reaches. */
export const metaSchemas: ReadonlyArray<string> = [
  "https://json-schema.org/draft/2020-12/schema",
  "https://json-schema.org/draft/2020-12/meta/core",
  "https://json-schema.org/draft/2020-12/meta/applicator",
  "https://json-schema.org/draft/2020-12/meta/unevaluated",
  "https://json-schema.org/draft/2020-12/meta/validation",
  "https://json-schema.org/draft/2020-12/meta/meta-data",
  "https://json-schema.org/draft/2020-12/meta/format-annotation",
  "https://json-schema.org/draft/2020-12/meta/content"
]

/** The base URI of a schema document: its `$id` without a fragment. */
export const rootUrlOf = (schema: Record<string, unknown>): string => {
  const id = typeof schema["$id"] === "string" ? schema["$id"] : "urn:arazzo-schema"
  const hash = id.indexOf("#")
  return hash === -1 ? id : id.slice(0, hash)
}

export const compiledSchemaFile = (line: SchemaLine): URL =>
  new URL(`./schema/arazzo-${line}.validate.cjs`, import.meta.url)

/** What a compiled validator module exports. */
export interface CompiledSchema {
  /** Validates a document; its `errors` are then those of the last call (ajv's `ValidateFunction`). */
  readonly validate: { (data: unknown): boolean; errors?: Array<ErrorObject> | null }
  /** The schema documents by base URI: the corrected Arazzo schema and the meta-schemas. */
  readonly documents: Readonly<Record<string, object>>
  readonly rootUrl: string
  /** Where the nested Criterion Expression Type the 1.0 corrections add sits in the root schema. */
  readonly nested: ReadonlyArray<string | number> | null
}

const requireModule = createRequire(import.meta.url)

export const loadCompiledSchema = (line: SchemaLine): CompiledSchema => {
  const file = fileURLToPath(compiledSchemaFile(line))
  let loaded: Partial<CompiledSchema>
  try {
    loaded = requireModule(file) as Partial<CompiledSchema>
  } catch (cause) {
    throw new Error(
      `the Arazzo schema is missing (${file}): ${cause instanceof Error ? cause.message : String(cause)}`
    )
  }
  const { validate, documents, rootUrl, nested } = loaded
  if (
    typeof validate !== "function" || typeof documents !== "object" || typeof rootUrl !== "string" ||
    typeof documents[rootUrl] !== "object" || nested === undefined
  ) throw new Error(`the compiled Arazzo schema ${file} is not a validator module`)
  return { validate, documents, rootUrl, nested }
}
