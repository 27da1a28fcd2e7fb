/**
 * A workflow graph as a Mermaid flowchart, the diagram GitHub, GitLab and most Markdown viewers
 * render. Labels are quoted with every character Mermaid could read as syntax written as an
 * entity, so criteria such as `$response.body#/status == 'shipped'` print as written.
 */
import type { EdgeKind, GraphEdge, GraphNode, NodeKind, WorkflowGraph } from "./model.js"

/** Text for inside `"…"`: `#` first, since the other entities start with it. */
export const mermaidText = (text: string): string =>
  text
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/`/g, "#96;")
    .replace(/\|/g, "#124;")

const lines = (parts: ReadonlyArray<string>) => parts.filter((p) => p !== "").map(mermaidText).join("<br/>")

const SHAPES: Record<NodeKind, readonly [open: string, close: string]> = {
  start: ["([", "])"],
  step: ["[", "]"],
  workflow: ["[[", "]]"],
  completed: ["([", "])"],
  ended: ["([", "])"],
  failed: ["([", "])"]
}

const ARROWS: Record<EdgeKind, string> = {
  next: "-->",
  success: "-->",
  poll: "-->",
  dependsOn: "-->",
  failure: "-.->",
  retry: "-.->"
}

const node = (n: GraphNode, prefix: string) => {
  const [open, close] = SHAPES[n.kind]
  return `${prefix}${n.id}${open}"${lines([n.title, ...n.lines])}"${close}:::${n.kind}`
}

const edge = (e: GraphEdge, prefix: string) => {
  const label = e.label.length > 0 ? `|"${lines(e.label)}"|` : ""
  return `${prefix}${e.from} ${ARROWS[e.kind]}${label} ${prefix}${e.to}`
}

const CLASSES = [
  "classDef start fill:#eef,stroke:#447",
  "classDef step fill:#fff,stroke:#333",
  "classDef workflow fill:#f4f4f4,stroke:#666",
  "classDef completed fill:#e6f4ea,stroke:#1e7e34",
  "classDef ended fill:#fff8e1,stroke:#b8860b",
  "classDef failed fill:#fdecea,stroke:#c62828"
]

const body = (graph: WorkflowGraph, prefix: string, indent: string) => [
  ...graph.nodes.map((n) => indent + node(n, prefix)),
  ...graph.edges.map((e) => indent + edge(e, prefix))
]

/** One workflow as a flowchart. */
export const toMermaid = (graph: WorkflowGraph): string =>
  ["flowchart TD", ...body(graph, "", "  "), ...CLASSES.map((c) => `  ${c}`)].join("\n") + "\n"

/** Several workflows (a document's) in one flowchart, a subgraph each; node ids are prefixed so they stay apart. */
export const toMermaidDocument = (graphs: ReadonlyArray<WorkflowGraph>): string => {
  const out = ["flowchart TD"]
  graphs.forEach((graph, index) => {
    out.push(`  subgraph w${index}["${mermaidText(graph.workflowId)}"]`)
    out.push("    direction TB")
    out.push(...body(graph, `w${index}_`, "    "))
    out.push("  end")
  })
  out.push(...CLASSES.map((c) => `  ${c}`))
  return out.join("\n") + "\n"
}
