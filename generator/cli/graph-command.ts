/**
 * `graph <document> [--workflow id] [--format mermaid|dot] [--source name=file]...`: a
 * document's workflows as a diagram on stdout, drawn from the IR (what the generated code does).
 * Without `--workflow`, every workflow of the document, one subgraph each.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import { formatDiagnostic, hasErrors } from "../diagnostics.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { examples } from "./help.js"
import { sourceOption, sourcesFrom } from "./options.js"

const document = Args.file({ name: "document", exists: "yes" }).pipe(Args.withDescription("the Arazzo document"))
const workflow = Options.text("workflow").pipe(
  Options.withPseudoName("id"),
  Options.withDescription("draw only this workflow (default: every workflow of the document)"),
  Options.optional
)
const format = Options.choice("format", ["mermaid", "dot"]).pipe(
  Options.withDescription("mermaid (renders on GitHub and GitLab) or dot (Graphviz)"),
  Options.withDefault("mermaid" as const)
)

export const graphCommand = Command.make(
  "graph",
  { document, workflow, format, source: sourceOption },
  (options) =>
    Effect.gen(function*() {
      const sources = yield* sourcesFrom(options.source)
      // Loaded on use, so that `--help` and `--version` start without the compiler.
      const { analyzeDocument } = yield* Effect.promise(() => import("../check.js"))
      const graph = yield* Effect.promise(() => import("../graph/index.js"))
      const analysis = yield* Effect.promise(() => analyzeDocument(path.resolve(options.document), { sources }))
      const ir = analysis.document
      if (ir === undefined || hasErrors(analysis.diagnostics)) {
        for (const d of analysis.diagnostics.filter((d) => d.severity === "error")) {
          yield* Console.error(formatDiagnostic(d))
        }
        yield* Console.error(`${options.document} cannot be drawn: it has errors`)
        return yield* new CommandFailed({ code: ExitCode.Failed })
      }
      const wanted = Option.getOrUndefined(options.workflow)
      const chosen = wanted === undefined ? ir.workflows : ir.workflows.filter((w) => w.workflowId === wanted)
      if (chosen.length === 0) {
        const ids = ir.workflows.map((w) => w.workflowId).join(", ")
        return yield* new UsageError({
          message: wanted === undefined
            ? `${options.document} has no workflows`
            : `${options.document} has no workflow \`${wanted}\`; its workflows: ${ids}`
        })
      }
      const graphs = chosen.map(graph.workflowGraph)
      const single = graphs.length === 1 ? graphs[0]! : undefined
      const text = options.format === "dot"
        ? single !== undefined ? graph.toDot(single) : graph.toDotDocument(ir.title ?? ir.file, graphs)
        : single !== undefined
        ? graph.toMermaid(single)
        : graph.toMermaidDocument(graphs)
      yield* Effect.sync(() => process.stdout.write(text))
    })
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Draws a document's workflows from what the compiler decided: steps with their requests and success criteria, " +
      "success actions and polls (self-loops, with the poll schedule), failure actions (dashed: gotos, retries with their limits, ends), " +
      "gotos to other workflows and dependsOn. The diagram goes to stdout; the output is the same for the same document."
  ),
  examples([
    [
      "arazzo-effect graph specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml",
      "a Mermaid flowchart, to paste into Markdown as ```mermaid"
    ],
    ["arazzo-effect graph flow.arazzo.yaml --workflow checkout --format dot | dot -Tsvg > checkout.svg", "Graphviz"]
  ])
])))
