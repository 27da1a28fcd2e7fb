/**
 * Reading an `operationId` that matches no operation exactly: one that differs only in case
 * from exactly one operation is that operation (the largest class of slips in real documents);
 * otherwise the nearest name is suggested, never one whose HTTP method contradicts the verb the
 * document wrote (a missing `createOrder` is not `getOrder`).
 */
import type { ApiOperation } from "../load/openapi.js"

/** The operations whose operationId equals `wanted` ignoring case. */
export const caseInsensitiveMatches = <A extends { readonly operation: ApiOperation }>(
  wanted: string,
  candidates: ReadonlyArray<A>
): ReadonlyArray<A> => candidates.filter((c) => c.operation.operationId?.toLowerCase() === wanted.toLowerCase())

/** The methods a leading verb implies; undefined when the name starts with no such verb. */
const VERBS: ReadonlyArray<readonly [RegExp, ReadonlyArray<string>]> = [
  [/^(get|list|fetch|read|find|search|retrieve|query|show|describe|check)/i, ["GET", "HEAD", "POST"]],
  [/^(create|add|post|insert|new|submit|send|upload|register)/i, ["POST", "PUT"]],
  [/^(update|put|replace|set|modify|patch|edit)/i, ["PUT", "PATCH", "POST"]],
  [/^(delete|remove|destroy|cancel)/i, ["DELETE", "POST"]]
]

const methodsFor = (name: string): ReadonlyArray<string> | undefined => VERBS.find(([verb]) => verb.test(name))?.[1]

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** The nearest operationId to `wanted` among operations whose method fits its verb, if one is near. */
export const suggestOperation = (wanted: string, operations: ReadonlyArray<ApiOperation>): string | undefined => {
  const methods = methodsFor(wanted)
  let best: string | undefined
  let bestDistance = Math.max(3, Math.floor(wanted.length / 3)) + 1
  for (const operation of operations) {
    const candidate = operation.operationId
    if (candidate === undefined) continue
    if (methods !== undefined && !methods.includes(operation.method)) continue
    const d = distance(wanted.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return best
}
