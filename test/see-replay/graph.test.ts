/**
 * Workflow graphs from the IR, given/want: the img2img poll, failure retries that go to a step,
 * gotos to workflows, dependsOn, retries that run a workflow first, steps that run a workflow,
 * and failure actions cut at the first that always applies. Then the renderings: Mermaid as a
 * file snapshot (the one docs/graph.md shows), DOT laid out by real Graphviz (WASM) for every
 * workflow in specs/, the CLI's `graph` command, and `generate --graphs`.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { parseXmlDocument } from "slimdom"
import { beforeAll, describe, expect, it } from "vitest"
import { toDot, toMermaid, toSvg, type WorkflowGraph, workflowGraph } from "../../generator/graph/index.js"
import { analyzeDocument, findDocuments } from "../../generator/index.js"
import type { DocumentIR } from "../../generator/lower/ir.js"
import { root, runCli } from "../cli/support.js"

const IMG2IMG = path.join(root, "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const CONTROL_FLOW = path.join(root, "specs/behaviour/order-control-flow.arazzo.yaml")
const FAILURE_ACTIONS = path.join(root, "specs/behaviour/order-failure-actions.arazzo.yaml")

const documents = new Map<string, DocumentIR>()
const ir = async (file: string) => {
  const cached = documents.get(file)
  if (cached !== undefined) return cached
  const { document } = await analyzeDocument(file)
  if (document === undefined) throw new Error(`${file} does not compile`)
  documents.set(file, document)
  return document
}
const graphOf = async (file: string, workflowId: string) => {
  const workflow = (await ir(file)).workflows.find((w) => w.workflowId === workflowId)
  if (workflow === undefined) throw new Error(`no workflow ${workflowId}`)
  return workflowGraph(workflow)
}

/** Edges as `from -kind-> to [label]`, with node titles instead of ids, to read like the diagram. */
const edges = (graph: WorkflowGraph) => {
  const title = (id: string) => graph.nodes.find((n) => n.id === id)!.title
  return graph.edges.map((e) =>
    `${title(e.from)} -${e.kind}-> ${title(e.to)}${e.label.length > 0 ? ` [${e.label.join(" / ")}]` : ""}`
  )
}

describe("workflow graphs from the IR", () => {
  it("img2img: the poll is a self-loop with its schedule; success actions and the fall-through", async () => {
    const graph = await graphOf(IMG2IMG, "blob-upload-img2img")
    expect(graph.nodes.map((n) => `${n.kind} ${n.title}`)).toEqual([
      "start blob-upload-img2img",
      "step uploadSource",
      "step submitImg2Img",
      "step pollWorkflow",
      "step readResult",
      "completed completed",
      "ended ended (onSuccess end)"
    ])
    expect(graph.nodes[1]!.lines).toEqual(["POST /v2/consumer/blobs", "✓ $statusCode == 201"])
    expect(edges(graph)).toEqual([
      "blob-upload-img2img -next-> uploadSource",
      "uploadSource -next-> submitImg2Img",
      "submitImg2Img -next-> pollWorkflow",
      "pollWorkflow -poll-> pollWorkflow [stillRunning: $.status == 'processing' || $.status == 'preparing' || $.status == 'unassigned' / default poll policy: exponential from 500 ms, capped at 10 s, jittered, up to 5 min]",
      "pollWorkflow -next-> readResult [finished: $.status == 'succeeded' / otherwise]",
      "pollWorkflow -success-> ended (onSuccess end) [failed: $.status == 'failed' || $.status == 'expired' || $.status == 'canceled']",
      "readResult -next-> completed"
    ])
  })

  it("find-invoice: a retry that goes to another step first, a failure goto, an end without criteria", async () => {
    expect(edges(await graphOf(CONTROL_FLOW, "find-invoice"))).toEqual([
      "find-invoice -next-> readOrder",
      "readOrder -next-> readInvoice",
      "readInvoice -success-> ended (onSuccess end) [done]",
      "readInvoice -retry-> readOrder [notYet: $statusCode == 404 / retry ≤ 2×, from step readOrder]",
      "readInvoice -failure-> listOpen [giveUp: $statusCode == 404]",
      "listOpen -next-> completed"
    ])
  })

  it("gotos to other workflows, dependsOn, a retry that runs a workflow first, a step that runs a workflow", async () => {
    expect(edges(await graphOf(CONTROL_FLOW, "order-or-fallback"))).toEqual([
      "order-or-fallback -next-> readOrder",
      "readOrder -success-> invoice-of [shipped: $response.body#/status == 'shipped']",
      "readOrder -next-> listPaid [otherwise]",
      "readOrder -failure-> list-open-orders [missing: $statusCode == 404]",
      "listPaid -next-> completed"
    ])
    expect(edges(await graphOf(CONTROL_FLOW, "invoice-of-first-open"))).toEqual([
      "invoice-of-first-open -dependsOn-> list-open-orders [dependsOn]",
      "list-open-orders -next-> readInvoice",
      "readInvoice -next-> completed"
    ])
    expect(edges(await graphOf(CONTROL_FLOW, "invoice-after-refresh"))).toEqual([
      "invoice-after-refresh -next-> readInvoice",
      "readInvoice -next-> completed",
      "readInvoice -retry-> list-open-orders [refresh: $statusCode == 404 / retry ≤ 1×, after running list-open-orders]",
      "list-open-orders -retry-> readInvoice [then readInvoice again]"
    ])
    const checked = await graphOf(CONTROL_FLOW, "checked-invoice")
    expect(checked.nodes.find((n) => n.stepId === "invoice")!.lines).toEqual([
      "runs workflow invoice-of",
      "✓ $outputs.total > 0"
    ])
    expect(edges(checked)).toEqual([
      "checked-invoice -next-> invoice",
      "invoice -next-> completed",
      "invoice -retry-> invoice [again / retry ≤ 1×]",
      "invoice -failure-> ended (onFailure end) [noInvoice]"
    ])
  })

  it("workflow-level failure actions: retries keep the list going, the first end without criteria closes it", async () => {
    const graph = await graphOf(FAILURE_ACTIONS, "order-status")
    expect(edges(graph).filter((e) => e.startsWith("getInvoice"))).toEqual([
      "getInvoice -next-> completed",
      "getInvoice -retry-> getInvoice [not_found: $statusCode == 404 / retry ≤ 2×, after 1 s / server_error: $statusCode >= 500 / retry ≤ 3×, after 2 s]",
      "getInvoice -failure-> ended (onFailure end) [default_failure]"
    ])
  })

  it("the img2img Mermaid diagram (the one in docs/graph.md), the same bytes every time", async () => {
    const graph = await graphOf(IMG2IMG, "blob-upload-img2img")
    const text = toMermaid(graph)
    expect(toMermaid(await graphOf(IMG2IMG, "blob-upload-img2img"))).toBe(text)
    await expect(text).toMatchFileSnapshot("__snapshots__/img2img.mmd")
  })
})

