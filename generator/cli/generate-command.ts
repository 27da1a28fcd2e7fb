/**
 * `generate <files|dirs> --out <dir> [--check] [--watch] [--source name=file]...`: one module
 * per document plus a barrel. `--check` writes nothing and lists what is stale; `--watch`
 * regenerates whenever a document or an OpenAPI file it references changes.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { formatForTerminal, hasErrors } from "../diagnostics.js"
import { removeObsolete, writeFiles } from "../output.js"
import { inWorker } from "./compiler.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { examples } from "./help.js"
import {
  allowRootOption,
  documentsArg,
  effectLineFrom,
  effectOption,
  type GenerateOptions,
  limitOption,
  readOptionsFrom,
  sourceOption,
  sourcesFrom
} from "./options.js"
import { compareWith, formatStaleness, isStale } from "./stale.js"
import { watch } from "./watch.js"

const out = Options.text("out").pipe(
  Options.withPseudoName("dir"),
  Options.withDescription("where the modules and index.ts are written (created when missing)")
)
const check = Options.boolean("check").pipe(
  Options.withDescription("write nothing; list the files that would change, be added or be removed, and exit 1 if any")
)
const watchOption = Options.boolean("watch").pipe(
  Options.withDescription(
    "keep running: regenerate when a document or an OpenAPI file it references changes (Ctrl-C stops)"
  )
)

const graphsOption = Options.boolean("graphs").pipe(
  Options.withDescription(
    "also write <module>.md beside each module: a Mermaid diagram of each workflow (renders on GitHub)"
  )
)

/** Each module's workflow diagrams as `<module>.md` beside it (documents and modules come in the same order). */
const withGraphs = async (
  result: Awaited<ReturnType<typeof import("../index.js").generate>>,
  outDir: string
) => {
  const { graphsMarkdown } = await import("../graph/markdown.js")
  const modules = result.files.filter((f) => f.name !== "index.ts")
  const graphs = result.documents.flatMap((document, i) => {
    const module = modules[i]
    if (module === undefined) return []
    const from = path.relative(outDir, path.resolve(document.file)).split(path.sep).join("/")
    return [{ name: module.name.replace(/\.ts$/, ".md"), text: graphsMarkdown(document, module.name, from) }]
  })
  return { ...result, files: [...result.files, ...graphs] }
}

const elapsedSince = (started: number) => `${Math.round(performance.now() - started)} ms`

const printDiagnostics = (diagnostics: Parameters<typeof formatForTerminal>[0]) =>
  Effect.forEach(formatForTerminal(diagnostics), (line) => Console.error(line), { discard: true })

const generateOnce = (options: GenerateOptions, checkOnly: boolean, graphs = false) =>
  Effect.gen(function*() {
    const started = performance.now()
    const sources = yield* sourcesFrom(options.source)
    const read = yield* readOptionsFrom(options)
    const effect = effectLineFrom(options)
    if (!effect.detected) yield* Console.error(`arazzo-effect: generating for Effect 3: ${effect.reason}`)
    // In the compiler worker, so that a signal is answered while a large document is compiled.
    const generated = yield* inWorker("generate", options.documents, {
      outDir: options.out,
      sources,
      effect: effect.line,
      ...read
    })
    if ("_tag" in generated) return yield* new UsageError({ message: generated.message })
    const outDir = path.resolve(options.out)
    const { files } = generated
    const result = graphs ? yield* Effect.promise(() => withGraphs(generated.result, outDir)) : generated.result
    yield* printDiagnostics(result.diagnostics)
    const withErrors = hasErrors(result.diagnostics)
    if (checkOnly) {
      const staleness = yield* compareWith(outDir, result.files, result.obsolete)
      if (isStale(staleness)) {
        for (const line of formatStaleness(options.out, staleness)) yield* Console.log(line)
        return yield* new CommandFailed({ code: ExitCode.Failed })
      }
      yield* Console.log(
        `${options.out} is up to date (${result.documents.length} documents, Effect ${effect.line}, ${
          elapsedSince(started)
        })`
      )
    } else {
      const written = yield* Effect.promise(() => writeFiles(outDir, result.files))
      // Modules whose document is gone would otherwise linger (and `--check` would report them).
      yield* Effect.promise(() => removeObsolete(outDir, result.obsolete))
      const changed = [...written, ...result.obsolete.map((name) => `${name} (removed)`)]
      // Documents named by arazzo source descriptions are generated too; they are counted apart.
      const given = new Set(files.map((f) => path.resolve(f)))
      const fromGiven = result.documents.filter((d) => given.has(path.resolve(d.file))).length
      const imported = result.documents.length - fromGiven
      const failed = files.length - fromGiven
      yield* Console.log(
        `generated ${fromGiven} of ${files.length} documents${
          imported > 0 ? ` (and ${imported} they run workflows of)` : ""
        } into ${options.out} for Effect ${effect.line} in ${elapsedSince(started)}` +
          `${changed.length > 0 ? `; changed: ${changed.join(", ")}` : "; nothing changed"}` +
          `${failed > 0 ? `; ${failed} with errors` : ""}`
      )
    }
    if (withErrors) return yield* new CommandFailed({ code: ExitCode.Failed })
  })

export const generateCommand = Command.make(
  "generate",
  {
    documents: documentsArg,
    out,
    effect: effectOption,
    check,
    watch: watchOption,
    source: sourceOption,
    allowRoot: allowRootOption,
    limit: limitOption,
    graphs: graphsOption
  },
  (options) => {
    if (options.watch && options.check) {
      return Effect.fail(new UsageError({ message: "--watch and --check cannot be combined" }))
    }
    if (options.watch && options.graphs) {
      return Effect.fail(new UsageError({ message: "--graphs cannot be combined with --watch yet" }))
    }
    return options.watch ? watch(options) : generateOnce(options, options.check, options.graphs)
  }
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Compiles Arazzo 1.0.x and 1.1.x documents into typed Effect programs: one TypeScript module per document and an index.ts. " +
      "A document with errors produces no module; its diagnostics print as `file:line:col: severity CODE message` and the exit code is 1."
  ),
  examples([
    ["arazzo-effect generate specs --out generated", "every document under specs/ into generated/"],
    [
      "arazzo-effect generate api.arazzo.yaml --out src/generated --source petStore=./openapi.yaml",
      "with a local copy of a source description"
    ],
    [
      "arazzo-effect generate specs --out generated --check",
      "in CI: exit 1 and list the files when generated/ is stale"
    ],
    ["arazzo-effect generate specs --out generated --watch", "regenerate on every change until Ctrl-C"],
    [
      "arazzo-effect generate specs --out src/generated --effect 4",
      "for an app on Effect 4 (default: the effect it has)"
    ]
  ])
])))
