/** `name=value` texts split at the first `=`, without Effect (the `check` fast path reads them too). */

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

/** The pair `text` stands for; `undefined` when it has no name (or no value, unless allowed). */
export const splitPair = (spec: PairOption, text: string): Pair | undefined => {
  const at = text.indexOf("=")
  const name = at > 0 ? text.slice(0, at).trim() : ""
  const value = at > 0 ? text.slice(at + 1) : ""
  return name === "" || (value === "" && spec.allowEmpty !== true) ? undefined : { name, value }
}

/** Pairs as a record; a name given twice keeps its last value, as command lines usually do. */
export const pairRecord = (pairs: ReadonlyArray<Pair>): Record<string, string> => {
  const record: Record<string, string> = {}
  for (const { name, value } of pairs) record[name] = value
  return record
}
