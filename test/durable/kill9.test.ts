/**
 * Durable execution with real processes: a worker running the generated img2img workflow on a
 * SQLite store is killed with SIGKILL mid-poll and started again on the same file. It resumes,
 * finishes, and the mock's counts show that no finished step ran twice; its result is the one an
 * uninterrupted run gives. A crash while a POST is in flight repeats that POST once, with the
 * same Idempotency-Key. Two workers on one PostgreSQL (started by scripts/postgres.ts) share
 * executions; one killed with SIGKILL, the other takes its executions over and finishes them.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import { type RunningPostgres, startPostgres } from "../../scripts/postgres.js"
import { type CivitaiMock, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { environment } from "../support/img2img.js"
import { img2imgInputs, TOKEN } from "./img2img-inputs.js"
import { freePort, startWorker, until } from "./worker-process.js"

const scratch = mkdtempSync(path.join(tmpdir(), "arazzo-durable-"))
/**
 * A real PostgreSQL server, started by the project's own script (scripts/postgres.ts). Only the
 * last test needs it: it starts while the SQLite tests run, so none of them waits for it.
 */
let postgres: Promise<RunningPostgres> | undefined
beforeAll(() => {
  postgres = startPostgres()
  // Awaited (and its failure reported) by the test that uses it.
  postgres.catch(() => {})
})
afterAll(async () => {
  await (await postgres?.catch(() => undefined))?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

/** A fresh store of each kind, named for the test. */
const stores = {
  sqlite: async (name: string) => `sqlite:${path.join(scratch, `${name}.db`)}`,
  postgres: async (name: string) => (await postgres!).createDatabase(name.replaceAll("-", "_"))
}

const sqlClient = (store: string): Layer.Layer<SqlClient.SqlClient, unknown> =>
  store.startsWith("postgres://")
    ? PgClient.layer({ url: Redacted.make(store) })
    : SqliteClient.layer({ filename: store.replace(/^sqlite:/, "") })

/** The step attempts the store journaled: activity names with a recorded result, in order. */
const journaledActivities = (store: string): Promise<ReadonlyArray<string>> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly payload: string }>`
        select payload from cluster_messages where tag = 'activity' and processed = true order by id`
      const names = rows.map((row) => (JSON.parse(row.payload) as { readonly name: string }).name)
      return names.filter((name, i) => names.indexOf(name) === i)
    }).pipe(Effect.provide(sqlClient(store)), Effect.scoped, Effect.orDie)
  )

/** Everything the store holds of the executions, as text: the SQLite files' bytes, or PostgreSQL's message and reply rows. */
const storeContents = async (store: string): Promise<string> => {
  if (!store.startsWith("postgres://")) {
    const file = store.replace(/^sqlite:/, "")
    return readdirSync(path.dirname(file))
      .filter((f) => f.startsWith(path.basename(file)))
      .map((f) => readFileSync(path.join(path.dirname(file), f)).toString("latin1"))
      .join("\n")
  }
  return Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly text: string }>`
        select payload::text as text from cluster_messages
        union all select coalesce(payload::text, '') from cluster_replies`
      return rows.map((row) => row.text).join("\n")
    }).pipe(Effect.provide(sqlClient(store)), Effect.scoped, Effect.orDie)
  )
}

/** A store key for a test's workers: their stores are sealed (docs/durable.md, "Secrets in the store"). */
const storeKey = () => randomBytes(32).toString("base64")

/** A result with the mock's address taken out, so runs against different mocks compare. */
const portable = (mock: CivitaiMock, value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(mock.url, "<mock>"))

const uninterruptedOutputs = async (pollsUntilDone: number) => {
  const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone })
  try {
    const result = await Effect.runPromise(
      blobUploadImg2img(img2imgInputs(TOKEN)).pipe(Effect.provide(environment(mock)))
    )
    return { result: portable(mock, { _tag: result._tag, outputs: result.outputs, steps: result.steps }), mock }
  } finally {
    await mock.close()
  }
}

