/** What checking a workflow's steps needs besides the scope: the document, its sources, the step order. */
import type { LoadedSource } from "../load/document.js"
import type { Reusables } from "../resolve/components.js"
import type { SecurityLedger } from "./openapi.js"

export interface StepChecks extends Reusables {
  readonly root: Record<string, unknown>
  readonly sources: ReadonlyArray<LoadedSource>
  /** Step ids in document order. */
  readonly order: ReadonlyArray<string>
  /** Steps whose credentials are compared once every step of the document is known. */
  readonly security: SecurityLedger
}
