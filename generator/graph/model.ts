/**
 * A workflow as a graph, read from the IR: what the generated code does, step by step, not a
 * second reading of the YAML. Nodes are the steps (in document order), the workflows it runs
 * first (`dependsOn`) or hands over to, and where a run can stop; edges are the success actions,
 * polls (self-loops with their schedule), failure actions (gotos, retries, ends) and the
 * fall-through to the following step. Plain data, deterministic: the renderers (Mermaid, DOT,
 * SVG) only print it.
 */
import {
  type ActionIR,
  type CriterionIR,
  type FailureActionIR,
  type StepIR,
  type WorkflowIR,
  workflowRefText
} from "../lower/ir.js"

export type NodeKind = "start" | "step" | "workflow" | "completed" | "ended" | "failed"

export interface GraphNode {
  /** Unique in the graph, safe as a Mermaid or DOT identifier. */
  readonly id: string
  readonly kind: NodeKind
  /** The first line: a stepId, a workflowId, or what the terminal means. */
  readonly title: string
  /** Further lines: the operation (or the workflow a step runs), then the success criteria. */
  readonly lines: ReadonlyArray<string>
  /** For a step node. */
  readonly stepId?: string
  /** For a workflow node: the workflow it stands for. */
  readonly workflowId?: string
}

/**
 * `next`: the fall-through to the following step (or the end); `success`: a success action;
 * `poll`: the self-loop of a polling step; `failure`: a failure action that goes somewhere;
 * `retry`: a failure action that tries the step again; `dependsOn`: a workflow run first.
 */
export type EdgeKind = "next" | "success" | "poll" | "failure" | "retry" | "dependsOn"

export interface GraphEdge {
  readonly id: string
  readonly from: string
  readonly to: string
  readonly kind: EdgeKind
  /** Lines of the label; empty for a plain fall-through. Several actions between the same nodes share one edge. */
  readonly label: ReadonlyArray<string>
}

export interface WorkflowGraph {
  readonly workflowId: string
  readonly summary: string | undefined
  readonly nodes: ReadonlyArray<GraphNode>
  readonly edges: ReadonlyArray<GraphEdge>
}

/** What the default poll policy does (runtime/effect3 `defaultPoll`); a `Policies` layer can change it. */
export const DEFAULT_POLL_SCHEDULE =
  "default poll policy: exponential from 500 ms, capped at 10 s, jittered, up to 5 min"

/** The terminals' ids and titles. */
export const TERMINALS = {
  completed: { id: "n_completed", title: "completed" },
  ended: { id: "n_ended", title: "ended (onSuccess end)" },
  failed: { id: "n_failed", title: "ended (onFailure end)" }
} as const

export const START_ID = "n_start"

const identifier = (text: string) => text.replace(/[^A-Za-z0-9_]/g, "_")

/**
 * The success actions that can decide: up to and including the first without criteria (it
 * always applies, nothing after it is reached). This is the emitter's `decisiveActions` without
 * its last trim (a trailing `next` prints as nothing there; here it is an edge worth drawing).
 */
export const reachableActions = (actions: ReadonlyArray<ActionIR>): ReadonlyArray<ActionIR> => {
  const first = actions.findIndex((a) => a.criterion === undefined)
  return first === -1 ? actions : actions.slice(0, first + 1)
}

/**
 * The failure actions that can decide, in order: up to and including the first `end` or `goto`
 * without criteria. A retry without criteria does not cut the list: once its retries are used
 * up, the actions after it decide.
 */
export const reachableFailureActions = (actions: ReadonlyArray<FailureActionIR>): ReadonlyArray<FailureActionIR> => {
  const first = actions.findIndex((a) => a.criterion === undefined && a.kind !== "retry")
  return first === -1 ? actions : actions.slice(0, first + 1)
}

/** `"GET /orders/{orderId}"` from the operation key `"orders GET /orders/{orderId}"`. */
const operationLine = (key: string) => key.split(" ").slice(1).join(" ")

const named = (name: string, criterion: CriterionIR | undefined) =>
  criterion === undefined ? name : `${name}: ${criterion.text}`

const seconds = (n: number) => `${n} s`

const retryDetail = (action: Extract<FailureActionIR, { kind: "retry" }>): string => {
  const parts = [`retry ≤ ${action.retryLimit}×`]
  if (action.retryAfter > 0) parts.push(`after ${seconds(action.retryAfter)}`)
  if (action.stepId !== undefined) parts.push(`from step ${action.stepId}`)
  if (action.workflow !== undefined) parts.push(`after running ${workflowRefText(action.workflow)}`)
  return parts.join(", ")
}

class Builder {
  readonly nodes: Array<GraphNode> = []
  readonly edges: Array<GraphEdge> = []
  private readonly stepIds = new Map<string, string>()
  private readonly taken = new Set<string>([START_ID, ...Object.values(TERMINALS).map((t) => t.id)])