describe.each(["sqlite"] as const)("durable img2img on %s, with real processes", (kind) => {
  it("killed with SIGKILL mid-poll, restarted: resumes and finishes with no finished step repeated", async () => {
    const pollsUntilDone = 6
    const reference = await uninterruptedOutputs(pollsUntilDone)
    const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone })
    const database = await stores[kind]("kill-mid-poll")
    // Sealed: the restarted worker replays journal entries it can only read with the key.
    const key = storeKey()
    try {
      const first = startWorker(mock.url, database, [], { key })
      // Its replacement loads while it runs, and opens the store after the kill.
      const second = startWorker(mock.url, database, [], { key, wait: true })
      const { executionId } = await first.next("started")
      const upIn = first.elapsed()
      // Mid-poll: upload and submit done, the workflow polled twice and still running.
      await until(() => mock.requests.filter((r) => r.operation === "getWorkflow").length >= 3, 90_000, "polls")
      first.process.kill("SIGKILL")
      expect((await first.exited).signal).toBe("SIGKILL")
      const atKill = {
        upload: mock.calls("uploadBlob"),
        submit: mock.calls("submitWorkflow"),
        polls: mock.calls("getWorkflow")
      }
      expect(atKill).toMatchObject({ upload: 1, submit: 1 })

      await second.next("loaded")
      const restartedAt = second.go()
      const resumed = await second.next("started")
      expect(resumed.executionId).toBe(executionId) // the same inputs find the same execution
      const done = await second.next("done")
      const firstRequestAfter = mock.requests.find((r) => r.at >= restartedAt)
      await second.exited

      expect(done.exit).toMatchObject({ _tag: "Success" })
      const value = (done.exit as { value: { _tag: string; outputs: unknown; steps: unknown } }).value
      expect(portable(mock, { _tag: value._tag, outputs: value.outputs, steps: value.steps })).toEqual(reference.result)

      // No duplicated side effects: one upload, one submit; the polls as many as in one run.
      expect(mock.calls("uploadBlob")).toBe(1)
      expect(mock.calls("submitWorkflow")).toBe(1)
      expect(mock.calls("getWorkflow")).toBe(pollsUntilDone + 2)
      const posts = mock.requests.filter((r) => r.method === "POST")
      expect(posts.every((r) => /^[0-9a-f]{32}$/.test(r.headers["idempotency-key"] ?? ""))).toBe(true)

      // Every step attempt journaled once, under its deterministic name. A poll whose response was
      // lost with the process was sent again: the mock moved on, so the run saw one poll fewer.
      const journal = await journaledActivities(database)
      const polls = journal.filter((name) => name.startsWith("pollWorkflow#"))
      const lost = mock.calls("getWorkflow") - 1 - polls.length
      expect(lost === 0 || lost === 1).toBe(true)
      expect(journal).toEqual([
        "arazzo.started",
        "uploadSource#1.1",
        "submitImg2Img#1.1",
        ...polls.map((_, i) => `pollWorkflow#1.${i + 1}`),
        "readResult#1.1"
      ])
      // The API key (an input) and what the API answered are not in the store in the clear.
      const contents = await storeContents(database)
      expect(contents).toContain("$arazzo.sealed")
      expect(contents).not.toContain(TOKEN)
      const issued = (value.outputs as { readonly outputBlobUrl: string }).outputBlobUrl
      expect(issued).toContain(mock.url)
      expect(contents).not.toContain(issued)
      console.log(
        `${kind}: kill -9 mid-poll: killed after ${atKill.polls} polls; ${journal.length} activities journaled (${
          journal.length - 1
        } step attempts); ` +
          `${lost} poll in flight at the kill sent again; ` +
          `duplicates at the mock: upload ${mock.calls("uploadBlob") - 1}, submit ${
            mock.calls("submitWorkflow") - 1
          }; ` +
          `worker up in ${upIn} ms; the replacement (loaded beforehand) sent its first request ${
            firstRequestAfter!.at - restartedAt
          } ms after it opened the store ` +
          `(${firstRequestAfter!.operation}), done ${Date.now() - restartedAt} ms after`
      )
    } finally {
      await mock.close()
    }
  }, 150_000)
})

describe("durable img2img on sqlite, crash during a POST", () => {
  it("a crash while a POST is in flight sends it again once, with the same Idempotency-Key", async () => {
    // Submissions answer after 2.5 s: the worker is killed while the first one waits.
    const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 1, delayMs: { submitWorkflow: 2_500 } })
    const database = await stores.sqlite("kill-in-flight")
    try {
      const first = startWorker(mock.url, database)
      const second = startWorker(mock.url, database, [], { wait: true })
      await until(() => mock.calls("submitWorkflow") === 1, 90_000, "the submission")
      first.process.kill("SIGKILL")
      expect((await first.exited).signal).toBe("SIGKILL")

      await second.next("loaded")
      second.go()
      const done = await second.next("done")
      await second.exited
      expect(done.exit).toMatchObject({ _tag: "Success", value: { _tag: "Completed" } })

      expect(mock.calls("uploadBlob")).toBe(1)
      const submissions = mock.requests.filter((r) => r.operation === "submitWorkflow")
      expect(submissions).toHaveLength(2)
      const [sent, again] = submissions.map((r) => r.headers["idempotency-key"])
      expect(sent).toMatch(/^[0-9a-f]{32}$/)
      expect(again).toBe(sent)
      expect(mock.requests.find((r) => r.operation === "uploadBlob")?.headers["idempotency-key"]).not.toBe(sent)
    } finally {
      await mock.close()
    }
  }, 150_000)
})

