/**
 * A step's `dependsOn` (Arazzo 1.1): steps that must have completed before it starts. Steps run
 * in document order, one at a time, so a dependency is met when it is an earlier step of the
 * workflow, or a step of a workflow this one `dependsOn` (those run, whole, before it starts).
 * Anything else could never be met here: a later step or the step itself (the forward-reference
 * error), a step that does not exist, a workflow that does not run first. Reading an output
 * (`$steps.x.outputs.y`) is an implicit dependency, checked where it is read (`step-not-run`).
 */
import type { LoadedSource } from "../load/document.js"
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Scope } from "../resolve/context.js"
import { closest } from "../suggest.js"

const stepIdsOf = (workflow: unknown): Array<string> =>
  (isObject(workflow) ? arrayAt(workflow, "steps") : []).flatMap((
    s
  ) => (isObject(s) && typeof s["stepId"] === "string" ? [s["stepId"]] : []))

export const checkStepDependencies = (
  raw: Record<string, unknown>,
  index: number,
  order: ReadonlyArray<string>,
  workflow: Record<string, unknown>,
  root: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  scope: Scope,
  path: Path
): void => {
  const stepId = order[index]!
  const ranFirst = arrayAt(workflow, "dependsOn").map(String)
  arrayAt(raw, "dependsOn").forEach((entry, i) => {
    const at = [...path, "dependsOn", i]
    const text = String(entry)
    const fail = (code: string, message: string) => report(scope, at, "error", code, message)
    const cross = /^\$workflows\.([^.]+)\.steps\.([^.]+)$/.exec(text)
    const remote = /^\$sourceDescriptions\.([^.]+)\.([^.]+)\.steps\.([^.]+)$/.exec(text)
    if (cross !== null) {
      const [, workflowId, target] = cross as unknown as [string, string, string]
      const other = arrayAt(root, "workflows").find((w) => isObject(w) && w["workflowId"] === workflowId)
      if (other === undefined) {
        return fail("unknown-step-dependency", `\`${text}\`: there is no workflow \`${workflowId}\``)
      }
      if (!stepIdsOf(other).includes(target)) {
        return fail("unknown-step-dependency", `\`${text}\`: workflow \`${workflowId}\` has no step \`${target}\``)
      }
      if (!ranFirst.includes(workflowId) && !ranFirst.includes(`$workflows.${workflowId}`)) {
        fail(
          "step-dependency-not-run",
          `\`${text}\`: workflow \`${workflowId}\` does not run before this one, so its step never completes first; list it in the workflow's \`dependsOn\``
        )
      }
      return
    }
    if (remote !== null) {
      const [, name, workflowId, target] = remote as unknown as [string, string, string, string]
      const source = sources.find((s) => s.name === name)
      if (source === undefined || source.type !== "arazzo") {
        return fail("unknown-step-dependency", `\`${text}\`: there is no \`arazzo\` source description \`${name}\``)
      }
      const other = arrayAt(source.arazzo?.root ?? {}, "workflows").find((w) =>
        isObject(w) && w["workflowId"] === workflowId
      )
      if (source.arazzo !== undefined && (other === undefined || !stepIdsOf(other).includes(target))) {
        return fail(
          "unknown-step-dependency",
          `\`${text}\`: \`${name}\` has no step \`${target}\` in workflow \`${workflowId}\``
        )
      }
      if (!ranFirst.includes(`$sourceDescriptions.${name}.${workflowId}`)) {
        fail(
          "step-dependency-not-run",
          `\`${text}\`: workflow \`${workflowId}\` of \`${name}\` does not run before this one; list \`$sourceDescriptions.${name}.${workflowId}\` in the workflow's \`dependsOn\``
        )
      }
      return
    }
    const position = order.indexOf(text)
    if (position === -1) {
      const near = closest(text, order, 2)
      return fail(
        "unknown-step-dependency",
        `\`dependsOn\` names step \`${text}\`, which this workflow does not have${
          near === undefined ? "" : ` (did you mean \`${near}\`?)`
        }`
      )
    }
    if (position >= index) {
      fail(
        "step-forward-dependency",
        position === index
          ? `step \`${stepId}\` depends on itself`
          : `step \`${stepId}\` depends on \`${text}\`, which comes after it: steps run in document order, so it could never complete first`
      )
    }
  })
}
