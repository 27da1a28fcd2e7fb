/**
 * arazzo-effect's durable entry point (Effect 3 line): the same generated workflows, run on
 * `@effect/workflow` + `@effect/cluster` so that an execution survives its process. Each step
 * attempt is an activity whose response is journaled, poll and retry waits are durable sleeps,
 * and a restarted worker resumes every execution where its journal ends. Delivery is at least
 * once: see docs/durable.md.
 *
 * ```ts
 * const Img2img = Durable.make(blobUploadImg2img, { name: "civitai/blob-upload-img2img" })
 * const worker = Img2img.layer.pipe(Layer.provideMerge(Durable.sqlite({ filename: "runs.db" })), ...)
 * const result = yield* Img2img.run(inputs) // or start / status / await / interrupt
 * ```
 */
export { IDEMPOTENCY_HEADER, idempotencyKeyOf, type IdempotencyKeys } from "./internal/idempotency.js"
export { parseStoreKey } from "./internal/seal.js"
export {
  type ClusterSettings,
  defaultSettings,
  postgres,
  type PostgresOptions,
  sqlite,
  type SqliteOptions,
  type StoreKeyOption
} from "./internal/store.js"
export {
  type DurableHandle,
  type DurableOptions,
  type DurableWorkflow,
  type ExecutionStatus,
  type GeneratedWorkflow,
  handle,
  make,
  type StartOptions
} from "./internal/workflow.js"

/** The engine service the durable API needs (a Layer from `sqlite` provides it). */
export { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
