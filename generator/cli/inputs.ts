/**
 * Workflow inputs from the command line: `--inputs file.json` (a JSON object), then each
 * `--input name=value` over it. A value is read as JSON when it is valid JSON of a type the input
 * accepts, else as the text given (so `--input prompt=42` stays the string "42"); `@path` reads a
 * file: its bytes for a binary input, its text otherwise. The result is decoded with the
 * workflow's own inputs Schema, so a missing or mistyped input is reported before any request.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { readFile } from "node:fs/promises"
import type { InputIR } from "../lower/ir.js"
import type { TypeIR } from "../lower/types.js"
import { UsageError } from "./exit.js"
import { parsePair } from "./pairs.js"

/** Whether a JSON value fits a declared type, shallowly: enough to choose between JSON and text. */
export const accepts = (type: TypeIR, value: unknown): boolean => {
  switch (type.kind) {
    case "unknown":
    case "workflowOutput":
      return true
    case "string":
      return typeof value === "string"
    case "number":
      return typeof value === "number"
    case "integer":
      return Number.isInteger(value)
    case "boolean":
      return typeof value === "boolean"
    case "null":
      return value === null
    case "binary":
      return value instanceof Uint8Array
    case "literal":
      return type.values.some((literal) => literal === value) ||
        (type.open && type.values.some((literal) => typeof literal === typeof value && value !== null))
    case "array":
      return Array.isArray(value)
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value)
    case "union":
      return type.members.some((member) => accepts(member, value))
  }
}

/** A command-line value for an input of type `type`: JSON when it fits, else the text itself. */
export const valueOf = (type: TypeIR, text: string): unknown => {
  if (type.kind === "binary") return new TextEncoder().encode(text)
  try {
    const parsed: unknown = JSON.parse(text)
    if (accepts(type, parsed) || !accepts(type, text)) return parsed
  } catch {
    // not JSON: the text itself
  }
  return text
}

const InputsFile = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const readInputsFile = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) =>
      new UsageError({
        message: `cannot read --inputs ${file}: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  }).pipe(
    Effect.flatMap(Schema.decodeUnknown(InputsFile)),
    Effect.mapError((error) =>
      error._tag === "UsageError"
        ? error
        : new UsageError({
          message: `--inputs ${file} must hold a JSON object of input values: ${
            ParseResult.TreeFormatter.formatErrorSync(error)
          }`
        })
    )
  )

const readValue = (input: InputIR, text: string) => {
  if (!text.startsWith("@")) return Effect.succeed(valueOf(input.type, text))
  const file = text.slice(1)
  return Effect.tryPromise({
    try: () => readFile(file),
    catch: (cause) =>
      new UsageError({
        message: `cannot read the file for input \`${input.name}\` (${file}): ${
          cause instanceof Error ? cause.message : String(cause)
        }`
      })
  }).pipe(
    Effect.map((
      bytes
    ) => (input.type.kind === "binary" ? new Uint8Array(bytes) : valueOf(input.type, bytes.toString("utf8"))))
  )
}

const unknownInput = (workflowId: string, name: string, inputs: ReadonlyArray<InputIR>) =>
  new UsageError({
    message: `workflow ${workflowId} has no input \`${name}\`; its inputs: ${
      inputs.map((i) => i.name).join(", ") || "(none)"
    }`
  })

/** The inputs as given on the command line, not yet checked against the workflow's schema. */
export const gatherInputs = (
  workflowId: string,
  declared: ReadonlyArray<InputIR>,
  options: { readonly pairs: ReadonlyArray<string>; readonly file: Option.Option<string> }
): Effect.Effect<Record<string, unknown>, UsageError> =>
  Effect.gen(function*() {
    const byName = new Map(declared.map((input) => [input.name, input]))
    const values: Record<string, unknown> = Option.isSome(options.file)
      ? { ...(yield* readInputsFile(options.file.value)) }
      : {}
    for (const name of Object.keys(values)) {
      if (!byName.has(name)) return yield* unknownInput(workflowId, name, declared)
    }
    for (const text of options.pairs) {
      const { name, value } = yield* parsePair({ option: "input", shape: "name=value", allowEmpty: true })(text)
      const input = byName.get(name)
      if (input === undefined) return yield* unknownInput(workflowId, name, declared)
      values[name] = yield* readValue(input, value)
    }
    return values
  })

/** Decodes gathered inputs with the workflow's inputs Schema; each problem names its input. */
export const decodeInputs = (
  workflowId: string,
  schema: Schema.Schema<unknown, unknown>,
  values: Record<string, unknown>
): Effect.Effect<unknown, UsageError> =>
  Schema.decodeUnknown(schema, { errors: "all" })(values).pipe(
    Effect.mapError((error) => {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
        .map((issue) => `  ${issue.path.map(String).join(".") || "(inputs)"}: ${issue.message}`)
      return new UsageError({
        message: `missing or invalid inputs for workflow ${workflowId}:\n${[...new Set(issues)].join("\n")}`
      })
    })
  )
