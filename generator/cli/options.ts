/** Arguments and options shared by several commands. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import { UsageError } from "./exit.js"
import { parsePairs } from "./pairs.js"

/** What `generate` (and each regeneration of `--watch`) works from. */
export interface GenerateOptions {
  readonly documents: ReadonlyArray<string>
  readonly out: string
  readonly source: ReadonlyArray<string>
}

/** One or more Arazzo documents or directories to search for them. */
export const documentsArg = Args.path({ name: "files or dirs", exists: "yes" }).pipe(
  Args.withDescription("Arazzo documents, or directories searched for files that declare `arazzo:`"),
  Args.atLeast(1)
)

export const sourceOption = Options.text("source").pipe(
  Options.withPseudoName("name=file"),
  Options.withDescription("use a local file for the source description `name` (repeatable)"),
  Options.repeated
)

/** `--source name=file` values as the generator's `sources` option. */
export const sourcesFrom = (texts: ReadonlyArray<string>) => parsePairs({ option: "source", shape: "name=file" }, texts)

/** The documents named on the command line, directories searched. */
export const documentsFrom = (inputs: ReadonlyArray<string>): Effect.Effect<Array<string>, UsageError> =>
  Effect.tryPromise({
    try: () => import("../index.js").then(({ findDocuments }) => findDocuments(inputs)),
    catch: (cause) => new UsageError({ message: cause instanceof Error ? cause.message : String(cause) })
  })
