/**
 * `status <execution id> [--store …]`: where a durable execution stands, read from the store
 * without running anything: Pending (a step is running, or it waits for a worker), Suspended (on
 * a durable wait), or Done with its result or its typed error. Stdout has it as one JSON object
 * (`status`, `workflow`, `steps`, and `result` or `error`); stderr a line for people.
 * Exit 0 when found (1 when Done with a failure), 2 when the store has no such execution.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Effect from "effect/Effect"
import { storeOption } from "./durable-store.js"
import { examples } from "./help.js"

const executionId = Args.text({ name: "execution id" }).pipe(
  Args.withDescription("what `run --durable` printed as `execution <id>`")
)

export interface StatusOptions {
  readonly executionId: string
  readonly store: string
}

export const statusCommand = Command.make(
  "status",
  { executionId, store: storeOption },
  (options) => Effect.flatMap(Effect.promise(() => import("./durable-status.js")), (m) => m.showStatus(options))
).pipe(Command.withDescription(HelpDoc.blocks([
  HelpDoc.p(
    "Reads where a durable execution stands from the store: Pending (a step is running, or no worker has taken it yet), " +
      "Suspended (on a durable wait) or Done, with the workflow's outputs or its typed error. Prints one JSON object on " +
      "stdout and a line on stderr. Exit 0 when the store has the execution (1 when it is Done with a failure), 2 when not."
  ),
  examples([
    ["arazzo-effect status 3f1c…", "on the default store, .arazzo/durable.sqlite"],
    [
      "arazzo-effect status 3f1c… --store postgres://app@db/arazzo | jq .result.outputs",
      "the outputs of a finished run"
    ]
  ])
])))
