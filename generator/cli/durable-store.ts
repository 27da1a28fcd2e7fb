/**
 * `--store` of the durable commands (`worker`, `run --durable`, `status`) and the engine on it.
 * The durable runtime (runtime/durable, on @effect/workflow + @effect/cluster) is imported only
 * here, when one of those commands runs, so the other commands never load it. In the bundled CLI
 * the engine packages are inside the bundle (they must run on the CLI's own Effect); the database
 * drivers are not: `better-sqlite3` is a native module, found where arazzo-effect is installed.
 */
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { mkdirSync } from "node:fs"
import * as path from "node:path"
import { UsageError } from "./exit.js"

/** Where the store is when `--store` is not given: a SQLite file under the working directory. */
export const DEFAULT_STORE = "sqlite:.arazzo/durable.sqlite"

export const storeOption = Options.text("store").pipe(
  Options.withPseudoName("sqlite:<file>|postgres://…"),
  Options.withDescription(
    `where executions are journaled: a SQLite file (one worker) or a PostgreSQL URL (one or more workers); default ${DEFAULT_STORE}`
  ),
  Options.withDefault(DEFAULT_STORE)
)

export type Store =
  | { readonly _tag: "Sqlite"; readonly filename: string }
  | { readonly _tag: "Postgres"; readonly url: string }

export const parseStore = (text: string): Effect.Effect<Store, UsageError> => {
  if (/^postgres(ql)?:\/\//.test(text)) return Effect.succeed({ _tag: "Postgres", url: text })
  if (text.startsWith("sqlite:") && text.length > "sqlite:".length) {
    return Effect.succeed({ _tag: "Sqlite", filename: path.resolve(text.slice("sqlite:".length)) })
  }
  return Effect.fail(
    new UsageError({ message: `--store ${text}: use sqlite:<file> or a postgres://user:pass@host:port/db URL` })
  )
}

/** The store as printed: a PostgreSQL URL without its password. */
export const showStore = (store: Store): string => {
  if (store._tag === "Sqlite") {
    const relative = path.relative(process.cwd(), store.filename)
    return `sqlite:${relative === "" || relative.startsWith("..") ? store.filename : relative}`
  }
  const url = new URL(store.url)
  if (url.password !== "") url.password = "***"
  return url.toString()
}

type DurableModule = typeof import("../../runtime/durable/index.js")

const missing = (cause: unknown): string | undefined => {
  const error = cause as { readonly code?: unknown; readonly message?: unknown }
  if (error?.code !== "ERR_MODULE_NOT_FOUND" && error?.code !== "MODULE_NOT_FOUND") return undefined
  const match = /Cannot find (?:package|module) '([^']+)'/.exec(String(error.message))
  return match?.[1] ?? "a package"
}

const ENGINE = "@effect/workflow@^0.19 @effect/cluster@^0.60 @effect/sql@^0.52"

/** The durable runtime, or a UsageError that says what to install. */
export const loadDurable: Effect.Effect<DurableModule, UsageError> = Effect.tryPromise({
  try: () => import("../../runtime/durable/index.js"),
  catch: (cause) =>
    new UsageError({
      message: `the durable commands need the workflow engine, and ${missing(cause) ?? "it"} could not be loaded: ` +
        `npm install ${ENGINE} (plus @effect/sql-sqlite-node@^0.53 for SQLite, @effect/sql-pg@^0.53 for PostgreSQL)` +
        (missing(cause) === undefined ? `\n${cause instanceof Error ? cause.message : String(cause)}` : "")
    })
})

/** The store's driver, loaded once to say what is missing before the engine meets it. */
const checkDriver = (store: Store): Effect.Effect<void, UsageError> =>
  Effect.tryPromise({
    try: () =>
      store._tag === "Sqlite" ? import("@effect/sql-sqlite-node/SqliteClient") : import("@effect/sql-pg/PgClient"),
    catch: (cause) => {
      const name = missing(cause)
      const install = store._tag === "Sqlite"
        ? "npm install better-sqlite3@^12 @effect/sql-sqlite-node@^0.53 (better-sqlite3 is a native module; it builds from source where no prebuilt binary can be downloaded)"
        : "npm install @effect/sql-pg@^0.53"
      return new UsageError({
        message:
          `the ${store._tag === "Sqlite" ? "SQLite" : "PostgreSQL"} store needs ${name ?? "its driver"}: ${install}` +
          (name === undefined ? `\n${cause instanceof Error ? cause.message : String(cause)}` : "")
      })
    }
  })

export interface EngineOptions {
  /** Only writes to and reads the store: runs no execution (`run --durable`, `status`). */
  readonly client: boolean
  /** `worker --runner host:port`: one of several workers on one PostgreSQL. */
  readonly runner?: { readonly host: string; readonly port: number } | undefined
}

/**
 * What docs/durable.md recommends for several workers: a worker that stops refreshing its shard
 * locks loses them after 5 s, and another takes its executions over.
 */
export const failoverSettings = { shardLockExpiration: "5 seconds", shardLockRefreshInterval: "1 second" } as const

/**
 * The store key every durable command seals the store with (docs/durable.md, "Secrets in the
 * store"): the same on every worker and client of a store, or none.
 */
export const STORE_KEY_ENV = "ARAZZO_DURABLE_KEY"

const storeKeyOf = (Durable: DurableModule): Effect.Effect<Redacted.Redacted<string> | undefined, UsageError> => {
  const text = process.env[STORE_KEY_ENV]
  if (text === undefined || text === "") return Effect.succeed(undefined)
  const parsed = Durable.parseStoreKey(text)
  return "error" in parsed
    ? Effect.fail(new UsageError({ message: `${STORE_KEY_ENV}: ${parsed.error}` }))
    : Effect.succeed(Redacted.make(text))
}

/** The durable runtime and the engine layer on the store (`sealed`: with the store key of ARAZZO_DURABLE_KEY). */
export const engineOn = (store: Store, options: EngineOptions) =>
  Effect.gen(function*() {
    const Durable = yield* loadDurable
    yield* checkDriver(store)
    const key = yield* storeKeyOf(Durable)
    const sealed = key !== undefined
    if (store._tag === "Sqlite") {
      // The directory of the default store may not exist yet.
      yield* Effect.try({
        try: () => mkdirSync(path.dirname(store.filename), { recursive: true }),
        catch: (cause) =>
          new UsageError({ message: `--store: cannot create ${path.dirname(store.filename)}: ${cause}` })
      })
      if (options.runner !== undefined) {
        return yield* new UsageError({
          message: "--runner needs a PostgreSQL store: a SQLite file serves one worker"
        })
      }
      return { Durable, sealed, engine: Durable.sqlite({ filename: store.filename, client: options.client, key }) }
    }
    return {
      Durable,
      sealed,
      engine: Durable.postgres({
        url: store.url,
        client: options.client,
        key,
        ...(options.runner !== undefined ? { runner: options.runner, cluster: failoverSettings } : {})
      })
    }
  })
