/**
 * The `arazzo-effect` command: `generate`, `check` and `run` (see generator/cli/ and docs/cli.md).
 * Diagnostics print as `file:line:col: severity CODE message`. Exit codes: 0 clean, 1 errors,
 * stale output or a failed workflow, 2 usage errors, 70 internal errors, 130 interrupted (SIGINT),
 * 143 terminated (SIGTERM). The compiler runs in a worker thread (cli/compiler.ts), so a signal
 * is answered within moments even while a large document is being compiled.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { cli } from "./app.js"
import { ExitCode, exitCodeOnInterrupt, recordSignals } from "./exit.js"
import { withPlainConsole } from "./plain-console.js"

/** The exit code of the command line, every failure reported first. */
const main: Effect.Effect<number> = Effect.suspend(() => cli(process.argv)).pipe(
  Effect.as(ExitCode.Ok as number),
  Effect.catchTags({
    UsageError: (error) => Console.error(`arazzo-effect: ${error.message}`).pipe(Effect.as(ExitCode.Usage)),
    CommandFailed: (error) => Effect.succeed(error.code)
  }),
  // @effect/cli has already printed what is wrong with the command line.
  Effect.catchIf(ValidationError.isValidationError, () => Effect.succeed(ExitCode.Usage)),
  Effect.catchAllCause((cause) =>
    Console.error(`arazzo-effect: internal error (please report it):\n${Cause.pretty(cause)}`).pipe(
      Effect.as(ExitCode.Internal)
    )
  ),
  withPlainConsole,
  // Built-ins (--completions, --log-level, --wizard) still work; listing them in every help is noise.
  Effect.provide([NodeContext.layer, CliConfig.layer({ showBuiltIns: false })])
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(typeof exit.value === "number" ? exit.value : ExitCode.Internal)
    onExit(Cause.isInterruptedOnly(exit.cause) ? exitCodeOnInterrupt() : ExitCode.Internal)
  }
})
// After runMain has installed its handlers: a signal before then ends the process the default way.
recordSignals()
