/**
 * The durable measurements that need real worker processes (bench/lib/durable-worker.ts) and a
 * real PostgreSQL (scripts/postgres.ts): throughput of short workflows on one and on two workers
 * sharing one database, resume latency after a worker is killed with SIGKILL mid-poll, and
 * failover time when one of two workers is. The benchmark process is the store's client: it
 * starts the executions and waits for them; the workers only run them. The Civitai mock runs
 * in this process and records which worker sent each request and when.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { ChildProcess } from "node:child_process"
import { createServer } from "node:net"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import * as Durable from "../../runtime/durable/index.js"
import type { RunningPostgres } from "../../scripts/postgres.js"
import { type RecordedRequest, startCivitaiMock } from "../../test/mock/civitai-orchestration.js"
import { nextMessage, spawnTs } from "./child.js"
import { BENCH_WORKFLOW, FAILOVER } from "./durable-worker.js"
import type { Img2imgInput } from "./img2img.js"
import { log, median, round } from "./stats.js"

interface WorkerProcess {
  readonly child: ChildProcess
  readonly pid: string
  readonly spawnedAt: number
  /** When it said it was up (epoch ms). */
  readonly ready: Promise<number>
}

const spawnWorker = (mockUrl: string, store: string, args: ReadonlyArray<string> = []): WorkerProcess => {
  const spawnedAt = Date.now()
  const child = spawnTs(new URL("./durable-worker.ts", import.meta.url), [mockUrl, store, ...args])
  // Under load (other suites beside the benchmark) a worker has taken 15 s to start.
  const ready = nextMessage(child, (m) => m?.type === "ready", 180_000).then(() => Date.now())
  return { child, pid: String(child.pid), spawnedAt, ready }
}

const kill9 = (worker: WorkerProcess): Promise<void> =>
  new Promise((resolve) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve()
    worker.child.once("exit", () => resolve())
    worker.child.kill("SIGKILL")
  })

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject())
    })
  })

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const quiet = Logger.minimumLogLevel(LogLevel.Error)

/** A client of the store: starts, polls and awaits executions, runs none. */
const clientOf = (store: string) =>
  ManagedRuntime.make(
    Layer.merge(
      store.startsWith("postgres://")
        ? Durable.postgres({ url: store, client: true })
        : Durable.sqlite({ filename: store.replace(/^sqlite:/, ""), client: true }),
      quiet
    )
  )

const Img2img = Durable.handle<Img2imgInput & { readonly moderate: boolean }>(BENCH_WORKFLOW)

/** An execution's exit, or a failure if it has not finished within `limit` (the benchmark goes on). */
const awaitWithin = (id: string, limit: Duration.DurationInput) =>
  Effect.exit(Effect.timeout(Img2img.await(id, { every: "100 millis" }), limit))

/** How the executions that did not succeed ended: error tag (or defect, or timeout) → count. */
const failuresOf = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const exit of exits) {
    if (Exit.isSuccess(exit)) continue
    const error = Cause.squash(exit.cause) as { readonly _tag?: unknown }
    const tag = typeof error?._tag === "string" ? error._tag : "defect"
    out[tag] = (out[tag] ?? 0) + 1
  }
  return out
}

const sentBy = (worker: WorkerProcess) => (r: RecordedRequest) => r.headers["x-arazzo-worker"] === worker.pid

/** Workers on one PostgreSQL have settled when each holds shard locks and no lock moved for 3 s. */
const shardsSettled = async (url: string, workers: number, timeoutMs: number): Promise<number | undefined> => {
  const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url) }))
  const started = Date.now()
  try {
    let last = ""
    let since = Date.now()
    while (Date.now() - started < timeoutMs) {
      const rows = await runtime.runPromise(
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql<{ readonly pid: number; readonly n: number }>`
            select pid, count(*)::int as n from pg_locks
            where locktype = 'advisory' and granted group by pid order by pid`)
      )
      const now = rows.map((r) => `${r.pid}:${r.n}`).join(",")
      if (now !== last) {
        last = now
        since = Date.now()
      } else if (rows.length === workers && Date.now() - since >= 3_000) {
        return Date.now() - started
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    return undefined
  } finally {
    await runtime.dispose()
  }
}

const settingsOf = (workers: number) =>
  workers === 1
    ? { ...Durable.defaultSettings, others: "@effect/cluster defaults (one runner: every shard its own)" }
    : { ...Durable.defaultSettings, ...FAILOVER, others: "@effect/cluster defaults" }

export interface ProcessBenchOptions {
  readonly input: Img2imgInput & { readonly moderate: boolean }
  readonly token: string
  readonly throughputRuns: number
  /** How long the throughput runs may take each: on a loaded machine 1,000 may not finish. */
  readonly throughputCapMs: number
  readonly rounds: number
}

