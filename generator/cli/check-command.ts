/**
 * `check <files|dirs> [--format text|json] [--source name=file]... [--allow-root dir]...
 * [--limit name=n]...`: what is wrong with
 * documents, one finding per line (`file:line:col: severity CODE message`) or as JSON.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { formatDiagnostic, hasErrors } from "../diagnostics.js"
import { inWorker } from "./compiler.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { examples } from "./help.js"
import { allowRootOption, documentsArg, limitOption, readOptionsFrom, sourceOption, sourcesFrom } from "./options.js"

const format = Options.choice("format", ["text", "json"]).pipe(
  Options.withDescription("how findings are printed"),
  Options.withDefault("text" as const)
)

/** What `check` takes (./check-fast.ts reads its plain forms the same way). */
export const checkConfig = {
  documents: documentsArg,
  format,
  source: sourceOption,
  allowRoot: allowRootOption,
  limit: limitOption
}

export const checkCommand = Command.make(
  "check",
  checkConfig,
  (options) =>
    Effect.gen(function*() {
      const sources = yield* sourcesFrom(options.source)
      const read = yield* readOptionsFrom(options)
      // In the compiler worker, so that a signal is answered while a large document is checked.
      const checked = yield* inWorker("check", options.documents, { sources, ...read })
      if ("_tag" in checked) return yield* new UsageError({ message: checked.message })
      const { files, diagnostics } = checked
      const errors = diagnostics.filter((d) => d.severity === "error").length
      const warnings = diagnostics.length - errors
      if (options.format === "json") {
        yield* Console.log(JSON.stringify({ files: files.length, errors, warnings, diagnostics }, null, 2))
      } else {
        for (const d of diagnostics) yield* Console.log(formatDiagnostic(d))
        yield* Console.log(`checked ${files.length} document(s): ${errors} error(s), ${warnings} warning(s)`)
      }
      if (hasErrors(diagnostics)) return yield* new CommandFailed({ code: ExitCode.Failed })
    })
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Reports what is wrong with Arazzo documents: their structure (the Arazzo 1.0 JSON Schema) and their meaning " +
      "(ids, references, operations, expressions, flow). Findings print as `file:line:col: severity CODE message`. " +
      "Exit 0 when there are no errors (warnings allowed), 1 when there are errors."
  ),
  examples([
    ["arazzo-effect check specs", "every document under specs/"],
    [
      "arazzo-effect check flow.arazzo.yaml --source petStore=./openapi.yaml",
      "with a local copy of a source description"
    ],
    ["arazzo-effect check specs --format json", "findings as one JSON report"]
  ])
])))
