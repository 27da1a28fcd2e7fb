/** What lowering one workflow needs to know at each point: the document, diagnostics, and what is in scope. */
import type { Diagnostic, Severity } from "../diagnostics.js"
import type { Path, SourceText } from "../load/yaml.js"

export interface Reporter {
  readonly source: SourceText
  readonly diagnostics: Array<Diagnostic>
}

export const report = (
  r: Reporter,
  path: Path,
  severity: Severity,
  code: string,
  message: string,
  offset = 0
): void => {
  r.diagnostics.push(r.source.diagnostic(path, severity, code, message, offset))
}

/** Where a value is being lowered: which names it may refer to. */
export interface Scope extends Reporter {
  readonly workflowId: string
  /** The workflow's input names (its own and those of the workflows it depends on). */
  readonly inputs: { readonly has: (name: string) => boolean }
  /** Steps that have certainly completed before this point, with their output names. */
  readonly stepsBefore: ReadonlyMap<string, ReadonlySet<string>>
  /** Steps that can have run before this point along some path (backward gotos included). */
  readonly canRunBefore: ReadonlySet<string>
  readonly allSteps: ReadonlySet<string>
  /** Whether `$statusCode` / `$response…` have a value here (criteria and outputs, not requests). */
  readonly response: boolean
  /** In an AsyncAPI step (Arazzo 1.1): `$message…` reads its message where `response` holds. */
  readonly message?: boolean
  /** In the outputs of a step that calls a workflow: that workflow's output names, for `$outputs`. */
  readonly calledOutputs?: ReadonlySet<string>
  /** Source description URLs by name, for `$sourceDescriptions.name.url`. */
  readonly sourceUrls?: ReadonlyMap<string, string>
  /** The document's Arazzo line: 1.1 adds `$self`, strict identifiers and its criteria rules. */
  readonly line?: "1.0" | "1.1"
  /** The document's `$self` field (1.1), for the `$self` expression. */
  readonly self?: string | undefined
  /** `components.parameters`, for `$components.parameters.name`. */
  readonly componentParameters?: Readonly<Record<string, unknown>>
  /** Workflows this one depends on (`dependsOn`), with their input and output names, for `$workflows…`. */
  readonly dependencies?: ReadonlyMap<
    string,
    { readonly inputs: ReadonlySet<string>; readonly outputs: ReadonlySet<string> }
  >
}

type Json = Record<string, unknown>
export { isObject } from "../../runtime/core/json.js"
export const stringAt = (o: Json, key: string): string | undefined =>
  typeof o[key] === "string" ? (o[key] as string) : undefined
export const arrayAt = (
  o: Json,
  key: string
): Array<unknown> => (Array.isArray(o[key]) ? (o[key] as Array<unknown>) : [])