describe("durable img2img on postgres, two workers", () => {
  it(
    "share the executions; one killed with SIGKILL, the other takes its executions over and finishes them",
    async () => {
      const executions = 10
      // Enough polls that executions still run after the shards settle (about 0.5 s a poll).
      const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 20 })
      const store = await stores.postgres("failover")
      const keys = ["--keys", Array.from({ length: executions }, (_, i) => `run-${i}`).join(",")]
      try {
        const [portA, portB] = [await freePort(), await freePort()]
        // One store key for both: the survivor opens the executions the other sealed.
        const key = storeKey()
        const a = startWorker(mock.url, store, ["--runner", String(portA), ...keys], { key })
        const b = startWorker(mock.url, store, ["--runner", String(portB), ...keys], { key })
        const sentBy = (worker: typeof a) => (r: (typeof mock.requests)[number]) =>
          r.headers["x-arazzo-worker"] === String(worker.process.pid)
        const pollsBy = (worker: typeof a) =>
          mock.requests.filter((r) => r.operation === "getWorkflow" && sentBy(worker)(r))
        // Both run executions: each has polled one.
        // Under load (the whole suite at once) starting a worker alone has taken 15 s here.
        await until(() => pollsBy(a).length >= 2 && pollsBy(b).length >= 2, 120_000, "both workers polling")
        // Settled: for 3 s no execution has moved (each was polled by the worker that polled it
        // before), and both workers poll. Shards that moved while B joined have moved by then, so
        // what B takes after the kill is a takeover of A's locks, not a rebalance.
        const settled = () => {
          const since = Date.now() - 3_000
          const polls = mock.requests.filter((r) => r.operation === "getWorkflow")
          const previous = new Map<string, string>()
          const workers = new Set<string>()
          for (const r of polls) {
            const pid = r.headers["x-arazzo-worker"]!
            if (r.at >= since) {
              workers.add(pid)
              if (previous.get(r.path) !== pid) return false
            }
            previous.set(r.path, pid)
          }
          return workers.size === 2
        }
        const bothPolling = Date.now()
        await until(settled, 60_000, "the shards to settle")
        console.log(`postgres, two workers: shards settled ${Date.now() - bothPolling} ms after both polled`)
        a.process.kill("SIGKILL")
        const killedAt = Date.now()
        expect((await a.exited).signal).toBe("SIGKILL")
        const inFlightAtKill = mock.requests.filter((r) => sentBy(a)(r) && r.status === undefined).length
        // A's executions: those whose last poll before the kill was A's.
        const lastPoller = new Map<string, string>()
        for (const r of mock.requests.filter((r) => r.operation === "getWorkflow" && r.at < killedAt)) {
          lastPoller.set(r.path, r.headers["x-arazzo-worker"]!)
        }
        const ownedByA = new Set([...lastPoller].filter(([, pid]) => pid === String(a.process.pid)).map(([p]) => p))
        const spread = { a: ownedByA.size, b: lastPoller.size - ownedByA.size }
        expect(ownedByA.size).toBeGreaterThan(0)

        await b.next("all-done")
        const takenOver = mock.requests.find((r) => r.at >= killedAt && sentBy(b)(r) && ownedByA.has(r.path))
        // Every execution of A's that was still polling at the kill was taken over by B.
        const takenBy = new Set(
          mock.requests.filter((r) => r.at >= killedAt && sentBy(b)(r) && ownedByA.has(r.path)).map((r) => r.path)
        )
        await b.exited

        const done = b.all("done")
        expect(done).toHaveLength(executions)
        expect(done.every((e) => (e.exit as { _tag: string })._tag === "Success")).toBe(true)
        expect(takenOver).toBeDefined()
        expect(takenBy).toEqual(ownedByA)
        // At least once: a POST the killed worker had sent but not journaled is sent again, with the
        // same Idempotency-Key. Every upload and submit has its own key; none is sent more than twice.
        const posts = mock.requests.filter((r) => r.method === "POST")
        const perKey = new Map<string, number>()
        for (const r of posts) {
          perKey.set(r.headers["idempotency-key"]!, (perKey.get(r.headers["idempotency-key"]!) ?? 0) + 1)
        }
        expect(perKey.size).toBe(2 * executions)
        expect([...perKey.values()].every((n) => n <= 2)).toBe(true)
        // Sealed in PostgreSQL too: the API key is in no message or reply row.
        const contents = await storeContents(store)
        expect(contents).toContain("$arazzo.sealed")
        expect(contents).not.toContain(TOKEN)
        const duplicates = posts.length - perKey.size
        console.log(
          `postgres, two workers: executions polling at the kill ${spread.a} on A, ${spread.b} on B; ` +
            `A killed with ${inFlightAtKill} requests unanswered; failover: B's first request for one of A's executions ` +
            `${takenOver!.at - killedAt} ms after the kill, the last of them ${
              Math.max(...[...ownedByA].map((p) =>
                mock.requests.find((r) =>
                  r.at >= killedAt && sentBy(b)(r) && r.path === p
                )!.at
              )) - killedAt
            } ms (shards settled before the kill; shardLockExpiration 5 s, refresh 1 s); ` +
            `POSTs sent again (same key) ${duplicates}; all ${executions} finished ${
              Date.now() - killedAt
            } ms after the kill`
        )
      } finally {
        await mock.close()
      }
    },
    300_000
  )
})
