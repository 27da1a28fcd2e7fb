/**
 * The engine and its store. SQLite is the embedded default: one worker process, a file, nothing
 * to start. The cluster settings that decide how quickly a suspended workflow wakes are set for
 * workflows that poll (a wake-up waits up to `entityMessagePollInterval`).
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"

/** Cluster settings; each is `@effect/cluster`'s `ShardingConfig` field of that name. */
export type ClusterSettings = Partial<ShardingConfig.ShardingConfig["Type"]>

/**
 * What this entry point changes from the cluster's defaults: a suspended workflow is looked for
 * every 500 ms (default 10 s), so a poll's durable wait ends close to its due time.
 */
export const defaultSettings: ClusterSettings = {
  entityMessagePollInterval: "500 millis",
  entityReplyPollInterval: "500 millis"
}

export interface SqliteOptions {
  /** The database file; created when missing. Only one worker process may use it at a time. */
  readonly filename: string
  readonly cluster?: ClusterSettings
}

/**
 * The engine on a SQLite file, for one worker process. The runner's shard assignments stay in
 * memory (one process owns every shard), so a worker killed and started again takes its
 * executions back at once, with no shard lock to wait out.
 */
export const sqlite = (options: SqliteOptions): Layer.Layer<WorkflowEngine, ConfigError.ConfigError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({
      runnerStorage: "memory",
      shardingConfig: { ...defaultSettings, ...options.cluster }
    })),
    Layer.provide(SqliteClient.layer({ filename: options.filename }))
  )
