/**
 * The durable entry point in one process, on a SQLite file and a real HTTP mock: what goes into
 * the store comes back as it was (a File input, Completed and Ended results, typed errors), a
 * start with the same inputs finds the same execution, POSTs carry an Idempotency-Key, and the
 * workflow timeout applies to a durable run.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../../runtime/durable/index.js"
import { type CivitaiMock, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { img2imgInputs, TOKEN } from "./img2img-inputs.js"

const scratch = mkdtempSync(path.join(tmpdir(), "arazzo-durable-"))
const Img2img = Durable.make(blobUploadImg2img, { name: "test/img2img" })
// The same generated workflow under another name, with a workflow timeout shorter than its poll.
const Bounded = Durable.make(blobUploadImg2img, { name: "test/img2img-bounded" })

const poll = Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(100)))
let mock: CivitaiMock
/** Never done polling: for the workflow timeout. */
let slow: CivitaiMock
let runtime: ManagedRuntime.ManagedRuntime<Durable.WorkflowEngine, unknown>

beforeAll(async () => {
  mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 1 })
  slow = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 1_000 })
  runtime = ManagedRuntime.make(
    Layer.mergeAll(
      Img2img.layer.pipe(
        Layer.provide(Arazzo.Policies.layer({ poll })),
        Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url }))
      ),
      Bounded.layer.pipe(
        Layer.provide(Arazzo.Policies.layer({ poll, workflowTimeout: "1500 millis" })),
        Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: slow.url }))
      )
    ).pipe(
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provideMerge(Durable.sqlite({
        filename: path.join(scratch, "store.db"),
        // Tests dispose the engine at once; a worker's default lets executions finish their step.
        cluster: { entityTerminationTimeout: "100 millis" }
      }))
    )
  )
  await runtime.runPromise(Effect.void)
})

afterAll(async () => {
  await runtime.dispose()
  await mock.close()
  await slow.close()
  rmSync(scratch, { recursive: true, force: true })
})

const countsOf = () => ({ upload: mock.calls("uploadBlob"), submit: mock.calls("submitWorkflow") })

describe("durable workflows in one process (SQLite)", () => {
  it("stores a File input and gives back the Completed result; the same inputs start the same execution", async () => {
    const before = countsOf()
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3, 255])
    const inputs = { ...img2imgInputs(TOKEN), file: new File([bytes], "source.png", { type: "image/png" }) }
    const id = await runtime.runPromise(Img2img.start(inputs))
    const again = await runtime.runPromise(Img2img.start(inputs))
    expect(again).toBe(id)
    const result = await runtime.runPromise(Img2img.await(id, { every: "50 millis" }))

    expect(result._tag).toBe("Completed")
    const blob = [...mock.blobs.values()].at(-1)
    expect(blob?.bytes).toEqual(bytes)
    expect(blob?.filename).toBe("source.png")
    expect(blob?.mimeType).toBe("image/png")
    expect(result.outputs.sourceBlobId).toBe(blob?.id)
    expect(result.outputs.outputBlobUrl).toBe(`${mock.url}/blobs/out_${result.outputs.workflowId}`)
    expect(result.steps.readResult?.cost).toBe(25)
    expect(countsOf()).toEqual({ upload: before.upload + 1, submit: before.submit + 1 })

    expect(await runtime.runPromise(Img2img.status(id))).toMatchObject({ _tag: "Done", exit: { _tag: "Success" } })
    expect(await runtime.runPromise(Img2img.status("no-such-execution"))).toEqual({ _tag: "Pending" })
  })

  it("sends an Idempotency-Key with each POST, a different one per step, none with GETs", async () => {
    const from = mock.requests.length
    await runtime.runPromise(Img2img.run(img2imgInputs(TOKEN), { key: "idempotency-test" }))
    const sent = mock.requests.slice(from)
    const keys = sent.filter((r) => r.method === "POST").map((r) => r.headers[Durable.IDEMPOTENCY_HEADER])
    expect(keys).toHaveLength(2)
    expect(keys.every((k) => /^[0-9a-f]{32}$/.test(k ?? ""))).toBe(true)
    expect(new Set(keys).size).toBe(2)
    expect(sent.filter((r) => r.method === "GET").every((r) => r.headers[Durable.IDEMPOTENCY_HEADER] === undefined))
      .toBe(true)
  })

  it("fails with the runtime's typed error, decoded from the store", async () => {
    const error = await runtime.runPromise(Effect.flip(Img2img.run(img2imgInputs("a-wrong-token"))))
    expect(error).toBeInstanceOf(Arazzo.StepFailed)
    expect(error).toMatchObject({ _tag: "StepFailed", stepId: "uploadSource", status: 401 })
  })

  it("is suspended between polls, and the workflow timeout ends a durable run", async () => {
    const started = Date.now()
    const id = await runtime.runPromise(Bounded.start(img2imgInputs(TOKEN)))
    // Between polls it is suspended on a durable wait.
    const seen = new Set<string>()
    while (!seen.has("Suspended") && Date.now() - started < 5_000) {
      seen.add((await runtime.runPromise(Bounded.status(id)))._tag)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect([...seen]).toContain("Suspended")
    const error = await runtime.runPromise(Effect.flip(Bounded.await(id, { every: "50 millis" })))
    expect(error).toMatchObject({ _tag: "WorkflowTimeout", workflowId: "blob-upload-img2img" })
    expect(slow.calls("getWorkflow")).toBeGreaterThan(1)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
