/**
 * `run --durable`: starts a durable execution of a document's workflow on the store and follows
 * it until it is done; a `worker` on the same store runs it. The execution id is derived from the
 * inputs, so running the same command again (after this process, or the worker, died) finds the
 * same execution instead of starting a second one; `--resume <id>` follows an execution by id.
 *
 * Following reads the store: each step attempt the worker journals is printed as it completes
 * (`stepId attempt n  -> status`), and when this command joins an execution that had progressed
 * before it, the first step attempt that starts after it joined is printed as `resumed at step X`.
 * The outputs go to stdout as JSON, as `run` prints them, with the same exit codes. Ctrl-C stops
 * following only: the execution goes on in the worker (`status <id>` tells where it is).
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { performance } from "node:perf_hooks"
import type * as Durable from "../../runtime/durable/index.js"
import { type JournalEntry, journalOf, workflowOf } from "./durable-journal.js"
import { engineOn, parseStore, showStore, STORE_KEY_ENV } from "./durable-store.js"
import { chooseDurable, loadDocument } from "./durable-workflows.js"
import { CommandFailed, ExitCode, UsageError } from "./exit.js"
import { decodeInputs, gatherInputs } from "./inputs.js"
import type { RunOptions } from "./run-command.js"
import { describeResult, errorReport, isWorkflowError, learnIssued, printOutputs, runSecrets } from "./run-outcome.js"
import { endLines } from "./trace-printer.js"
import { stepOfActivity } from "./worker.js"

export interface DurableRunOptions {
  readonly store: string
  /** An execution id to follow instead of starting one. */
  readonly resume: Option.Option<string>
}

/** `stepId#visit.attempt` as a trace line: `stepId attempt n  -> 200`. */
const stepLine = (entry: JournalEntry): string => {
  const attempt = /\.(\d+)$/.exec(entry.activity)?.[1] ?? "?"
  const visit = /#(\d+)\./.exec(entry.activity)?.[1]
  const result = entry.status !== undefined ? `-> ${entry.status}` : `failed: ${entry.failure ?? "no response"}`
  return `${stepOfActivity(entry.activity)}${
    visit !== undefined && visit !== "1" ? ` (visit ${visit})` : ""
  } attempt ${attempt}  ${result}`
}

/** How long an execution may sit with nothing journaled before the hint to start a worker is printed. */
const NO_WORKER_HINT_MS = 10_000

