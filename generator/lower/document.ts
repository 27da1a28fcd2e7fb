/** A loaded document lowered to its IR; structural problems and unsupported constructs become diagnostics. */
import { createHash } from "node:crypto"
import type { Diagnostic } from "../diagnostics.js"
import type { LoadedDocument } from "../load/document.js"
import type { ApiParameter } from "../load/openapi.js"
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Reporter, stringAt } from "../resolve/context.js"
import { errorSets } from "./errors.js"
import type { DocumentIR, OperationIR, ParameterStyleIR, WorkflowIR, WorkflowRefIR } from "./ir.js"
import { operationKey } from "./step.js"
import { lowerWorkflow } from "./workflow.js"

const ID = /^[A-Za-z0-9_\-]+$/

/**
 * Ids must be unique (workflowIds in the document, stepIds in a workflow) and should use only
 * `[A-Za-z0-9_-]`, as the specification recommends. The JSON Schema checks that they exist.
 */
const checkIds = (root: Record<string, unknown>, reporter: Reporter): boolean => {
  const before = reporter.diagnostics.length
  const unique = (ids: ReadonlyArray<readonly [string | undefined, Path]>, what: string) => {
    const seen = new Set<string>()
    for (const [id, at] of ids) {
      if (id === undefined) continue
      if (!ID.test(id)) {
        report(
          reporter,
          at,
          "warning",
          "id-format",
          `${what} \`${id}\` should use only letters, digits, \`_\` and \`-\``
        )
      }
      if (seen.has(id)) report(reporter, at, "error", "duplicate-id", `${what} \`${id}\` is used twice`)
      seen.add(id)
    }
  }
  const workflows = arrayAt(root, "workflows")
  unique(
    workflows.map((w, i) => [isObject(w) ? stringAt(w, "workflowId") : undefined, ["workflows", i, "workflowId"]]),
    "workflowId"
  )
  workflows.forEach((workflow, i) => {
    const steps = isObject(workflow) ? arrayAt(workflow, "steps") : []
    unique(
      steps.map((s, j) => [isObject(s) ? stringAt(s, "stepId") : undefined, ["workflows", i, "steps", j, "stepId"]]),
      "stepId"
    )
  })
  return !reporter.diagnostics.slice(before).some((d) => d.severity === "error")
}

/** Choices of the user that change the generated types. */
export interface LowerOptions {
  /** Decode enums in responses closed (a value the OpenAPI does not list fails the step); open by default. */
  readonly closedEnums?: boolean
}

export const lowerDocument = (
  document: LoadedDocument,
  diagnostics: Array<Diagnostic>,
  options: LowerOptions = {}
): DocumentIR | undefined => {
  const reporter: Reporter = { source: document.source, diagnostics }
  const root = document.source.value
  if (!isObject(root)) {
    report(reporter, [], "error", "not-an-object", "an Arazzo document is a YAML or JSON object")
    return undefined
  }
  if (!checkIds(root, reporter)) return undefined
  const lowered: Array<Omit<WorkflowIR, "errors">> = []
  const typeOptions = { openEnums: options.closedEnums !== true }
  const operations = new Map<string, OperationIR>()
  let ok = true
  for (const [i, raw] of arrayAt(root, "workflows").entries()) {
    const workflow = lowerWorkflow(root, raw as Record<string, unknown>, i, document.sources, reporter, typeOptions)
    if (workflow === undefined) {
      ok = false
      continue
    }
    lowered.push(workflow.workflow)
    for (const resolved of workflow.operations) {
      operations.set(operationKey(resolved), {
        key: operationKey(resolved),
        source: resolved.source.name,
        operationId: resolved.operation.operationId,
        method: resolved.operation.method,
        path: resolved.operation.path,
        security: resolved.operation.security,
        serialization: serializationOf(resolved.operation.parameters)
      })
    }
  }
  const sources = document.sources.filter((s) => s.description !== undefined).map((s) => {
    if (s.description!.serverUrl === undefined) {
      report(
        reporter,
        ["sourceDescriptions", s.index],
        "warning",
        "no-server-url",
        `\`${s.name}\` has no absolute server URL; set one with Servers.layer({ ${s.name}: "https://…" })`
      )
    }
    return { name: s.name, url: s.url, serverUrl: s.description!.serverUrl ?? "" }
  })
  if (!ok || diagnostics.some((d) => d.severity === "error")) return undefined
  const errors = errorSets(lowered)
  const workflows: Array<WorkflowIR> = lowered.map((w) => ({ ...w, errors: errors.get(w.workflowId)! }))
  const used = new Set(workflows.flatMap(workflowRefs).flatMap((ref) => ref.source ?? []))
  const imports = document.sources.filter((s) => used.has(s.name) && s.arazzo !== undefined)
    .map((s) => ({ source: s.name, absolutePath: s.arazzo!.absolutePath }))
  const info = isObject(root["info"]) ? root["info"] : {}
  return {
    file: document.file,
    sha256: createHash("sha256").update(document.text).digest("hex"),
    title: stringAt(info, "title"),
    summary: stringAt(info, "summary"),
    description: stringAt(info, "description"),
    sources,
    operations: [...operations.values()],
    workflows,
    imports
  }
}

const serializationOf = (parameters: ReadonlyArray<ApiParameter>): OperationIR["serialization"] => {
  const table: Partial<Record<ApiParameter["in"], Record<string, ParameterStyleIR>>> = {}
  for (const p of parameters) {
    if (p.serialization !== undefined) (table[p.in] ??= {})[p.name] = p.serialization
  }
  return table
}

/** Every workflow a workflow runs: steps that call one, gotos and retries to one, and dependsOn. */
export const workflowRefs = (workflow: WorkflowIR): Array<WorkflowRefIR> => [
  ...workflow.dependsOn,
  ...workflow.steps.flatMap((step) => [
    ...(step.call ? [step.call.workflow] : []),
    ...step.actions.flatMap((a) => (a.kind === "gotoWorkflow" ? [a.target] : [])),
    ...step.failureActions.flatMap((a) =>
      a.kind === "gotoWorkflow" ? [a.target] : a.kind === "retry" && a.workflow !== undefined ? [a.workflow] : []
    )
  ])
]
