/**
 * The path a run took through its workflow's graph, for highlighting: the steps it ran (with how
 * many attempts), the edge between each step and the next one it ran (a self-loop for a poll or
 * a retry; a failure edge when the attempt before failed), and the edge to where it ended.
 */
import type { GraphEdge, GraphNode, WorkflowGraph } from "../../graph/model.js"
import { START_ID, TERMINALS } from "../../graph/model.js"
import type { Highlight } from "../../graph/svg.js"
import { workflowRefText } from "../../lower/ir.js"
import type { RunReport } from "./collect.js"

const FAILURE_KINDS = new Set<GraphEdge["kind"]>(["failure", "retry"])

/** Edges from one node to another, the ones of the kind the attempt's outcome implies first. */
const between = (graph: WorkflowGraph, from: string, to: string, failed: boolean) => {
  const all = graph.edges.filter((e) => e.from === from && e.to === to)
  const preferred = all.filter((e) => FAILURE_KINDS.has(e.kind) === failed)
  return preferred.length > 0 ? preferred : all
}

const byAction = (edges: ReadonlyArray<GraphEdge>, action: string) =>
  edges.filter((e) => e.label.some((line) => line === action || line.startsWith(`${action}: `)))

export const runPath = (graph: WorkflowGraph, report: RunReport): Highlight => {
  const stepNode = new Map<string, GraphNode>()
  for (const n of graph.nodes) if (n.stepId !== undefined) stepNode.set(n.stepId, n)
  const nodes = new Map<string, number>()
  const edges = new Set<string>()
  const visit = (id: string) => nodes.set(id, (nodes.get(id) ?? 0) + 1)
  const mark = (list: ReadonlyArray<GraphEdge>) => list.forEach((e) => edges.add(e.id))

  const own = report.attempts.filter((a) => a.workflowId === report.workflow.workflowId && stepNode.has(a.stepId))
  visit(START_ID)
  // dependsOn workflows that ran, then the first step.
  let previous = START_ID
  for (const dependency of report.workflow.dependsOn) {
    const node = graph.nodes.find((n) => n.kind === "workflow" && n.workflowId === workflowRefText(dependency))
    if (node === undefined || !report.attempts.some((a) => a.workflowId === dependency.workflowId)) break
    mark(between(graph, previous, node.id, false))
    visit(node.id)
    previous = node.id
  }
  let last: { id: string; failed: boolean } | undefined
  for (const attempt of own) {
    const id = stepNode.get(attempt.stepId)!.id
    mark(between(graph, last?.id ?? previous, id, last?.failed ?? false))
    visit(id)
    last = { id, failed: attempt.ended?.outcome === "failure" }
  }
  nodes.set(START_ID, 1)

  let failed: string | undefined
  const end = report.end
  if (last !== undefined) {
    if (end._tag === "Completed") {
      const toEnd = between(graph, last.id, TERMINALS.completed.id, false)
      mark(toEnd)
      if (toEnd.length > 0) visit(TERMINALS.completed.id)
    } else if (end._tag === "Ended") {
      const from = stepNode.get(end.stepId)?.id ?? last.id
      const chosen = byAction(graph.edges.filter((e) => e.from === from), end.action)
      mark(chosen)
      for (const e of chosen) visit(e.to)
    } else if (end._tag === "Failed") {
      failed = (report.errorStepId !== undefined ? stepNode.get(report.errorStepId)?.id : undefined) ?? last.id
    }
  }
  return { nodes, edges, failed }
}
