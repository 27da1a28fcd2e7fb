/**
 * `worker <modules|docs>... [--store sqlite:<file>|postgres://…] [--server source=url]...
 *  [--runner host:port]`: hosts the durable workflows of the given documents or generated modules
 * until SIGINT/SIGTERM (see worker.ts and docs/durable.md).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { storeOption } from "./durable-store.js"
import { examples } from "./help.js"
import { allowRootOption, limitOption, serverOption, sourceOption } from "./options.js"

const files = Args.file({ name: "modules or documents", exists: "yes" }).pipe(
  Args.withDescription("Arazzo documents, or modules `arazzo-effect generate` wrote (.ts)"),
  Args.atLeast(1)
)
const server = serverOption
const runner = Options.text("runner").pipe(
  Options.withPseudoName("host:port"),
  Options.withDescription(
    "join the other workers on the same PostgreSQL store: listen for them on this address (what they connect to, so not 0.0.0.0); shards fail over after 5 s"
  ),
  Options.optional
)
const pollEvery = Options.text("poll-every").pipe(
  Options.withPseudoName("duration"),
  Options.withDescription(
    "poll steps wait this long between attempts (e.g. `2 seconds`, for at most 5 minutes); default: the runtime's back-off from 500 ms to 10 s"
  ),
  Options.optional
)

export interface WorkerOptions {
  readonly files: ReadonlyArray<string>
  readonly store: string
  readonly server: ReadonlyArray<string>
  readonly runner: Option.Option<string>
  readonly pollEvery: Option.Option<string>
  readonly source: ReadonlyArray<string>
  readonly allowRoot: ReadonlyArray<string>
  readonly limit: ReadonlyArray<string>
}

export const workerCommand = Command.make(
  "worker",
  {
    files,
    store: storeOption,
    server,
    runner,
    pollEvery,
    source: sourceOption,
    allowRoot: allowRootOption,
    limit: limitOption
  },
  (options) => Effect.flatMap(Effect.promise(() => import("./worker.js")), (m) => m.runWorker(options))
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Runs the durable executions of the workflows in the given Arazzo documents or generated modules, and resumes " +
      "those a stopped or killed worker left unfinished, until SIGINT or SIGTERM (exit 0). Executions are started by " +
      "`run --durable` (or an app using arazzo-effect/durable) on the same store. A SQLite store serves one worker; " +
      "on PostgreSQL several workers with --runner share the executions. Needs the engine packages: see docs/durable.md."
  ),
  examples([
    [
      "arazzo-effect worker specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml",
      "one worker on the default store, .arazzo/durable.sqlite"
    ],
    [
      "arazzo-effect worker generated/*.ts --store postgres://app@db/arazzo --runner 10.0.0.5:34431",
      "one of several workers on PostgreSQL"
    ]
  ])
])))
