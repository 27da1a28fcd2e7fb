/** The command tree: `arazzo-effect generate | check | run | graph | worker | status | upgrade`, with help, examples and exit codes. */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import { checkCommand } from "./check-command.js"
import { UsageError } from "./exit.js"
import { generateCommand } from "./generate-command.js"
import { graphCommand } from "./graph-command.js"
import { examples, exitCodes } from "./help.js"
import { version } from "./package-info.js"
import { runCommand } from "./run-command.js"
import { statusCommand } from "./status-command.js"
import { upgradeCommand } from "./upgrade-command.js"
import { workerCommand } from "./worker-command.js"

const root = Command.make(
  "arazzo-effect",
  {},
  () =>
    Effect.fail(
      new UsageError({
        message: "no command given: use generate, check, run, graph, worker, status or upgrade (see --help)"
      })
    )
).pipe(
  Command.withDescription(HelpDoc.blocks([
    HelpDoc.p(
      "Compiles Arazzo 1.0.x and 1.1.x workflow documents into typed Effect programs, checks them, and runs their workflows."
    ),
    examples([
      ["arazzo-effect generate specs --out generated", "compile every document under specs/"],
      ["arazzo-effect generate specs --out generated --check", "exit 1 and list what is stale (for CI)"],
      ["arazzo-effect check specs --format json", "findings only, as JSON"],
      ["arazzo-effect run flow.arazzo.yaml --input petId=42 --server petStore=http://localhost:8080", "run a workflow"],
      ["arazzo-effect graph flow.arazzo.yaml --workflow checkout", "the workflow as a Mermaid diagram"],
      ["arazzo-effect worker flow.arazzo.yaml", "run durable executions (started by `run --durable`) until Ctrl-C"],
      ["arazzo-effect status <execution id>", "where a durable execution stands"],
      ["arazzo-effect upgrade specs --check", "what moving the documents to Arazzo 1.1 would change"],
      ["arazzo-effect run --help", "help for one command"]
    ])
  ])),
  Command.withSubcommands([
    generateCommand,
    checkCommand,
    runCommand,
    graphCommand,
    workerCommand,
    statusCommand,
    upgradeCommand
  ])
)

/** Parses `process.argv` (node and script first) and runs the chosen command. */
export const cli = Command.run(root, {
  name: "arazzo-effect",
  version: version(),
  footer: exitCodes
})
