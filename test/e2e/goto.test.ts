/**
 * Goto graphs that are not a straight line run as an explicit state machine: a jump back to
 * restart a failed job, a jump forward over a step, an unconditional jump back; and the
 * policy's step guard stops a run that would go round for ever.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ServerResponse } from "node:http"
import { runJob } from "../../generated/job-restart.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

/** A jobs API whose jobs report the given statuses, one per check (the last repeats). */
const jobsApi = (statusesByJob: ReadonlyArray<ReadonlyArray<string>>) => {
  let created = 0
  const checks = new Map<string, number>()
  const route = (id: string) => ({
    [`GET /jobs/${id}`]: (_req: unknown, res: ServerResponse) => {
      const n = checks.get(id) ?? 0
      checks.set(id, n + 1)
      const statuses = statusesByJob[Number(id.slice(4)) - 1] ?? ["done"]
      json(res, 200, { id, status: statuses[Math.min(n, statuses.length - 1)] })
    },
    [`GET /jobs/${id}/progress`]: (_req: unknown, res: ServerResponse) =>
      json(res, 200, { percent: 10 * (checks.get(id) ?? 0) }),
    [`GET /jobs/${id}/report`]: (_req: unknown, res: ServerResponse) => json(res, 200, { url: `https://reports/${id}` })
  })
  return {
    "POST /jobs": (_req: unknown, res: ServerResponse) => json(res, 201, { id: `job-${++created}` }),
    ...route("job-1"),
    ...route("job-2"),
    ...route("job-3")
  }
}

const run = (url: string, policy: Arazzo.PolicySettings = {}) =>
  runJob({}).pipe(Effect.provide(Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Arazzo.Servers.layer({ jobs: url }),
    Arazzo.Policies.layer(policy)
  )))

describe("goto control flow (run-job)", () => {
  it.scopedLive("watches a running job, restarts it when it fails, and reads the report of the one that finishes", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(jobsApi([["running", "failed"], ["running", "running", "done"]]))
      const result = yield* run(server.url)
      expect(result._tag).toBe("Completed")
      expect(result.outputs).toEqual({ jobId: "job-2", reportUrl: "https://reports/job-2", lastPercent: 20 })
      expect(server.hits("POST /jobs")).toBe(2) // restarted once
      expect(server.hits("GET /jobs/job-1")).toBe(2)
      expect(server.hits("GET /jobs/job-1/progress")).toBe(1)
      expect(server.hits("GET /jobs/job-2")).toBe(3)
      expect(server.hits("GET /jobs/job-2/progress")).toBe(2)
      expect(server.hits("GET /jobs/job-1/report")).toBe(0)
      expect(server.hits("GET /jobs/job-2/report")).toBe(1)
    }))

  it.scopedLive("jumps over watchProgress when the job is already done", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(jobsApi([["done"]]))
      const result = yield* run(server.url)
      expect(result.outputs).toEqual({ jobId: "job-1", reportUrl: "https://reports/job-1", lastPercent: undefined })
      expect(server.hits("GET /jobs/job-1/progress")).toBe(0)
    }))

  it.scopedLive("a job that runs for ever is stopped by maxSteps with StepLimitExceeded, keeping what was gathered", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(jobsApi([["running"]]))
      const error = yield* run(server.url, { maxSteps: 9 }).pipe(Effect.flip)
      expect(error._tag).toBe("StepLimitExceeded")
      if (error._tag !== "StepLimitExceeded") return
      expect(error.limit).toBe(9)
      expect(error.stepId).toBe("checkJob") // createJob, then 4 × (checkJob, watchProgress) is 9; the 10th is refused
      expect(error.stepOutputs).toMatchObject({ createJob: { jobId: "job-1" }, checkJob: { status: "running" } })
      expect(server.hits("GET /jobs/job-1") + server.hits("GET /jobs/job-1/progress") + server.hits("POST /jobs")).toBe(
        9
      )
    }))
})
