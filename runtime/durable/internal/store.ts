/**
 * The engine and its store. SQLite is the embedded default: one worker process, a file, nothing
 * to start. PostgreSQL keeps shard locks in the database, for a worker whose store is a server
 * (and, with `@effect/cluster`'s socket runners, several workers). The cluster settings that decide how quickly a suspended workflow wakes are set for
 * workflows that poll (a wake-up waits up to `entityMessagePollInterval`).
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import type { SocketServerError } from "@effect/platform/SocketServer"
import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseStoreKey, sealer, StoreKey } from "./seal.js"

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
  /**
   * A client of the store, not a worker: it owns no shards and runs no execution, so it may sit
   * beside the worker on the same file. `start` writes the execution to the store, where the
   * worker finds it; `status` and `await` read the store.
   */
  readonly client?: boolean
  /** Seal the workflows' data in the store with this key; every worker and client of the store needs the same. */
  readonly key?: StoreKeyOption | undefined
}

/** A store key: 32 random bytes in base64 or hex (`openssl rand -base64 32`). See `seal.ts`. */
export type StoreKeyOption = string | Redacted.Redacted<string>

/**
 * `engine` with the store key's sealer beside it, when a key is given: the workflows' inputs,
 * journaled responses and results are then written sealed (docs/durable.md, "Secrets in the store").
 * The sealer is not in the layer's type: the durable API looks it up if present.
 */
const withKey = <A, E, R>(
  key: StoreKeyOption | undefined,
  engine: Layer.Layer<A, E, R>
): Layer.Layer<A, E | ConfigError.ConfigError, R> => {
  if (key === undefined) return engine
  const bytes = parseStoreKey(key)
  if ("error" in bytes) return Layer.fail(ConfigError.InvalidData(["key"], bytes.error))
  return Layer.merge(engine, Layer.succeed(StoreKey, sealer(bytes))) as Layer.Layer<A, E, R>
}

/** A client holds no shards: without a runner address the cluster only reads and writes the store. */
const clientSettings = (client: boolean | undefined): ClusterSettings =>
  client === true ? { runnerAddress: Option.none() } : {}

/**
 * The engine on a SQLite file, for one worker process. The runner's shard assignments stay in
 * memory (one process owns every shard), so a worker killed and started again takes its
 * executions back at once, with no shard lock to wait out.
 */
export const sqlite = (
  options: SqliteOptions
): Layer.Layer<WorkflowEngine | SqlClient.SqlClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      // Loaded only when used: an app on PostgreSQL need not install the SQLite driver.
      Effect.promise(() => import("@effect/sql-sqlite-node/SqliteClient")),
      (SqliteClient) =>
        withKey(
          options.key,
          ClusterWorkflowEngine.layer.pipe(
            Layer.provideMerge(SingleRunner.layer({
              runnerStorage: "memory",
              shardingConfig: { ...defaultSettings, ...options.cluster, ...clientSettings(options.client) }
            })),
            Layer.provideMerge(SqliteClient.layer({ filename: options.filename }))
          )
        )
    )
  )

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string | Redacted.Redacted
  readonly cluster?: ClusterSettings
  /**
   * Where this worker listens for the other workers on the same database (one of several).
   * Without it the worker runs alone: every shard is its own.
   */
  readonly runner?: { readonly host: string; readonly port: number }
  /** A client of the store (see `SqliteOptions.client`); `runner` is then ignored. */
  readonly client?: boolean
  /** Seal the workflows' data in the store with this key (see `SqliteOptions.key`). */
  readonly key?: StoreKeyOption | undefined
}

/**
 * The engine on PostgreSQL. Shard locks live in the database, so no two workers run the same
 * execution at once; with `runner`, workers on one database share the shards (executions are
 * spread by shard) and take over those of a worker that stopped refreshing its locks (see
 * `shardLockExpiration` in docs/durable.md). `@effect/sql-pg` (and, for `runner`,
 * `@effect/platform-node`) are loaded only when this is used.
 */
export const postgres = (
  options: PostgresOptions
): Layer.Layer<
  WorkflowEngine | SqlClient.SqlClient,
  ConfigError.ConfigError | SqlError.SqlError | SocketServerError
> =>
  Layer.unwrapEffect(
    Effect.promise(async () => {
      const PgClient = await import("@effect/sql-pg/PgClient")
      const client = PgClient.layer({
        url: typeof options.url === "string" ? Redacted.make(options.url) : options.url
      })
      const settings = { ...defaultSettings, ...options.cluster }
      const { runner } = options
      if (runner === undefined || options.client === true) {
        return withKey(
          options.key,
          ClusterWorkflowEngine.layer.pipe(
            Layer.provideMerge(SingleRunner.layer({
              runnerStorage: "sql",
              shardingConfig: { ...settings, ...clientSettings(options.client) }
            })),
            Layer.provideMerge(client)
          )
        )
      }
      const [NodeClusterSocket, RunnerAddress] = await Promise.all([
        import("@effect/platform-node/NodeClusterSocket"),
        import("@effect/cluster/RunnerAddress")
      ])
      const runners = NodeClusterSocket.layer({
        storage: "sql",
        shardingConfig: {
          ...settings,
          runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port))
        }
      })
      return withKey(
        options.key,
        ClusterWorkflowEngine.layer.pipe(Layer.provideMerge(runners), Layer.provideMerge(client))
      )
    })
  )
