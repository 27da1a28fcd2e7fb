/**
 * The JSON Schema of each Arazzo line as the validator checks it: the OAI's schema file
 * (./schema/arazzo-<line>.schema.yaml) with the corrections the specification text calls for.
 * Read only when the validator is compiled (scripts/compile-schemas.ts); at check time the
 * compiled module (./schema/arazzo-<line>.validate.cjs) carries this schema as data.
 */
import { readFileSync } from "node:fs"
import { parse } from "yaml"
import { isObject } from "../../runtime/core/json.js"

type JsonObject = Record<string, unknown>

/** The Arazzo lines with a schema of their own. */
export type SchemaLine = "1.0" | "1.1"

export const schemaLines: ReadonlyArray<SchemaLine> = ["1.0", "1.1"]

export const schemaFile = (line: SchemaLine): URL => new URL(`./schema/arazzo-${line}.schema.yaml`, import.meta.url)

const isRecord = isObject

/** The schema of one line, with the corrections the spec text calls for; and the nested criterion type, if added. */
export const loadSchema = (line: SchemaLine): { readonly schema: JsonObject; readonly nested: unknown } => {
  const url = schemaFile(line)
  let text: string
  try {
    text = readFileSync(url, "utf8")
  } catch (cause) {
    throw new Error(
      `the Arazzo schema is missing (${url.pathname}): ${cause instanceof Error ? cause.message : String(cause)}`
    )
  }
  const schema: unknown = parse(text)
  if (!isRecord(schema) || !isRecord(schema["$defs"])) throw new Error("the Arazzo schema file is not a JSON Schema")
  if (line === "1.1") {
    acceptAnyReplacementValueOrSelector(schema["$defs"])
    return { schema, nested: undefined }
  }
  const nested = acceptNestedExpressionType(schema["$defs"])
  acceptAnyReplacementValue(schema["$defs"])
  return { schema, nested }
}

/**
 * 1.1 says a Payload Replacement `value` is "Any | {expression} | Selector Object" (its own
 * example sets `value: 10`), the schema `string | Selector Object`. The spec is normative: any
 * value is accepted, and an object that has a `selector` is checked as a Selector Object.
 */
const acceptAnyReplacementValueOrSelector = (defs: JsonObject): void => {
  const replacement = defs["payload-replacement-object"]
  if (!isRecord(replacement) || !isRecord(replacement["properties"])) return
  replacement["properties"]["value"] = {
    if: { type: "object", required: ["selector"] },
    then: { $ref: "#/$defs/selector-object" }
  }
}

/**
 * The spec's Payload Replacement `value` is "Any | {expression}" (an object, an array, a number
 * are all fine), but the schema says `type: string`. The spec is normative, so the type is dropped.
 */
const acceptAnyReplacementValue = (defs: JsonObject): void => {
  const replacement = defs["payload-replacement-object"]
  if (!isRecord(replacement) || !isRecord(replacement["properties"])) return
  const value = replacement["properties"]["value"]
  if (isRecord(value)) delete value["type"]
}

/**
 * The spec's Criterion `type` is "string | Criterion Expression Type Object", i.e.
 * `type: { type: jsonpath, version: draft-goessner-dispatch-jsonpath-00 }`, but the schema only
 * accepts the expression type flattened into the criterion (`type: jsonpath` + `version: …`),
 * OAI/Arazzo-Specification#336 (fix pending in #338). The spec is normative and the lowering
 * reads the nested form, so the nested form is accepted as well; the flattened one stays valid.
 */
const acceptNestedExpressionType = (defs: JsonObject): unknown => {
  const criterion = defs["criterion-object"]
  if (
    !isRecord(criterion) || !Array.isArray(criterion["anyOf"]) || !isRecord(defs["criterion-expression-type-object"])
  ) return undefined
  // A copy rather than a `$ref`, so errors in it are told apart from the flattened branch's.
  const nested = structuredClone(defs["criterion-expression-type-object"])
  criterion["anyOf"] = [...criterion["anyOf"], { type: "object", properties: { type: nested } }]
  return nested
}
