/** A workflow graph in Graphviz DOT, for `dot -Tsvg` and the tools that read it. */
import type { EdgeKind, GraphEdge, GraphNode, NodeKind, WorkflowGraph } from "./model.js"

/** A DOT double-quoted string: backslashes and quotes escaped, lines joined by `\n`. */
export const dotString = (lines: ReadonlyArray<string>): string =>
  `"${lines.filter((l) => l !== "").map((l) => l.replace(/\\/g, "\\\\").replace(/"/g, "\\\"")).join("\\n")}"`

const NODE_STYLE: Record<NodeKind, string> = {
  start: `shape=box, style="rounded,filled", fillcolor="#eeeeff"`,
  step: `shape=box`,
  workflow: `shape=box, peripheries=2, style=filled, fillcolor="#f4f4f4"`,
  completed: `shape=box, style="rounded,filled", fillcolor="#e6f4ea"`,
  ended: `shape=box, style="rounded,filled", fillcolor="#fff8e1"`,
  failed: `shape=box, style="rounded,filled", fillcolor="#fdecea"`
}

const EDGE_STYLE: Record<EdgeKind, string> = {
  next: "",
  success: "",
  poll: ", color=\"#1f5fbf\"",
  dependsOn: "",
  failure: ", style=dashed, color=\"#c62828\"",
  retry: ", style=dashed, color=\"#b8860b\""
}

const node = (n: GraphNode, prefix: string) =>
  `${prefix}${n.id} [label=${dotString([n.title, ...n.lines])}, ${NODE_STYLE[n.kind]}];`

const edge = (e: GraphEdge, prefix: string) =>
  `${prefix}${e.from} -> ${prefix}${e.to} [label=${dotString(e.label)}${EDGE_STYLE[e.kind]}];`

const body = (graph: WorkflowGraph, prefix: string, indent: string) => [
  ...graph.nodes.map((n) => indent + node(n, prefix)),
  ...graph.edges.map((e) => indent + edge(e, prefix))
]

const HEADER = [
  `  rankdir=TB;`,
  `  node [fontname="Helvetica", fontsize=11];`,
  `  edge [fontname="Helvetica", fontsize=9];`
]

export const toDot = (graph: WorkflowGraph): string =>
  [`digraph ${dotString([graph.workflowId])} {`, ...HEADER, ...body(graph, "", "  "), "}"].join("\n") + "\n"

/** Several workflows in one digraph, a cluster each. */
export const toDotDocument = (title: string, graphs: ReadonlyArray<WorkflowGraph>): string => {
  const out = [`digraph ${dotString([title])} {`, ...HEADER]
  graphs.forEach((graph, index) => {
    out.push(`  subgraph cluster_${index} {`, `    label=${dotString([graph.workflowId])};`)
    out.push(...body(graph, `w${index}_`, "    "), "  }")
  })
  out.push("}")
  return out.join("\n") + "\n"
}
