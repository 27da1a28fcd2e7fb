/**
 * Workflows that a step, an action or `dependsOn` names: one of this document's (`id`), or one of
 * an `arazzo` source description's (`$sourceDescriptions.name.id`), which is compiled as a module
 * of its own and imported.
 */
import { decodePointerToken } from "../../runtime/core/json.js"
import type { LoadedSource } from "../load/document.js"
import type { Path } from "../load/yaml.js"
import { type WorkflowRefIR, workflowRefText } from "../lower/ir.js"
import { arrayAt, isObject, report, type Reporter } from "./context.js"

export interface FoundWorkflow {
  /** The workflow as written. */
  readonly raw: Record<string, unknown>
  /** The document it is in (for `$ref`s to its components). */
  readonly root: Record<string, unknown>
  readonly workflowId: string
  /** The `arazzo` source description it comes from; `undefined` for this document's own. */
  readonly source: string | undefined
  /** The reference, resolved. */
  readonly ref: WorkflowRefIR
  /** Set when the reference was written in a non-spec form that was read as meant. */
  readonly shorthand?: string
}

const EXTERNAL = /^\$sourceDescriptions\.([A-Za-z0-9_\-]+)\.(.+)$/

/** `$sourceDescriptions.name.id` → name and id; `undefined` for a plain workflowId. */
export const externalRef = (ref: string): { readonly source: string; readonly workflowId: string } | undefined => {
  const match = EXTERNAL.exec(ref)
  return match ? { source: match[1]!, workflowId: match[2]! } : undefined
}

/** The workflow a reference names, or why there is none. */
export const findWorkflow = (
  ref: string,
  root: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>
): FoundWorkflow | { readonly code: string; readonly message: string } => {
  const external = externalRef(ref)
  if (external === undefined) {
    const raw = arrayAt(root, "workflows").filter(isObject).find((w) => w["workflowId"] === ref)
    return raw === undefined
      ? { code: "unknown-workflow", message: `no workflow of this document is named \`${ref}\`` }
      : { raw, root, workflowId: ref, source: undefined, ref: { workflowId: ref, source: undefined } }
  }
  const source = sources.find((s) => s.name === external.source)
  if (source === undefined) {
    return { code: "unknown-source", message: `no source description is named \`${external.source}\`` }
  }
  if (source.type !== "arazzo") {
    return {
      code: "unknown-workflow",
      message: `\`${external.source}\` is an ${source.type} description, which has no workflows`
    }
  }
  if (source.arazzo === undefined) {
    return { code: "source-unresolved", message: `the Arazzo document of \`${external.source}\` could not be loaded` }
  }
  const workflows = arrayAt(source.arazzo.root, "workflows").filter(isObject)
  const raw = workflows.find((w) => w["workflowId"] === external.workflowId)
  if (raw !== undefined) {
    const resolved = { workflowId: external.workflowId, source: external.source }
    return { raw, root: source.arazzo.root, workflowId: external.workflowId, source: external.source, ref: resolved }
  }
  // Redocly's older `$sourceDescriptions.name.workflows.id`, read as meant.
  const legacy = /^workflows\.(.+)$/.exec(external.workflowId)?.[1]
  const legacyRaw = legacy === undefined ? undefined : workflows.find((w) => w["workflowId"] === legacy)
  if (legacyRaw !== undefined) {
    const resolved = { workflowId: legacy!, source: external.source }
    return {
      raw: legacyRaw,
      root: source.arazzo.root,
      workflowId: legacy!,
      source: external.source,
      ref: resolved,
      shorthand: workflowRefText(resolved)
    }
  }
  return {
    code: "unknown-workflow",
    message: `the Arazzo document of \`${external.source}\` has no workflow \`${external.workflowId}\``
  }
}

/** A workflow's inputs schema, following a local `$ref` (`#/components/inputs/x`) in its document. */
export const inputsSchemaOf = (root: Record<string, unknown>, raw: unknown): Record<string, unknown> => {
  if (isObject(raw) && typeof raw["$ref"] === "string") {
    const target = raw["$ref"].replace(/^#\//, "").split("/").reduce<unknown>(
      (node, token) => (isObject(node) ? node[decodePointerToken(token)] : undefined),
      root
    )
    return isObject(target) ? target : {}
  }
  return isObject(raw) ? raw : {}
}

/** A reference written in a non-spec form that was read as meant: a warning with the spec form. */
export const reportShorthand = (found: FoundWorkflow, written: string, scope: Reporter, at: Path) => {
  if (found.shorthand === undefined) return
  report(
    scope,
    at,
    "warning",
    "workflow-ref-shorthand",
    `\`${written}\` is not the spec form; read as meant. Spec form: \`${found.shorthand}\``
  )
}
