/**
 * A workflow's control flow as a graph of steps, read from the document: success actions
 * (`goto`, `end`, and the default "go on with the next step"), failure actions (`goto`,
 * `retry`) and the workflow-level actions that apply to every step. From it: which steps can
 * be reached, which can have run before a given step, and which loops can never be left.
 */

import { componentAction } from "./components.js"
import { isObject } from "./context.js"

/** Leaving the workflow: an `end`, a `goto` to another workflow, or going on after the last step. */
export const EXIT = "\u0000exit"

type Json = Record<string, unknown>
const list = (u: unknown): Array<unknown> => (Array.isArray(u) ? u : [])

export interface WorkflowFlow {
  readonly order: ReadonlyArray<string>
  /** Where each step can go next on success. */
  readonly onSuccess: ReadonlyMap<string, ReadonlySet<string>>
  /** Where each step can go next on failure, besides failing the workflow. */
  readonly onFailure: ReadonlyMap<string, ReadonlySet<string>>
}

type ActionKind = "successActions" | "failureActions"

/** An action as it acts: a reusable one (`reference: $components.…`) is the component it names. */
const resolved = (kind: ActionKind, components: Json) => (action: unknown): unknown =>
  isObject(action) && "reference" in action
    ? componentAction(String(action["reference"]), kind, components) ?? action
    : action

/** A step's actions: its own, then the workflow's that it does not override by name. */
const actionsOf = (own: unknown, inherited: unknown, kind: ActionKind, components: Json): Array<unknown> => {
  const ownList = list(own).map(resolved(kind, components))
  const names = new Set(ownList.map((a) => (isObject(a) ? a["name"] : undefined)))
  return [
    ...ownList,
    ...list(inherited).map(resolved(kind, components)).filter((a) => !(isObject(a) && names.has(a["name"])))
  ]
}

const isUnconditional = (action: unknown) =>
  isObject(action) && list(action["criteria"]).length === 0 && !("reference" in action)

const target = (action: unknown, self: string): string | undefined => {
  if (!isObject(action) || "reference" in action) return undefined // a reference to no component (reported by validation)
  switch (action["type"]) {
    case "end":
      return EXIT
    case "retry":
      return self
    case "goto":
      return typeof action["stepId"] === "string" ? action["stepId"] : EXIT
    default:
      return undefined
  }
}

/** The flow of `workflow`; `components` are the document's, for actions it reuses. */
export const workflowFlow = (workflow: Json, components: Json = {}): WorkflowFlow => {
  const steps = list(workflow["steps"]).filter(isObject)
  const order = steps.map((s) => (typeof s["stepId"] === "string" ? s["stepId"] : ""))
  const onSuccess = new Map<string, Set<string>>()
  const onFailure = new Map<string, Set<string>>()
  steps.forEach((step, i) => {
    const id = order[i]!
    const next = order[i + 1] ?? EXIT
    const success = actionsOf(step["onSuccess"], workflow["successActions"], "successActions", components)
    const targets = new Set(success.map((a) => target(a, id) ?? next))
    if (!success.some(isUnconditional)) targets.add(next)
    onSuccess.set(id, targets)
    const failure = actionsOf(step["onFailure"], workflow["failureActions"], "failureActions", components)
    onFailure.set(
      id,
      new Set(failure.flatMap((a) => {
        const t = target(a, id)
        return t === undefined ? [] : [t]
      }))
    )
  })
  return { order, onSuccess, onFailure }
}

const successorsOf = (flow: WorkflowFlow, id: string): Array<string> => [
  ...(flow.onSuccess.get(id) ?? []),
  ...(flow.onFailure.get(id) ?? [])
]

/** Steps reachable from the first step. */
export const reachable = (flow: WorkflowFlow): Set<string> => {
  const seen = new Set<string>()
  const pending = flow.order.slice(0, 1)
  while (pending.length > 0) {
    const id = pending.pop()!
    if (seen.has(id) || id === EXIT) continue
    seen.add(id)
    pending.push(...successorsOf(flow, id))
  }
  return seen
}

/** Steps from which `id` can be reached in one or more moves: the steps that can have run before it. */
export const canRunBefore = (flow: WorkflowFlow, id: string): Set<string> => {
  const predecessors = new Map<string, Array<string>>()
  for (const from of flow.order) {
    for (const to of successorsOf(flow, from)) predecessors.set(to, [...(predecessors.get(to) ?? []), from])
  }
  const before = new Set<string>()
  const pending = [...(predecessors.get(id) ?? [])]
  while (pending.length > 0) {
    const step = pending.pop()!
    if (before.has(step)) continue
    before.add(step)
    pending.push(...(predecessors.get(step) ?? []))
  }
  const start = reachable(flow)
  return new Set([...before].filter((s) => start.has(s)))
}

/**
 * Whether `id` can run again after it succeeded (a pagination loop: a success action goes back
 * to it, directly or through other steps). Then its own outputs have the previous pass's values.
 * A `retry` alone does not count: a retried step has not succeeded, so it has no outputs yet.
 */
export const runsAgainAfterSuccess = (flow: WorkflowFlow, id: string): boolean => {
  const seen = new Set<string>()
  const pending = [...(flow.onSuccess.get(id) ?? [])]
  while (pending.length > 0) {
    const step = pending.pop()!
    if (step === id) return true
    if (seen.has(step) || step === EXIT) continue
    seen.add(step)
    pending.push(...successorsOf(flow, step))
  }
  return false
}

/**
 * Loops that success can never leave: strongly connected groups of steps (or a step that
 * goes back to itself) with no success move out of the group. Such a run ends only by failing.
 */
export const loopsWithoutExit = (flow: WorkflowFlow): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const groups: Array<Array<string>> = []
  let counter = 0
  const visit = (id: string) => {
    index.set(id, counter)
    low.set(id, counter++)
    stack.push(id)
    onStack.add(id)
    for (const next of flow.onSuccess.get(id) ?? []) {
      if (next === EXIT || !flow.onSuccess.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(id, Math.min(low.get(id)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id)!, index.get(next)!))
      }
    }
    if (low.get(id) === index.get(id)) {
      const group: Array<string> = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        group.push(member)
      } while (member !== id)
      groups.push(group)
    }
  }
  for (const id of flow.order) if (!index.has(id)) visit(id)
  return groups.filter((group) => {
    const members = new Set(group)
    const loops = group.length > 1 || flow.onSuccess.get(group[0]!)?.has(group[0]!) === true
    const leaves = group.some((id) => [...(flow.onSuccess.get(id) ?? [])].some((t) => !members.has(t)))
    return loops && !leaves
  }).map((group) => flow.order.filter((id) => group.includes(id)))
}
