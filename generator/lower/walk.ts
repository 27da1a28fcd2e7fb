/** Walking the IR: the values a step or condition reads, and what they refer to. */
import type { ConditionIR, StepIR, ValueIR } from "./ir.js"

/** The leaves of a value: everything but the objects, arrays and templates that hold them (and selectors' contexts). */
export const leaves = (value: ValueIR): Array<ValueIR> => {
  switch (value.kind) {
    case "object":
      return value.entries.flatMap(([, v]) => leaves(v))
    case "array":
      return value.items.flatMap(leaves)
    case "template":
      return value.parts.flatMap((p) => (typeof p === "string" ? [] : leaves(p)))
    case "select":
      // What a selector reads is its context.
      return leaves(value.context)
    default:
      return [value]
  }
}

/** Whether a value refers to the inputs. */
export const usesInputs = (value: ValueIR): boolean =>
  leaves(value).some((leaf) => leaf.kind === "input" || (leaf.kind === "workflowValue" && leaf.of === "inputs"))

/** The steps whose outputs a value reads. */
export const referencedSteps = (value: ValueIR): Array<string> =>
  leaves(value).flatMap((leaf) => (leaf.kind === "stepOutput" ? [leaf.stepId] : []))

export const conditionValues = (condition: ConditionIR): Array<ValueIR> => {
  switch (condition.kind) {
    case "and":
    case "or":
      return [...conditionValues(condition.left), ...conditionValues(condition.right)]
    case "not":
      return conditionValues(condition.operand)
    case "truthy":
      return [condition.value]
    case "jsonpath":
    case "regex":
    case "xpath":
      return condition.substituted === undefined ? [condition.context] : [condition.context, condition.substituted]
    case "compare":
      return [condition.left, condition.right]
  }
}

/** Every value a step reads: its request, criteria, outputs and actions. */
export const stepValues = (step: Omit<StepIR, "kept" | "keeps">): Array<ValueIR> => [
  ...(step.call?.inputs.map(([, value]) => value) ?? []),
  ...step.parameters.map((p) => p.value),
  ...(step.message?.correlationId ? [step.message.correlationId] : []),
  ...(step.body ? [step.body.value, ...step.body.replacements.map((r) => r.value)] : []),
  ...step.successCriteria.flatMap((c) => conditionValues(c.test)),
  ...step.outputs.map((o) => o.value),
  ...(step.poll ? conditionValues(step.poll.criterion.test) : []),
  ...step.actions.flatMap((a) => (a.criterion ? conditionValues(a.criterion.test) : [])),
  ...step.failureActions.flatMap((a) => (a.criterion ? conditionValues(a.criterion.test) : []))
]
