/**
 * One AsyncAPI step (Arazzo 1.1) checked: the channel it names, its headers, payload and
 * correlation id (lower/message-step.ts reports those as it resolves them), its outputs and
 * actions on `$message…`.
 */
import type { Path } from "../load/yaml.js"
import { messageParts, messageScopes } from "../lower/message-step.js"
import { report, type Scope } from "../resolve/context.js"
import { checkFailureActions, checkSuccessActions } from "./actions.js"
import type { StepChecks } from "./context.js"
import { checkOutputs } from "./references.js"

export const checkMessageStep = (
  raw: Record<string, unknown>,
  index: number,
  scope: Scope,
  checks: StepChecks,
  path: Path
): void => {
  messageParts(raw, scope, checks, checks.sources, path)
  const { response } = messageScopes(scope)
  checkOutputs(raw["outputs"], response, path)
  const flow = checkSuccessActions(raw, index, response, checks, path)
  if (flow?.polls === true) {
    report(
      scope,
      [...path, "onSuccess"],
      "error",
      "unsupported-message-poll",
      "a message step that goes back to itself is not compiled yet; a receive step already waits (up to its `timeout`) for its message"
    )
  }
  checkFailureActions(raw, response, checks, path)
}
