/**
 * A workflow graph as a self-contained SVG, laid out here (no Mermaid, no Graphviz, nothing to
 * load): the nodes stacked in the graph's order (start, dependencies, steps in document order,
 * other workflows, terminals), an edge to the node right below drawn straight down, self-loops
 * (polls, retries) as loops on the right, and every other edge routed in a lane on the right,
 * shortest spans innermost. Good enough to read a workflow and to show which path a run took:
 * `taken` highlights nodes and edges, and one node can be marked as where the run failed.
 */
import type { GraphEdge, GraphNode, WorkflowGraph } from "./model.js"

export interface Highlight {
  /** Node ids the run went through, with how many times (shown as ×n when more than once). */
  readonly nodes: ReadonlyMap<string, number>
  readonly edges: ReadonlySet<string>
  /** The node where the run failed with an error. */
  readonly failed?: string | undefined
}

const BOX_WIDTH = 320
const LINE = 15
const PAD = 8
const GAP = 46
const LANE = 14
const LEFT = 16
const TOP = 16
const LABEL_CHARS = 70

export const xmlText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const cut = (text: string, max = LABEL_CHARS) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

interface Box {
  readonly node: GraphNode
  readonly x: number
  readonly y: number
  readonly h: number
}

interface SideEdge {
  readonly edge: GraphEdge
  readonly top: number
  readonly bottom: number
  lane: number
}

/** Interval colouring: each edge gets the innermost lane no overlapping edge uses. */
const assignLanes = (edges: Array<SideEdge>) => {
  const byLane: Array<Array<SideEdge>> = []
  for (const e of [...edges].sort((a, b) => a.bottom - a.top - (b.bottom - b.top) || a.top - b.top)) {
    let lane = 0
    while (byLane[lane]?.some((o) => o.top <= e.bottom + 2 && e.top <= o.bottom + 2)) lane++
    ;(byLane[lane] ??= []).push(e)
    e.lane = lane
  }
  return byLane.length
}

const nodeClass = (node: GraphNode, highlight: Highlight | undefined) =>
  [
    "node",
    node.kind,
    highlight?.nodes.has(node.id) ? "taken" : "",
    highlight?.failed === node.id ? "failed-here" : ""
  ].filter((c) => c !== "").join(" ")

const STYLE = `
.node rect { fill: #fff; stroke: #555; stroke-width: 1; }
.node.start rect { fill: #eef; stroke: #447; }
.node.workflow rect { fill: #f4f4f4; stroke: #666; stroke-dasharray: 4 2; }
.node.completed rect { fill: #e6f4ea; stroke: #1e7e34; }
.node.ended rect { fill: #fff8e1; stroke: #b8860b; }
.node.failed rect { fill: #fdecea; stroke: #c62828; }
.node.taken rect { stroke: #1f5fbf; stroke-width: 3; }
.node.failed-here rect { stroke: #c62828; stroke-width: 3; fill: #fdecea; }
.node text { font: 12px sans-serif; fill: #222; }
.node text.title { font-weight: bold; }
.node text.count { fill: #1f5fbf; font-weight: bold; }
.edge path { fill: none; stroke: #777; stroke-width: 1.2; }
.edge.failure path, .edge.retry path { stroke-dasharray: 5 3; }
.edge.failure path { stroke: #c62828; }
.edge.retry path { stroke: #b8860b; }
.edge.poll path { stroke: #1f5fbf; }
.edge.taken path { stroke: #1f5fbf; stroke-width: 3; stroke-dasharray: none; }
.edge path.leader, .edge.taken path.leader { stroke: #bbb; stroke-width: 0.8; stroke-dasharray: 1 2; marker-end: none; }
.edge text { font: 11px sans-serif; fill: #444; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.edge.taken text { fill: #1f5fbf; font-weight: bold; }
`

const arrowMarker =
  `<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker>`

const labelText = (lines: ReadonlyArray<string>, x: number, y: number) =>
  lines.map((line, i) => `<text x="${x}" y="${y + i * 13}">${xmlText(cut(line))}</text>`).join("")

