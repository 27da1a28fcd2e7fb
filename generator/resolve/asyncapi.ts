/**
 * Which steps are AsyncAPI steps (Arazzo 1.1): those that name a channel, or an operation of an
 * `asyncapi` source description. When the document does not say which source (a bare
 * `operationId` with several kinds of sources, none of which has it loaded), the members only
 * AsyncAPI steps have decide.
 */
import type { LoadedSource } from "../load/document.js"

/** The members only an AsyncAPI step has. */
export const ASYNCAPI_STEP_MEMBERS = ["channelPath", "action", "correlationId"] as const

/** The source a step's `operationId` / `operationPath` names, when it names one. */
const namedSource = (raw: Record<string, unknown>): string | undefined => {
  const id = raw["operationId"]
  if (typeof id === "string") return /^\$sourceDescriptions\.([^.]+)\./.exec(id)?.[1]
  const operationPath = raw["operationPath"]
  if (typeof operationPath === "string") {
    return /^\{?\$sourceDescriptions\.([^.}]+)[.}]/.exec(operationPath)?.[1]
  }
  return undefined
}

export const isAsyncApiStep = (raw: Record<string, unknown>, sources: ReadonlyArray<LoadedSource>): boolean => {
  if ("channelPath" in raw) return true
  if (typeof raw["workflowId"] === "string") return false
  const byMembers = ASYNCAPI_STEP_MEMBERS.some((m) => m in raw)
  const named = namedSource(raw)
  if (named !== undefined) {
    const source = sources.find((s) => s.name === named)
    return source === undefined ? byMembers : source.type === "asyncapi"
  }
  const id = raw["operationId"]
  if (typeof id !== "string") return byMembers
  const apis = sources.filter((s) => s.type !== "arazzo")
  if (apis.length > 0 && apis.every((s) => s.type === "asyncapi")) return true
  if (apis.every((s) => s.type !== "asyncapi")) return false
  if (apis.some((s) => s.asyncapi?.operations.some((o) => o.operationId === id))) return true
  if (apis.some((s) => s.description?.operations.some((o) => o.operationId === id))) return false
  return byMembers
}
