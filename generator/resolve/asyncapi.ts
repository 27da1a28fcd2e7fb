/**
 * AsyncAPI steps (Arazzo 1.1): validated structurally by the 1.1 schema, not compiled yet
 * (issue #17). A step is one when it has a member only AsyncAPI steps have, or when what it
 * calls is named through an `asyncapi` source; meaning checks leave such steps to that issue.
 */
import type { LoadedSource } from "../load/document.js"

/** The members only an AsyncAPI step has. */
export const ASYNCAPI_STEP_MEMBERS = ["channelPath", "action", "correlationId"] as const

export const isAsyncApiStep = (raw: Record<string, unknown>, sources: ReadonlyArray<LoadedSource>): boolean => {
  if (ASYNCAPI_STEP_MEMBERS.some((m) => m in raw)) return true
  const id = raw["operationId"]
  if (typeof id !== "string") return false
  const named = /^\$sourceDescriptions\.([^.]+)\./.exec(id)?.[1]
  if (named !== undefined) return sources.some((s) => s.name === named && s.type === "asyncapi")
  // A bare operationId: AsyncAPI only when every source it could come from is an AsyncAPI one.
  const apis = sources.filter((s) => s.type !== "arazzo")
  return apis.length > 0 && apis.every((s) => s.type === "asyncapi")
}

export const asyncApiUnsupported =
  "AsyncAPI steps are validated but not compiled yet (issue #17); this step cannot be generated"
