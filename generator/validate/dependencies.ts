/**
 * `dependsOn`: workflows (of this document or of `arazzo` sources) that run before this one, with
 * its inputs. Each must exist, and following them must not lead back here.
 */
import type { LoadedSource } from "../load/document.js"
import type { Path } from "../load/yaml.js"
import { arrayAt, report, type Reporter, stringAt } from "../resolve/context.js"
import { findWorkflow, type FoundWorkflow, reportShorthand } from "../resolve/workflow-refs.js"

/** `false` when a dependency is missing or leads back here (the workflow's steps are not checked then). */
export const checkDependsOn = (
  root: Record<string, unknown>,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  path: Path,
  reporter: Reporter
): boolean => {
  const found: Array<FoundWorkflow> = []
  let ok = true
  for (const [i, ref] of arrayAt(raw, "dependsOn").entries()) {
    const workflow = findWorkflow(String(ref), root, sources)
    if ("raw" in workflow) {
      reportShorthand(workflow, String(ref), reporter, [...path, "dependsOn", i])
      found.push(workflow)
    } else {
      report(reporter, [...path, "dependsOn", i], "error", workflow.code, workflow.message)
      ok = false
    }
  }
  if (!ok) return false
  const self = stringAt(raw, "workflowId")!
  const seen = new Set<string>()
  // Cycles within this document; another document's dependencies are checked when it is compiled.
  const visit = (workflow: FoundWorkflow): boolean => {
    if (workflow.source !== undefined) return true
    if (workflow.workflowId === self) return false
    if (seen.has(workflow.workflowId)) return true
    seen.add(workflow.workflowId)
    return arrayAt(workflow.raw, "dependsOn").every((next) => {
      const target = findWorkflow(String(next), root, sources)
      return !("raw" in target) || visit(target)
    })
  }
  if (!found.every(visit)) {
    report(
      reporter,
      [...path, "dependsOn"],
      "error",
      "dependency-cycle",
      `workflow \`${self}\` depends on itself through \`dependsOn\``
    )
    return false
  }
  return true
}
