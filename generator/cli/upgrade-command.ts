/**
 * `upgrade <files|dirs> [--check] [--source name=file]...`: rewrites Arazzo 1.0 documents as 1.1
 * in place (./upgrade.ts), keeping comments and layout, and turns the shorthands the checker reads
 * with a warning into their spec form. `--check` writes nothing, lists what would change and
 * exits 1 if anything would (for CI).
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { readFile, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { formatDiagnostic, hasErrors } from "../diagnostics.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { examples } from "./help.js"
import { allowRootOption, documentsArg, documentsFrom, readOptionsFrom, sourceOption, sourcesFrom } from "./options.js"

const check = Options.boolean("check").pipe(
  Options.withDescription("write nothing; list what would change and exit 1 if anything would")
)

/** A change as one line: `file:line:col: CODE from → to`. */
const changeLine = (file: string, c: { line: number; column: number; code: string; from: string; to: string }) =>
  `${file}:${c.line}:${c.column}: ${c.code} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`

export const upgradeCommand = Command.make(
  "upgrade",
  { documents: documentsArg, check, source: sourceOption, allowRoot: allowRootOption },
  (options) =>
    Effect.gen(function*() {
      const sources = yield* sourcesFrom(options.source)
      const read = yield* readOptionsFrom({ ...options, limit: [] })
      const files = yield* documentsFrom(options.documents)
      if (files.length === 0) return yield* new UsageError({ message: "no Arazzo documents found" })
      const { upgradeText } = yield* Effect.promise(() => import("./upgrade.js"))
      const cwd = process.cwd()
      let pending = 0
      let failed = false
      for (const file of files) {
        const shown = path.relative(cwd, file) || file
        const text = yield* Effect.promise(() => readFile(file, "utf8"))
        const upgraded = yield* Effect.promise(() => upgradeText(file, text, { sources, ...read, cwd }))
        if (upgraded.refused !== undefined) {
          yield* Console.error(`${shown}: left alone: ${upgraded.refused}`)
          failed = true
          continue
        }
        for (const c of upgraded.changes) yield* Console.log(changeLine(shown, c))
        for (const d of upgraded.skipped) yield* Console.log(`${formatDiagnostic(d)} (not rewritten: fix it by hand)`)
        pending += upgraded.changes.length
        if (!options.check && upgraded.text !== text) yield* Effect.promise(() => writeFile(file, upgraded.text))
        const errors = upgraded.diagnostics.filter((d) => d.severity === "error")
        for (const d of errors) yield* Console.log(formatDiagnostic(d))
        if (hasErrors(errors)) failed = true
      }
      yield* Console.log(
        options.check
          ? `${files.length} document(s): ${pending} change(s) to make`
          : `upgraded ${files.length} document(s): ${pending} change(s)`
      )
      if (failed || (options.check && pending > 0)) return yield* new CommandFailed({ code: ExitCode.Failed })
    })
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Rewrites Arazzo 1.0 documents as 1.1 in place: `arazzo: 1.1.0`, and each shorthand the checker reads with " +
      "a warning written in its spec form, at the place the warning names. Comments, layout and a JSON file's " +
      "indentation are kept; a 1.1 document only gets its shorthands fixed, so upgrading twice changes nothing. " +
      "Each change prints as `file:line:col: CODE \"from\" → \"to\"`, then the errors the upgraded document still has. " +
      "Exit 0 when done and the documents have no errors; 1 when errors remain, or with --check when anything would change."
  ),
  examples([
    ["arazzo-effect upgrade specs", "every document under specs/, rewritten in place"],
    ["arazzo-effect upgrade flow.arazzo.yaml --check", "list what would change; exit 1 if anything would (for CI)"]
  ])
])))
