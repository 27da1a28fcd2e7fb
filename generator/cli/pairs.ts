/** `name=value` options (`--source`, `--server`, `--input`): split at the first `=`. */
import * as Effect from "effect/Effect"
import { UsageError } from "./exit.js"

export interface Pair {
  readonly name: string
  readonly value: string
}

export interface PairOption {
  /** The option's name without dashes. */
  readonly option: string
  /** How its value reads in messages, e.g. `name=file`. */
  readonly shape: string
  /** Whether `name=` (an empty value) is meaningful, as for an input. */
  readonly allowEmpty?: boolean
}

export const parsePair = (spec: PairOption) => (text: string): Effect.Effect<Pair, UsageError> => {
  const at = text.indexOf("=")
  const name = at > 0 ? text.slice(0, at).trim() : ""
  const value = at > 0 ? text.slice(at + 1) : ""
  if (name === "" || (value === "" && spec.allowEmpty !== true)) {
    return Effect.fail(new UsageError({ message: `--${spec.option} takes ${spec.shape}, not \`${text}\`` }))
  }
  return Effect.succeed({ name, value })
}

/** Pairs as a record; a name given twice keeps its last value, as command lines usually do. */
export const parsePairs = (
  spec: PairOption,
  texts: ReadonlyArray<string>
): Effect.Effect<Record<string, string>, UsageError> =>
  Effect.map(Effect.forEach(texts, parsePair(spec)), (pairs) => {
    const record: Record<string, string> = {}
    for (const { name, value } of pairs) record[name] = value
    return record
  })
