/**
 * A `Console` that drops ANSI colour codes from what it prints when the stream is not a terminal
 * (or `NO_COLOR` is set). @effect/cli styles help and errors with colours unconditionally; piped
 * into a file or a test, they would only be noise.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { stripAnsi, wantsColour } from "./ansi.js"

export { stripAnsi, wantsColour } from "./ansi.js"

const plain = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? stripAnsi(a) : a))

const wrap = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => (wantsColour(process.stdout) ? console.log(...args) : console.log(...plain(args))),
  info: (...args) => (wantsColour(process.stdout) ? console.info(...args) : console.info(...plain(args))),
  error: (...args) => (wantsColour(process.stderr) ? console.error(...args) : console.error(...plain(args))),
  warn: (...args) => (wantsColour(process.stderr) ? console.warn(...args) : console.warn(...plain(args)))
})

/** Runs an effect with the plain console in place of the current one. */
export const withPlainConsole = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) => Console.withConsole(self, wrap(console)))
