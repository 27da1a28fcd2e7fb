/**
 * How the CLI ends: exit codes, and the two ways a command stops early. A command prints what
 * went wrong itself and then fails with one of these; `cli.ts` turns them into the exit code.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

export const ExitCode = {
  /** Clean: generated, up to date, no errors, or the workflow completed. */
  Ok: 0,
  /** Errors in documents, stale output, or the workflow failed. */
  Failed: 1,
  /** The command line is wrong, or `run` was given an invalid document or inputs. */
  Usage: 2,
  /** A bug in arazzo-effect (a defect), reported with its cause. */
  Internal: 70,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it. */
  Interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  Terminated: 143
} as const

/** The command line cannot be acted on; the message says why. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** The command ran and already reported its failure; the process exits with `code`. */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly code: number }> {}

/**
 * The exit code when the process is interrupted. The runtime's signal handler interrupts the main
 * fiber, and an interrupted fiber cannot report a value, so a command that treats Ctrl-C as its
 * normal end (`generate --watch`) says so here before it starts.
 */
let interruptedExitCode: number | undefined

export const exitOnInterruptWith = (code: number): Effect.Effect<void> =>
  Effect.sync(() => {
    interruptedExitCode = code
  })

/** The signal that interrupted the command, once one has (the runtime's handler does the interrupting). */
let stoppedBy: "SIGINT" | "SIGTERM" | undefined

/** Remembers which signal arrives first, so the exit code can say (130 for SIGINT, 143 for SIGTERM). */
export const recordSignals = (): void => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stoppedBy ??= signal
    })
  }
}

export const exitCodeOnInterrupt = (): number =>
  interruptedExitCode ?? (stoppedBy === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted)
