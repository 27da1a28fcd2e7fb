/** What `arazzo-effect status` does (the command is in status-command.ts). Loaded only when it runs. */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { journalOf, workflowOf } from "./durable-journal.js"
import { engineOn, parseStore, showStore } from "./durable-store.js"
import { CommandFailed, ExitCode } from "./exit.js"
import { errorReport, isWorkflowError, outputsJson } from "./run-outcome.js"
import type { StatusOptions } from "./status-command.js"

/** A finished execution's exit as JSON fields: `result` (the outputs, how it ended) or `error`. */
export const exitFields = (exit: Exit.Exit<unknown, unknown>): Record<string, unknown> => {
  if (Exit.isSuccess(exit)) {
    const result = exit.value as { readonly _tag: string; readonly outputs?: unknown; readonly stepId?: string }
    return {
      result: {
        end: result._tag,
        ...(result.stepId !== undefined ? { stepId: result.stepId } : {}),
        outputs: JSON.parse(outputsJson(result.outputs ?? {}))
      }
    }
  }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure) && isWorkflowError(failure.value)) {
    const report = errorReport(failure.value)
    return {
      error: {
        tag: report.tag,
        message: report.message,
        ...(report.status !== undefined ? { status: report.status } : {})
      }
    }
  }
  return {
    error: { tag: Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect", message: Cause.pretty(exit.cause) }
  }
}

export const showStatus = (options: StatusOptions) =>
  Effect.gen(function*() {
    const store = yield* parseStore(options.store)
    const { Durable, engine } = yield* engineOn(store, { client: true })
    const { executionId } = options
    return yield* Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const name = yield* workflowOf(sql, executionId)
      if (name === undefined) {
        yield* Console.error(`arazzo-effect: ${showStore(store)} has no execution ${executionId}`)
        return yield* new CommandFailed({ code: ExitCode.Usage })
      }
      const status = yield* Durable.handle(name).status(executionId)
      const steps = yield* journalOf(sql, executionId)
      const last = steps.at(-1)
      const fields = status._tag === "Done" ? exitFields(status.exit) : {}
      yield* Console.log(JSON.stringify(
        { executionId, workflow: name, status: status._tag, steps: steps.length, ...fields },
        null,
        2
      ))
      const how = "result" in fields
        ? `, ${(fields["result"] as { end: string }).end}`
        : "error" in fields
        ? `, failed: ${(fields["error"] as { tag: string; message: string }).tag}`
        : last === undefined
        ? ""
        : `, at step ${last.activity}`
      process.stderr.write(`${executionId} (${name}): ${status._tag}${how}; ${steps.length} step attempts journaled\n`)
      if ("error" in fields) return yield* new CommandFailed({ code: ExitCode.Failed })
    }).pipe(Effect.provide(engine))
  })