export const runDurable = (options: RunOptions & DurableRunOptions) =>
  Effect.scoped(
    Effect.gen(function*() {
      const store = yield* parseStore(options.store)
      const { ir, exports: moduleExports, loaded } = yield* loadDocument(options.document, options)
      const { name, workflow } = yield* chooseDurable(ir, options.document, options.workflow)
      const { workflowId } = workflow
      const { Durable: durableModule, engine, sealed } = yield* engineOn(store, { client: true })
      const durable = durableModule.handle(name)
      const say = (line: string) => void process.stderr.write(`${line}\n`)
      const event = (fields: Record<string, unknown>) => void process.stderr.write(`${JSON.stringify(fields)}\n`)

      return yield* Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        let decoded: unknown = undefined
        let executionId: string
        if (Option.isSome(options.resume)) {
          executionId = options.resume.value
          const known = yield* workflowOf(sql, executionId)
          if (known === undefined) {
            return yield* new UsageError({
              message: `--resume ${executionId}: ${showStore(store)} has no such execution`
            })
          }
          if (known !== name) {
            return yield* new UsageError({
              message: `--resume ${executionId}: that execution is of ${known}, not of ${name}`
            })
          }
        } else {
          const exports = moduleExports.find((w) => w.workflowId === workflowId)
          const schema = exports === undefined ? undefined : loaded[exports.inputs]
          if (!Schema.isSchema(schema)) {
            return yield* Effect.dieMessage(
              `the module generated for ${ir.file} does not export workflow ${workflowId}`
            )
          }
          const given = yield* gatherInputs(workflowId, workflow.inputs, { pairs: options.input, file: options.inputs })
          decoded = yield* decodeInputs(workflowId, schema as Schema.Schema<unknown, unknown>, given)
          const secretInputs = workflow.inputs.filter((i) => i.secret && Object.hasOwn(given, i.name))
          if (!sealed && secretInputs.length > 0) {
            say(
              `warning: ${STORE_KEY_ENV} is not set, so the secret input${secretInputs.length > 1 ? "s" : ""} ${
                secretInputs.map((i) => i.name).join(", ")
              } and the responses are stored in the clear in ${
                showStore(store)
              } (docs/durable.md, "Secrets in the store")`
            )
          }
          executionId = yield* durable.start(decoded)
        }
        const secrets = runSecrets(workflow, decoded)
        const redact = (text: string) => secrets.text(text)

        const before = yield* journalOf(sql, executionId)
        const first = yield* durable.status(executionId)
        const joined = before.length > 0 || first._tag !== "Pending"
        if (options.traceJson) event({ event: "execution", executionId, workflow: name, joined, steps: before.length })
        else {
          say(
            `execution ${executionId} of ${name} on ${showStore(store)}` +
              (joined ? ` (started before: ${before.length} step attempts journaled)` : "")
          )
        }

        const started = performance.now()
        const printed = new Set(before.filter((e) => e.done).map((e) => e.id))
        const seen = new Set(before.map((e) => e.id))
        let resumedSaid = !joined
        let hinted = false
        const follow = Effect.gen(function*() {
          const journal = yield* journalOf(sql, executionId)
          for (const entry of journal) {
            if (!seen.has(entry.id)) {
              seen.add(entry.id)
              if (!resumedSaid) {
                resumedSaid = true
                if (options.traceJson) event({ event: "resumed", executionId, activity: entry.activity })
                else say(`resumed at step ${stepOfActivity(entry.activity)} (${entry.activity})`)
              }
            }
            if (entry.done && !printed.has(entry.id)) {
              printed.add(entry.id)
              if (options.traceJson) {
                event({ event: "step.end", activity: entry.activity, status: entry.status, failure: entry.failure })
              } else say(redact(stepLine(entry)))
            }
          }
          if (!hinted && journal.length === 0 && performance.now() - started > NO_WORKER_HINT_MS) {
            hinted = true
            say(
              `nothing journaled yet: is a worker running on this store? (arazzo-effect worker ${options.document} --store ${options.store})`
            )
          }
          return yield* durable.status(executionId)
        })
        const loop: Effect.Effect<Exit.Exit<unknown, unknown>, never, Durable.WorkflowEngine> = Effect.flatMap(
          follow,
          (status) =>
            status._tag === "Done"
              ? Effect.succeed(status.exit)
              : Effect.zipRight(Effect.sleep("200 millis"), Effect.suspend(() => loop))
        )
        const exit = yield* loop.pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() =>
              say(`stopped following; the execution goes on in the worker: arazzo-effect status ${executionId}`)
            )
          )
        )
        // One last read: the steps journaled between the previous look and the end.
        yield* follow
        const elapsed = performance.now() - started
        if (Exit.isFailure(exit)) {
          const failure = Cause.failureOption(exit.cause)
          if (Option.isNone(failure) || !isWorkflowError(failure.value)) {
            say(redact(`execution ${executionId} ended without a result: ${Cause.pretty(exit.cause)}`))
            return yield* new CommandFailed({ code: ExitCode.Failed })
          }
          const end = { _tag: "Failed", workflowId, error: errorReport(failure.value) } as const
          if (options.traceJson) event({ event: "workflow.end", executionId, ...end })
          else endLines(end, elapsed, options.printDepth).forEach((line) => say(redact(line)))
          return yield* new CommandFailed({ code: ExitCode.Failed })
        }
        learnIssued(secrets, workflow, exit.value)
        const result = yield* describeResult(workflowId, exit.value)
        if (options.traceJson) event({ event: "workflow.end", executionId, ...result.end })
        else endLines(result.end, elapsed, options.printDepth).forEach((line) => say(redact(line)))
        yield* printOutputs(result.outputs, workflow, secrets, options.printDepth)
        if (result.failed) return yield* new CommandFailed({ code: ExitCode.Failed })
      }).pipe(Effect.provide(engine))
    })
  )