/** N short workflows (no poll wait) started at once on one PostgreSQL, run by `workers` worker processes. */
const throughputOn = async (pg: RunningPostgres, workers: 1 | 2, o: ProcessBenchOptions) => {
  const mock = await startCivitaiMock({ token: o.token, pollsUntilDone: 0 })
  const url = await pg.createDatabase(`throughput_${workers}`)
  const procs: Array<WorkerProcess> = []
  const client = clientOf(url)
  try {
    // One after the other: two engines creating the cluster tables at once can collide.
    for (let i = 0; i < workers; i++) {
      procs.push(spawnWorker(mock.url, url, workers === 1 ? [] : ["--runner", String(await freePort())]))
      await procs[i]!.ready
    }
    const settledMs = workers > 1 ? await shardsSettled(url, workers, 90_000) : 0
    await client.runPromise(Effect.void)
    const t = performance.now()
    const ids = await client.runPromise(
      Effect.forEach(
        Array.from({ length: o.throughputRuns }, (_, i) => i),
        (i) => Img2img.start(o.input, { key: `tp-${i}` }),
        { concurrency: 50 }
      )
    )
    const startedMs = performance.now() - t
    // Awaited in the order started (they finish about in that order); the cap bounds the section.
    const deadline = Date.now() + o.throughputCapMs
    const exits = await client.runPromise(
      Effect.forEach(
        ids,
        (id) => Effect.suspend(() => awaitWithin(id, Duration.millis(Math.max(0, deadline - Date.now())))),
        { concurrency: 4 }
      )
    )
    const wallMs = Math.min(performance.now() - t, o.throughputCapMs + startedMs)
    const succeeded = exits.filter(Exit.isSuccess).length
    const reads = mock.requests.filter((r) => r.path.includes("/workflows/") && r.method === "GET")
    const share = procs.map((p) => reads.filter(sentBy(p)).length)
    const result = {
      store: "postgres",
      workers,
      settings: settingsOf(workers),
      workflows: o.throughputRuns,
      succeeded,
      failures: failuresOf(exits),
      capS: round(o.throughputCapMs / 1000, 0),
      shardsSettledMs: settledMs ?? "not settled within 90 s",
      startAllS: round(startedMs / 1000, 2),
      wallS: round(wallMs / 1000, 2),
      /** Finished workflows per second of wall time (all of them, unless the cap cut the run short). */
      perSecond: round(succeeded / (wallMs / 1000), 1),
      /** GET requests (polls and reads) each worker sent: how the executions were spread. */
      getsPerWorker: share
    }
    log(`durable: postgres, ${workers} worker(s): ${o.throughputRuns} workflows in ${result.wallS} s`)
    return result
  } finally {
    await Promise.all(procs.map(kill9))
    await client.dispose()
    await mock.close()
  }
}

/**
 * Resume latency: one worker runs an execution that polls (300 ms apart); after its third poll
 * it is killed with SIGKILL and a new worker is started on the same store. Measured: from the
 * new process's spawn to its first request (the execution's next step), and its start-up alone.
 */
const resumeOn = async (kind: "sqlite" | "postgres", store: () => Promise<string>, o: ProcessBenchOptions) => {
  const rounds: Array<Record<string, unknown>> = []
  for (let round_ = 0; round_ < o.rounds; round_++) {
    const mock = await startCivitaiMock({ token: o.token, pollsUntilDone: 8 })
    const url = await store()
    const client = clientOf(url)
    const procs: Array<WorkerProcess> = []
    try {
      const first = spawnWorker(mock.url, url, ["--poll-every", "300"])
      procs.push(first)
      await first.ready
      const id = await client.runPromise(Img2img.start(o.input, { key: `resume-${round_}` }))
      await until(() => mock.calls("getWorkflow") >= 3, 120_000, "three polls")
      await kill9(first)
      const polledBefore = mock.calls("getWorkflow")
      const second = spawnWorker(mock.url, url, ["--poll-every", "300"])
      procs.push(second)
      await until(() => mock.requests.some(sentBy(second)), 180_000, "the restarted worker's first request")
      const next = mock.requests.find(sentBy(second))!
      const readyAt = await second.ready
      const exit = await client.runPromise(awaitWithin(id, "3 minutes"))
      rounds.push({
        spawnToNextStepMs: next.at - second.spawnedAt,
        spawnToReadyMs: readyAt - second.spawnedAt,
        readyToNextStepMs: next.at - readyAt,
        nextStep: next.operation,
        pollsBeforeKill: polledBefore,
        finished: Exit.isSuccess(exit),
        failures: failuresOf([exit]),
        uploads: mock.calls("uploadBlob"),
        submits: mock.calls("submitWorkflow")
      })
    } finally {
      await Promise.all(procs.map(kill9))
      await client.dispose()
      await mock.close()
    }
  }
  const ms = (key: string) => round(median(rounds.map((r) => r[key] as number)), 0)
  const result = {
    store: kind,
    settings: settingsOf(1),
    rounds: rounds.length,
    spawnToNextStepMs: ms("spawnToNextStepMs"),
    spawnToReadyMs: ms("spawnToReadyMs"),
    readyToNextStepMs: ms("readyToNextStepMs"),
    allFinished: rounds.every((r) => r.finished === true),
    noFinishedStepRepeated: rounds.every((r) => r.uploads === 1 && r.submits === 1),
    each: rounds
  }
  log(
    `durable: resume on ${kind}: next step ${result.spawnToNextStepMs} ms after spawn (up ${result.spawnToReadyMs} ms)`
  )
  return result
}

