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
  /** `run` was interrupted (Ctrl-C or SIGTERM). */
  Interrupted: 130
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
let interruptedExitCode: number = ExitCode.Interrupted

export const exitOnInterruptWith = (code: number): Effect.Effect<void> =>
  Effect.sync(() => {
    interruptedExitCode = code
  })

export const exitCodeOnInterrupt = (): number => interruptedExitCode
