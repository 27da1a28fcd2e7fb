/**
 * Reads what the store journaled for one execution, for `run --durable` (which follows an
 * execution a worker runs) and `status`: the workflow an execution id belongs to, and its step
 * attempts in order (each an activity of the engine: a request row in `cluster_messages` when it
 * starts, its result in `cluster_replies` when it is done). These are the tables of
 * `@effect/cluster`'s SQL message storage (its default `cluster_` prefix); the journal itself is
 * written only by the engine.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/** One step attempt in the journal: its activity name (`stepId#visit.attempt`), and its status code once done. */
export interface JournalEntry {
  readonly id: string
  readonly activity: string
  readonly done: boolean
  /** The response's status code; absent while running, or when the attempt failed before a response. */
  readonly status?: number | undefined
  /** The attempt's error tag when it failed (a timeout, a transport failure). */
  readonly failure?: string | undefined
}

type EncodedExit = { readonly _tag?: string; readonly value?: unknown; readonly cause?: unknown }

/** The error tag of an encoded cause (`Fail` with a tagged error), else what kind of failure it was. */
const failureOf = (cause: unknown): string => {
  const tag = /"error":\{[^{}]*?"_tag":"(\w+)"/.exec(JSON.stringify(cause ?? ""))
  return tag?.[1] ?? ((cause as { _tag?: string } | undefined)?._tag ?? "failed")
}

/**
 * A reply row's payload: the encoded exit of the activity request, whose success is the
 * workflow engine's result (`Complete` with the activity's own exit, or `Suspended`).
 */
const exitOf = (payload: string | null): { status?: number; failure?: string } | undefined => {
  if (payload === null) return undefined
  try {
    const exit = JSON.parse(payload) as EncodedExit
    if (exit._tag !== "Success") return { failure: failureOf(exit.cause) }
    const result = exit.value as { readonly _tag?: string; readonly exit?: EncodedExit } | undefined
    if (result?._tag === "Suspended") return undefined
    const inner = result?._tag === "Complete" ? result.exit : exit
    if (inner?._tag !== "Success") return { failure: failureOf(inner?.cause) }
    const status = (inner.value as { readonly status?: unknown } | undefined)?.status
    return typeof status === "number" ? { status } : {}
  } catch {
    return {}
  }
}

/** The step attempts journaled for an execution, oldest first (the start-time activity left out). */
export const journalOf = (sql: SqlClient.SqlClient, executionId: string) =>
  Effect.map(
    sql<{ readonly id: unknown; readonly payload: string; readonly reply: string | null }>`
      select m.id as id, m.payload as payload, r.payload as reply
      from cluster_messages m left join cluster_replies r on r.request_id = m.id and r.kind = 0
      where m.entity_id = ${executionId} and m.tag = 'activity'
      order by m.id`,
    (rows) =>
      rows.flatMap((row): Array<JournalEntry> => {
        const name = (JSON.parse(row.payload) as { readonly name?: unknown }).name
        if (typeof name !== "string" || !name.includes("#")) return []
        const exit = exitOf(row.reply)
        return [{ id: String(row.id), activity: name, done: exit !== undefined, ...exit }]
      })
  ).pipe(
    // Before the worker (or this client) has created the tables, nothing is journaled.
    Effect.orElseSucceed((): Array<JournalEntry> => [])
  )

/** The durable workflow an execution id belongs to (`<module>/<workflowId>`), if the store knows it. */
export const workflowOf = (sql: SqlClient.SqlClient, executionId: string) =>
  Effect.map(
    sql<{ readonly entity_type: string }>`
      select entity_type from cluster_messages
      where entity_id = ${executionId} and entity_type like 'Workflow/%' limit 1`,
    (rows) => rows[0]?.entity_type.slice("Workflow/".length)
  ).pipe(Effect.orElseSucceed(() => undefined))
