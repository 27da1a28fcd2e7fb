import type { Path } from "../load/yaml.js"
import { arrayAt, report, type Scope } from "../resolve/context.js"
import { type FoundWorkflow, inputsSchemaOf } from "../resolve/workflow-refs.js"

/**
 * What starts a workflow with inputs of its own (a step that calls it, or a 1.1 action with
 * `parameters`) must pass its required inputs: `by` names which, in the message.
 */
export const checkPassedInputs = (
  names: ReadonlyArray<string>,
  called: FoundWorkflow,
  scope: Scope,
  path: Path,
  by: string
) => {
  const inputs = inputsSchemaOf(called.root, called.raw["inputs"])
  const passed = new Set(names)
  const missing = arrayAt(inputs, "required").filter((name): name is string =>
    typeof name === "string" && !passed.has(name)
  )
  if (missing.length > 0) {
    report(
      scope,
      path,
      "error",
      "missing-workflow-input",
      `workflow \`${called.workflowId}\` requires ${
        missing.map((m) => `\`${m}\``).join(", ")
      }, which ${by} does not pass`
    )
  }
}
