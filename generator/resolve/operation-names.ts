/**
 * Reading an `operationId` that matches no operation exactly: one that differs only in case
 * from exactly one operation is that operation (the largest class of slips in real documents);
 * otherwise the nearest name is suggested, never one whose HTTP method contradicts the verb the
 * document wrote (a missing `createOrder` is not `getOrder`).
 */
import type { ApiOperation } from "../load/openapi.js"
import { closest } from "../suggest.js"

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

/** The nearest operationId to `wanted` among operations whose method fits its verb, if one is near. */
export const suggestOperation = (wanted: string, operations: ReadonlyArray<ApiOperation>): string | undefined => {
  const methods = methodsFor(wanted)
  const fitting = operations.flatMap((operation) =>
    operation.operationId !== undefined && (methods === undefined || methods.includes(operation.method))
      ? [operation.operationId]
      : []
  )
  return closest(wanted, fitting, Math.max(3, Math.floor(wanted.length / 3)))
}
