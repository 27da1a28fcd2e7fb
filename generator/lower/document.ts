/** A loaded document lowered to its IR; structural problems and unsupported constructs become diagnostics. */
import { createHash } from "node:crypto"
import type { Diagnostic } from "../diagnostics.js"
import type { LoadedDocument } from "../load/document.js"
import { arrayAt, isObject, report, type Reporter, stringAt } from "./context.js"
import type { DocumentIR, OperationIR, WorkflowIR } from "./ir.js"
import { operationKey } from "./step.js"
import { lowerWorkflow } from "./workflow.js"

const ID = /^[A-Za-z0-9_\-]+$/

/** Checks the structure lowering relies on: version, ids present, well-formed and unique. */
const checkStructure = (root: Record<string, unknown>, reporter: Reporter): boolean => {
  const before = reporter.diagnostics.length
  const version = root["arazzo"]
  if (typeof version !== "string" || !/^1\.0\.\d+$/.test(version)) {
    report(reporter, ["arazzo"], "error", "arazzo-version", `\`arazzo: ${String(version)}\` is not a 1.0.x version`)
  }
  const workflows = arrayAt(root, "workflows")
  if (workflows.length === 0) report(reporter, ["workflows"], "error", "no-workflows", "the document defines no workflows")
  const workflowIds = new Set<string>()
  for (const [i, workflow] of workflows.entries()) {
    const id = isObject(workflow) ? stringAt(workflow, "workflowId") : undefined
    if (id === undefined) {
      report(reporter, ["workflows", i], "error", "workflow-id-missing", "a workflow needs a `workflowId`")
      continue
    }
    if (!ID.test(id)) report(reporter, ["workflows", i, "workflowId"], "error", "id-format", `workflowId \`${id}\` must match [A-Za-z0-9_-]+`)
    if (workflowIds.has(id)) report(reporter, ["workflows", i, "workflowId"], "error", "duplicate-id", `workflowId \`${id}\` is used twice`)
    workflowIds.add(id)
    const steps = arrayAt(workflow as Record<string, unknown>, "steps")
    if (steps.length === 0) report(reporter, ["workflows", i], "error", "no-steps", `workflow ${id} has no steps`)
    const stepIds = new Set<string>()
    for (const [j, step] of steps.entries()) {
      const stepId = isObject(step) ? stringAt(step, "stepId") : undefined
      const at = ["workflows", i, "steps", j]
      if (stepId === undefined) {
        report(reporter, at, "error", "step-id-missing", "a step needs a `stepId`")
        continue
      }
      if (!ID.test(stepId)) report(reporter, [...at, "stepId"], "error", "id-format", `stepId \`${stepId}\` must match [A-Za-z0-9_-]+`)
      if (stepIds.has(stepId)) report(reporter, [...at, "stepId"], "error", "duplicate-id", `stepId \`${stepId}\` is used twice in ${id}`)
      stepIds.add(stepId)
    }
  }
  return reporter.diagnostics.length === before || !reporter.diagnostics.slice(before).some((d) => d.severity === "error")
}

export const lowerDocument = (
  document: LoadedDocument,
  diagnostics: Array<Diagnostic>
): DocumentIR | undefined => {
  const reporter: Reporter = { source: document.source, diagnostics }
  const root = document.source.value
  if (!isObject(root)) {
    report(reporter, [], "error", "not-an-object", "an Arazzo document is a YAML or JSON object")
    return undefined
  }
  if (!checkStructure(root, reporter)) return undefined
  const workflows: Array<WorkflowIR> = []
  const operations = new Map<string, OperationIR>()
  let ok = true
  for (const [i, raw] of arrayAt(root, "workflows").entries()) {
    const lowered = lowerWorkflow(root, raw as Record<string, unknown>, i, document.sources, reporter)
    if (lowered === undefined) {
      ok = false
      continue
    }
    workflows.push(lowered.workflow)
    for (const resolved of lowered.operations) {
      operations.set(operationKey(resolved), {
        key: operationKey(resolved),
        source: resolved.source.name,
        operationId: resolved.operation.operationId,
        method: resolved.operation.method,
        path: resolved.operation.path
      })
    }
  }
  const sources = document.sources.filter((s) => s.description !== undefined).map((s) => {
    if (s.description!.serverUrl === undefined) {
      report(reporter, ["sourceDescriptions", s.index], "warning", "no-server-url",
        `\`${s.name}\` has no absolute server URL; set one with Servers.layer({ ${s.name}: "https://…" })`)
    }
    return { name: s.name, url: s.url, serverUrl: s.description!.serverUrl ?? "" }
  })
  if (!ok || diagnostics.some((d) => d.severity === "error")) return undefined
  const info = isObject(root["info"]) ? root["info"] : {}
  return {
    file: document.file,
    sha256: createHash("sha256").update(document.text).digest("hex"),
    title: stringAt(info, "title"),
    summary: stringAt(info, "summary"),
    description: stringAt(info, "description"),
    sources,
    operations: [...operations.values()],
    workflows
  }
}
