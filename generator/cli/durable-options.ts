/**
 * The options `run` takes for durable execution (`--durable`, `--store`, `--resume`), and the
 * choice between a durable and an ordinary run. Kept apart from run-command.ts so that `run`'s
 * own options stay as they are; durable-run.ts is loaded only for a durable run.
 */
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DEFAULT_STORE } from "./durable-store.js"
import { UsageError } from "./exit.js"
import type { RunOptions } from "./run-command.js"

export const durableOptions = {
  durable: Options.boolean("durable").pipe(
    Options.withDescription(
      "start a durable execution on the store and follow it (a `worker` on that store runs it); prints its id; " +
        "the same inputs find the same execution, so running the command again after a crash resumes following it"
    )
  ),
  store: Options.text("store").pipe(
    Options.withPseudoName("sqlite:<file>|postgres://…"),
    Options.withDescription(`with --durable: where executions are journaled; default ${DEFAULT_STORE}`),
    Options.optional
  ),
  resume: Options.text("resume").pipe(
    Options.withPseudoName("execution id"),
    Options.withDescription("with --durable: follow this execution instead of starting one (no inputs needed)"),
    Options.optional
  )
}

export interface DurableFlags {
  readonly durable: boolean
  readonly store: Option.Option<string>
  readonly resume: Option.Option<string>
}

/** A durable run when `--durable` (or `--resume`) is given, else `ordinary`. */
export const runDurableOrNot = <E, R>(
  options: RunOptions & DurableFlags,
  ordinary: Effect.Effect<void, E, R>
) => {
  const durable = options.durable || Option.isSome(options.resume)
  if (!durable) {
    return Option.isSome(options.store)
      ? Effect.fail(new UsageError({ message: "--store is for durable runs: add --durable" }))
      : ordinary
  }
  const unsupported = [
    options.record !== undefined && Option.isSome(options.record) ? "--record" : undefined,
    options.replay !== undefined && Option.isSome(options.replay) ? "--replay" : undefined,
    options.report !== undefined && options.report.length > 0 ? "--report" : undefined,
    options.server.length > 0 ? "--server (give it to the worker)" : undefined,
    // The worker sends the requests; a credential given here would never reach them.
    (options.credential ?? []).length > 0
      ? "--credential (the worker reads ARAZZO_CREDENTIAL_<SOURCE>_<SCHEME>)"
      : undefined
  ].filter((o) => o !== undefined)
  if (unsupported.length > 0) {
    return Effect.fail(new UsageError({ message: `--durable does not take ${unsupported.join(", ")}` }))
  }
  return Effect.flatMap(
    Effect.promise(() => import("./durable-run.js")),
    (m) =>
      m.runDurable({ ...options, store: Option.getOrElse(options.store, () => DEFAULT_STORE), resume: options.resume })
  )
}