/** The SVG of a graph, optionally with a run's path highlighted. */
export const toSvg = (graph: WorkflowGraph, highlight?: Highlight): string => {
  const boxes = new Map<string, Box>()
  let y = TOP
  const heights = graph.nodes.map((n) => PAD * 2 + LINE * (1 + n.lines.filter((l) => l !== "").length))
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]))
  // Lanes are decided before x is known: they only depend on the vertical order.
  const side: Array<SideEdge> = []
  const straight: Array<GraphEdge> = []
  const loops: Array<GraphEdge> = []
  for (const edge of graph.edges) {
    const from = index.get(edge.from)!
    const to = index.get(edge.to)!
    if (from === to) loops.push(edge)
    else if (to === from + 1) straight.push(edge)
    else side.push({ edge, top: Math.min(from, to), bottom: Math.max(from, to), lane: 0 })
  }
  const lanes = assignLanes(side)
  graph.nodes.forEach((node, i) => {
    boxes.set(node.id, { node, x: LEFT, y, h: heights[i]! })
    y += heights[i]! + GAP
  })
  const right = LEFT + BOX_WIDTH
  const lanesEnd = right + 40 + lanes * LANE
  const width = lanesEnd + 8 + LABEL_CHARS * 6.2

  // Where edges leave and enter each box's right side, spread evenly.
  const anchors = new Map<string, Array<string>>()
  const anchor = (nodeId: string, key: string) =>
    (anchors.get(nodeId) ?? anchors.set(nodeId, []).get(nodeId)!).push(key)
  for (const loop of loops) anchor(loop.from, `loop:${loop.id}`)
  for (const s of side) {
    anchor(s.edge.from, `out:${s.edge.id}`)
    anchor(s.edge.to, `in:${s.edge.id}`)
  }
  const anchorY = (nodeId: string, key: string) => {
    const box = boxes.get(nodeId)!
    const list = anchors.get(nodeId)!
    return box.y + (box.h * (list.indexOf(key) + 1)) / (list.length + 1)
  }

  const out: Array<string> = []
  const edgeGroup = (edge: GraphEdge, path: string, label: string) => {
    const taken = highlight?.edges.has(edge.id) ? " taken" : ""
    out.push(
      `<g class="edge ${edge.kind}${taken}" data-edge="${edge.id}"><title>${
        xmlText(edge.label.join("\n") || edge.kind)
      }</title><path d="${path}" marker-end="url(#arrow)"/>${label}</g>`
    )
  }
  // Edges between the same two neighbours sit side by side.
  const pairs = new Map<string, number>()
  for (const edge of straight) {
    const from = boxes.get(edge.from)!
    const to = boxes.get(edge.to)!
    const key = `${edge.from}>${edge.to}`
    const nth = pairs.get(key) ?? 0
    pairs.set(key, nth + 1)
    const x = LEFT + BOX_WIDTH / 2 + nth * 28
    const y1 = from.y + from.h
    const y2 = to.y
    edgeGroup(edge, `M${x},${y1} L${x},${y2}`, labelText(edge.label, x + 6, y1 + 14))
  }
  // Labels of loops and lanes go in one column right of the lanes, pushed down so they never
  // overlap; a dotted leader joins each to its edge.
  const placed: Array<{ edge: GraphEdge; path: string; fromX: number; fromY: number; y: number }> = []
  for (const edge of loops) {
    const y0 = anchorY(edge.from, `loop:${edge.id}`)
    const path = `M${right},${y0 - 6} C${right + 34},${y0 - 22} ${right + 34},${y0 + 22} ${right + 2},${y0 + 6}`
    placed.push({ edge, path, fromX: right + 27, fromY: y0, y: y0 })
  }
  for (const s of side) {
    const x = right + 40 + s.lane * LANE
    const y1 = anchorY(s.edge.from, `out:${s.edge.id}`)
    const y2 = anchorY(s.edge.to, `in:${s.edge.id}`)
    placed.push({
      edge: s.edge,
      path: `M${right},${y1} L${x},${y1} L${x},${y2} L${right + 2},${y2}`,
      fromX: x,
      fromY: y1,
      y: y1
    })
  }
  let floor = 0
  for (const p of placed.sort((a, b) => a.y - b.y || a.fromX - b.fromX)) {
    p.y = Math.max(p.y, floor)
    floor = p.y + Math.max(1, p.edge.label.length) * 13 + 4
    const labelX = lanesEnd + 8
    const leader = p.edge.label.length === 0
      ? ""
      : `<path class="leader" d="M${p.fromX},${p.fromY} L${labelX - 2},${p.y - 4}"/>`
    edgeGroup(p.edge, p.path, leader + labelText(p.edge.label, labelX, p.y))
  }
  const bottom = Math.max(y - GAP + TOP, floor + TOP)
  const nodes = graph.nodes.map((node) => {
    const box = boxes.get(node.id)!
    const lines = [node.title, ...node.lines.filter((l) => l !== "")]
    const texts = lines.map((line, i) =>
      `<text x="${box.x + PAD}" y="${box.y + PAD + 11 + i * LINE}"${i === 0 ? ` class="title"` : ""}>${
        xmlText(cut(line, 48))
      }</text>`
    )
    const count = highlight?.nodes.get(node.id) ?? 0
    if (count > 1) {
      texts.push(`<text class="count" x="${right - PAD}" y="${box.y + PAD + 11}" text-anchor="end">×${count}</text>`)
    }
    return `<g class="${nodeClass(node, highlight)}" data-node="${node.id}"${
      node.stepId !== undefined ? ` data-step="${xmlText(node.stepId)}"` : ""
    }><title>${
      xmlText(lines.join("\n"))
    }</title><rect x="${box.x}" y="${box.y}" width="${BOX_WIDTH}" height="${box.h}" rx="${
      node.kind === "step" ? 3 : 12
    }"/>${texts.join("")}</g>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" class="workflow-graph" width="${Math.ceil(width)}" height="${
    Math.ceil(bottom)
  }" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(bottom)}" role="img" aria-label="${
    xmlText(`workflow ${graph.workflowId}`)
  }"><style>${STYLE}</style><defs>${arrowMarker}</defs>${out.join("")}${nodes.join("")}</svg>`
}