/**
 * Failover: two workers on one PostgreSQL with the recommended settings, 10 executions polling;
 * once the shards have settled, the worker with more of them is killed with SIGKILL. Measured
 * from the kill: the survivor's first request for one of the killed worker's executions, the
 * last of them, and all 10 finished.
 */
const failoverOn = async (pg: RunningPostgres, o: ProcessBenchOptions) => {
  const executions = 10
  const rounds: Array<Record<string, unknown>> = []
  for (let round_ = 0; round_ < o.rounds; round_++) {
    const mock = await startCivitaiMock({ token: o.token, pollsUntilDone: 40 })
    const url = await pg.createDatabase(`failover_${round_}`)
    const client = clientOf(url)
    const procs: Array<WorkerProcess> = []
    try {
      for (let i = 0; i < 2; i++) {
        procs.push(spawnWorker(mock.url, url, ["--runner", String(await freePort()), "--poll-every", "300"]))
        await procs[i]!.ready
      }
      const settledMs = await shardsSettled(url, 2, 90_000)
      const ids = await client.runPromise(
        Effect.forEach(
          Array.from({ length: executions }, (_, i) => i),
          (i) => Img2img.start(o.input, { key: `failover-${round_}-${i}` })
        )
      )
      const polls = () => mock.requests.filter((r) => r.operation === "getWorkflow")
      await until(
        () => new Set(polls().map((r) => r.path)).size === executions,
        120_000,
        "every execution polling"
      )
      // Which worker polls which execution (its last poll); the one with more is killed.
      const owner = new Map<string, string>()
      for (const r of polls()) owner.set(r.path, r.headers["x-arazzo-worker"]!)
      const counts = procs.map((p) => [...owner.values()].filter((pid) => pid === p.pid).length)
      const victim = counts[0]! >= counts[1]! ? procs[0]! : procs[1]!
      const survivor = victim === procs[0] ? procs[1]! : procs[0]!
      const killedAt = Date.now()
      await kill9(victim)
      for (const r of polls().filter((r) => r.at < killedAt)) owner.set(r.path, r.headers["x-arazzo-worker"]!)
      const ofVictim = [...owner].filter(([, pid]) => pid === victim.pid).map(([p]) => p)
      const exits = await client.runPromise(
        Effect.forEach(ids, (id) => awaitWithin(id, "3 minutes"), { concurrency: "unbounded" })
      )
      const doneAt = Date.now()
      const takenAt = ofVictim.map((p) =>
        mock.requests.find((r) => r.at >= killedAt && sentBy(survivor)(r) && r.path === p)?.at
      )
      rounds.push({
        shardsSettledMs: settledMs ?? "not settled within 90 s",
        executionsOnKilled: ofVictim.length,
        executionsOnSurvivor: executions - ofVictim.length,
        firstTakenOverMs: Math.min(...takenAt.map((t) => (t ?? Infinity) - killedAt)),
        allTakenOverMs: Math.max(...takenAt.map((t) => (t ?? Infinity) - killedAt)),
        allFinishedMs: doneAt - killedAt,
        finished: exits.filter(Exit.isSuccess).length,
        failures: failuresOf(exits)
      })
    } finally {
      await Promise.all(procs.map(kill9))
      await client.dispose()
      await mock.close()
    }
  }
  const ms = (key: string) => round(median(rounds.map((r) => r[key] as number)), 0)
  const result = {
    store: "postgres",
    workers: 2,
    executions,
    settings: settingsOf(2),
    rounds: rounds.length,
    firstTakenOverMs: ms("firstTakenOverMs"),
    allTakenOverMs: ms("allTakenOverMs"),
    allFinishedMs: ms("allFinishedMs"),
    allFinished: rounds.every((r) => r.finished === executions),
    each: rounds
  }
  log(
    `durable: failover: first taken over ${result.firstTakenOverMs} ms after the kill, all ${result.allTakenOverMs} ms`
  )
  return result
}

export const runProcessBench = async (pg: RunningPostgres, scratch: string, o: ProcessBenchOptions) => {
  let sqliteFiles = 0
  const sqliteStore = async () => `sqlite:${path.join(scratch, `resume-${sqliteFiles++}.sqlite`)}`
  let pgDatabases = 0
  const pgStore = () => pg.createDatabase(`resume_${pgDatabases++}`)
  return {
    throughput: [await throughputOn(pg, 1, o), await throughputOn(pg, 2, o)],
    resume: [await resumeOn("sqlite", sqliteStore, o), await resumeOn("postgres", pgStore, o)],
    failover: await failoverOn(pg, o)
  }
}
