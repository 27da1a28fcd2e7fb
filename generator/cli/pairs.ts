/** `name=value` options (`--source`, `--server`, `--input`): split at the first `=` (./pair-split.ts). */
import * as Effect from "effect/Effect"
import { UsageError } from "./exit.js"
import { type Pair, type PairOption, pairRecord, splitPair } from "./pair-split.js"

export type { Pair, PairOption } from "./pair-split.js"

export const parsePair = (spec: PairOption) => (text: string): Effect.Effect<Pair, UsageError> => {
  const pair = splitPair(spec, text)
  return pair === undefined
    ? Effect.fail(new UsageError({ message: `--${spec.option} takes ${spec.shape}, not \`${text}\`` }))
    : Effect.succeed(pair)
}

/** Pairs as a record; a name given twice keeps its last value, as command lines usually do. */
export const parsePairs = (
  spec: PairOption,
  texts: ReadonlyArray<string>
): Effect.Effect<Record<string, string>, UsageError> => Effect.map(Effect.forEach(texts, parsePair(spec)), pairRecord)
