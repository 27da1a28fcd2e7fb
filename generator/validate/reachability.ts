/** Steps that can never run, and loops success can never leave: warnings, the document still compiles. */
import type { Path } from "../load/yaml.js"
import { report, type Reporter } from "../resolve/context.js"
import { loopsWithoutExit, reachable, type WorkflowFlow } from "../resolve/flow.js"

export const checkReachability = (flow: WorkflowFlow, path: Path, reporter: Reporter): void => {
  const { order } = flow
  const reached = reachable(flow)
  order.forEach((id, i) => {
    if (!reached.has(id)) {
      report(
        reporter,
        [...path, "steps", i, "stepId"],
        "warning",
        "unreachable-step",
        `step \`${id}\` can never run: no step goes to it and it does not follow one that goes on`
      )
    }
  })
  for (const loop of loopsWithoutExit(flow)) {
    report(
      reporter,
      [...path, "steps", order.indexOf(loop[0]!), "stepId"],
      "warning",
      "loop-without-exit",
      `the steps ${
        loop.map((s) => `\`${s}\``).join(" → ")
      } go round with no way out on success; the run can end only by failing`
    )
  }
}
