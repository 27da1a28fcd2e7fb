/**
 * Ids must be unique (workflowIds in the document, stepIds in a workflow) and should use only
 * `[A-Za-z0-9_-]`, as the specification recommends. The JSON Schema checks that they exist.
 */
import type { Path } from "../load/yaml.js"
import { arrayAt, isObject, report, type Reporter, stringAt } from "../resolve/context.js"

const ID = /^[A-Za-z0-9_\-]+$/

/** `workflows[0].steps[2]`: where an id is, as a path into the document. */
const where = (at: Path): string =>
  at.slice(0, -1).map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("")

/** Reports id problems; `false` when there is an error (nothing else can be checked by id then). */
export const checkIds = (root: Record<string, unknown>, reporter: Reporter): boolean => {
  const before = reporter.diagnostics.length
  const unique = (ids: ReadonlyArray<readonly [string | undefined, Path]>, what: string) => {
    const seen = new Map<string, Path>()
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
      const first = seen.get(id)
      // Both places, so a reader sees which two; a reference to the id could mean either.
      if (first !== undefined) {
        report(
          reporter,
          at,
          "error",
          "duplicate-id",
          `${what} \`${id}\` is used twice (${where(first)} and ${where(at)}); give each its own id`
        )
      } else seen.set(id, at)
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