  private unique(base: string) {
    let id = base
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`
    this.taken.add(id)
    return id
  }

  addStep(step: StepIR) {
    const id = this.unique(`n_step_${identifier(step.stepId)}`)
    this.stepIds.set(step.stepId, id)
    const request = step.call !== undefined
      ? `runs workflow ${workflowRefText(step.call.workflow)}`
      : step.operation !== undefined
      ? operationLine(step.operation)
      : ""
    const criteria = step.successCriteria.length > 0
      ? step.successCriteria.map((c) => `✓ ${c.text}`)
      : step.call === undefined
      ? ["✓ 2xx status (no successCriteria)"]
      : []
    this.nodes.push({ id, kind: "step", title: step.stepId, lines: [request, ...criteria], stepId: step.stepId })
  }

  step(stepId: string): string {
    const id = this.stepIds.get(stepId)
    if (id === undefined) throw new Error(`graph: no step ${stepId}`) // lowering checked every target
    return id
  }

  workflow(workflowId: string): string {
    const existing = this.nodes.find((n) => n.kind === "workflow" && n.workflowId === workflowId)
    if (existing !== undefined) return existing.id
    const id = this.unique(`n_workflow_${identifier(workflowId)}`)
    this.nodes.push({ id, kind: "workflow", title: workflowId, lines: ["workflow"], workflowId })
    return id
  }

  terminal(kind: keyof typeof TERMINALS): string {
    const terminal = TERMINALS[kind]
    if (!this.nodes.some((n) => n.id === terminal.id)) {
      this.nodes.push({ id: terminal.id, kind, title: terminal.title, lines: [] })
    }
    return terminal.id
  }

  /** Adds an edge; one between the same nodes of the same kind gains the label lines instead. */
  edge(from: string, to: string, kind: EdgeKind, label: ReadonlyArray<string>) {
    const index = this.edges.findIndex((e) => e.from === from && e.to === to && e.kind === kind)
    if (index === -1) {
      this.edges.push({ id: `e${this.edges.length}`, from, to, kind, label })
      return
    }
    const existing = this.edges[index]!
    this.edges[index] = { ...existing, label: [...existing.label, ...label] }
  }
}

const successTarget = (b: Builder, action: ActionIR): string => {
  switch (action.kind) {
    case "next":
    case "goto":
      return b.step(action.target)
    case "end":
      return b.terminal("ended")
    case "gotoWorkflow":
      return b.workflow(workflowRefText(action.target))
  }
}

const addFailureActions = (b: Builder, step: StepIR, from: string) => {
  for (const action of reachableFailureActions(step.failureActions)) {
    const label = named(action.name, action.criterion)
    switch (action.kind) {
      case "end":
        b.edge(from, b.terminal("failed"), "failure", [label])
        break
      case "goto":
        b.edge(from, b.step(action.target), "failure", [label])
        break
      case "gotoWorkflow":
        b.edge(from, b.workflow(workflowRefText(action.target)), "failure", [label])
        break
      case "retry": {
        const detail = retryDetail(action)
        if (action.stepId !== undefined) {
          b.edge(from, b.step(action.stepId), "retry", [label, detail])
        } else if (action.workflow !== undefined) {
          const other = b.workflow(workflowRefText(action.workflow))
          b.edge(from, other, "retry", [label, detail])
          b.edge(other, from, "retry", [`then ${step.stepId} again`])
        } else {
          b.edge(from, from, "retry", [label, detail])
        }
      }
    }
  }
}

/** The graph of one workflow. */
export const workflowGraph = (workflow: WorkflowIR): WorkflowGraph => {
  const b = new Builder()
  b.nodes.push({ id: START_ID, kind: "start", title: workflow.workflowId, lines: [] })
  // Dependencies first: they run before the first step.
  const dependencies = workflow.dependsOn.map((ref) => b.workflow(workflowRefText(ref)))
  for (const step of workflow.steps) b.addStep(step)

  let previous = START_ID
  for (const id of dependencies) {
    b.edge(previous, id, "dependsOn", previous === START_ID ? ["dependsOn"] : [])
    previous = id
  }
  const first = workflow.steps[0]
  b.edge(previous, first === undefined ? b.terminal("completed") : b.step(first.stepId), "next", [])

  workflow.steps.forEach((step, index) => {
    const from = b.step(step.stepId)
    const following = workflow.steps[index + 1]
    if (step.poll !== undefined) {
      b.edge(from, from, "poll", [named(step.poll.action, step.poll.criterion), DEFAULT_POLL_SCHEDULE])
    }
    const actions = reachableActions(step.actions)
    for (const action of actions) {
      b.edge(from, successTarget(b, action), action.kind === "next" ? "next" : "success", [
        named(action.name, action.criterion)
      ])
    }
    // Without an action that always applies, a step whose actions do not hold goes on with the following one.
    if (!actions.some((a) => a.criterion === undefined)) {
      const to = following === undefined ? b.terminal("completed") : b.step(following.stepId)
      b.edge(from, to, "next", actions.length > 0 ? ["otherwise"] : [])
    }
    addFailureActions(b, step, from)
  })
  // Terminals last, in a fixed order, so that every renderer lays them out the same way.
  const order: Record<NodeKind, number> = { start: 0, workflow: 1, step: 1, completed: 2, ended: 3, failed: 4 }
  const nodes = [...b.nodes].sort((x, y) => order[x.kind] - order[y.kind])
  return { workflowId: workflow.workflowId, summary: workflow.summary, nodes, edges: b.edges }
}