describe("renderings", () => {
  let all: Array<WorkflowGraph> = []
  beforeAll(async () => {
    for (const file of await findDocuments([path.join(root, "specs")])) {
      all = all.concat((await ir(file)).workflows.map(workflowGraph))
    }
  }, 60_000)

  it("every workflow in specs/ as DOT is laid out by Graphviz (WASM), with a node per graph node", async () => {
    const graphviz = await Graphviz.load()
    expect(all.length).toBeGreaterThan(20)
    for (const graph of all) {
      const svg = graphviz.dot(toDot(graph), "svg")
      for (const node of graph.nodes) expect(svg).toContain(`<title>${node.id}</title>`)
    }
  }, 60_000)

  it("every workflow as SVG: well-formed XML, one group per node and edge", () => {
    for (const graph of all) {
      const svg = parseXmlDocument(toSvg(graph))
      expect(svg.getElementsByTagName("g").filter((g) => g.getAttribute("data-node") !== null)).toHaveLength(
        graph.nodes.length
      )
      expect(svg.getElementsByTagName("g").filter((g) => g.getAttribute("data-edge") !== null)).toHaveLength(
        graph.edges.length
      )
    }
  })
})

describe("arazzo-effect graph and generate --graphs", () => {
  it("graph prints the diagram of one workflow, or of all as subgraphs; an unknown workflow is exit 2", async () => {
    const one = await runCli(["graph", IMG2IMG])
    expect(one.code).toBe(0)
    expect(one.stdout).toBe(toMermaid(await graphOf(IMG2IMG, "blob-upload-img2img")))

    const every = await runCli(["graph", CONTROL_FLOW])
    expect(every.code).toBe(0)
    const workflows = (await ir(CONTROL_FLOW)).workflows
    expect(every.stdout.match(/^ {2}subgraph /gm)).toHaveLength(workflows.length)

    const unknown = await runCli(["graph", CONTROL_FLOW, "--workflow", "nope"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("has no workflow `nope`; its workflows: find-invoice, order-or-fallback")
  }, 120_000)

  it(
    "generate --graphs writes <module>.md with a Mermaid block per workflow; --check then finds nothing stale",
    async () => {
      const out = await mkdtemp(path.join(tmpdir(), "arazzo-graphs-"))
      const generated = await runCli(["generate", CONTROL_FLOW, IMG2IMG, "--out", out, "--graphs"])
      expect(generated.code).toBe(0)
      const markdown = await readFile(path.join(out, "order-control-flow.md"), "utf8")
      expect(markdown).toMatch(/^<!-- Generated by arazzo-effect from /)
      expect(markdown.match(/^```mermaid$/gm)).toHaveLength((await ir(CONTROL_FLOW)).workflows.length)
      expect(markdown).toContain(toMermaid(await graphOf(CONTROL_FLOW, "find-invoice")).trimEnd())
      const check = await runCli(["generate", CONTROL_FLOW, IMG2IMG, "--out", out, "--graphs", "--check"])
      expect(check.code).toBe(0)
      const withoutGraphs = await runCli(["generate", CONTROL_FLOW, IMG2IMG, "--out", out, "--check"])
      expect(withoutGraphs.code).toBe(0) // the .md files are not generated TypeScript: never "removed"
    },
    180_000
  )
})
