/**
 * Secrets in the store (docs/durable.md): with a store key, a durable run's inputs (the API key
 * among them), every journaled response and the result are sealed, so the store's file holds
 * none of their bytes; the run still completes (its polls replay sealed entries), and a process
 * without the key cannot open them. Without a key the same bytes are in the file: the check can
 * fail. Across processes (kill -9, two workers on PostgreSQL) see kill9.test.ts.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/effect3"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import { randomBytes } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import * as Durable from "../../runtime/durable/index.js"
import { type CivitaiMock, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { img2imgInputs } from "./img2img-inputs.js"

const scratch = mkdtempSync(path.join(tmpdir(), "arazzo-durable-secrets-"))
const Img2img = Durable.make(blobUploadImg2img, { name: "test/img2img-secrets" })
/** Fresh for this run, so finding its bytes in a file cannot be a coincidence. */
const TOKEN = `tok_${randomBytes(16).toString("hex")}`
const KEY = randomBytes(32).toString("base64")

let mock: CivitaiMock
beforeAll(async () => {
  mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 2 })
})
afterAll(async () => {
  await mock.close()
  rmSync(scratch, { recursive: true, force: true })
})

const quick = { entityTerminationTimeout: "100 millis" } as const

const worker = (filename: string, key: string | undefined) =>
  ManagedRuntime.make(
    Img2img.layer.pipe(
      Layer.provide(
        Arazzo.Policies.layer({ poll: Schedule.spaced("50 millis").pipe(Schedule.intersect(Schedule.recurs(20))) })
      ),
      Layer.provide(Arazzo.Servers.layer({ civitaiOrchestrationApi: mock.url })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provideMerge(Durable.sqlite({ filename, cluster: quick, key }))
    )
  )

/** Every byte SQLite wrote for `filename` (the database and its journal files). */
const storeBytes = (filename: string): Buffer =>
  Buffer.concat(
    readdirSync(path.dirname(filename))
      .filter((f) => f.startsWith(path.basename(filename)))
      .map((f) => readFileSync(path.join(path.dirname(filename), f)))
  )

/** Runs img2img durably on a fresh file; returns the file's bytes and what a response said. */
const runOn = async (name: string, key: string | undefined) => {
  const filename = path.join(scratch, `${name}.sqlite`)
  const runtime = worker(filename, key)
  try {
    const id = await runtime.runPromise(Img2img.start(img2imgInputs(TOKEN), { key: name }))
    const result = await runtime.runPromise(Img2img.await(id, { every: "20 millis" }))
    expect(result._tag).toBe("Completed")
    return { id, filename, result, bytes: storeBytes(filename) }
  } finally {
    await runtime.dispose()
  }
}

describe("secrets in the durable store (SQLite)", () => {
  it("with a store key, the file holds neither the API key, nor a response's values, nor the image", async () => {
    const { bytes, filename, id, result } = await runOn("sealed", KEY)
    // What a response carried (the output's URL the API answered) and what the inputs carried.
    const issued = result.outputs.outputBlobUrl!
    expect(issued).toContain(mock.url)
    const image = Buffer.from(img2imgInputs(TOKEN).file).toString("base64").slice(0, 64)
    expect(mock.calls("getWorkflow")).toBeGreaterThanOrEqual(3) // polls, so sealed entries were replayed
    expect(bytes.includes(TOKEN)).toBe(false)
    expect(bytes.includes(issued)).toBe(false)
    expect(bytes.includes(image)).toBe(false)
    expect(bytes.includes("$arazzo.sealed")).toBe(true)

    // A client of the same file without the key cannot open the result: it says why.
    const blind = ManagedRuntime.make(Durable.sqlite({ filename, client: true, cluster: quick }))
    try {
      const exit = await blind.runPromise(Effect.exit(Img2img.await(id)))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("sealed with a store key")
    } finally {
      await blind.dispose()
    }
  })

  it("without a key the same bytes are in the file (what the key prevents)", async () => {
    const { bytes, result } = await runOn("clear", undefined)
    expect(bytes.includes(TOKEN)).toBe(true)
    expect(bytes.includes(result.outputs.outputBlobUrl!)).toBe(true)
  })

  it("a store key that is not 32 bytes is refused when the store is built", async () => {
    const runtime = ManagedRuntime.make(Durable.sqlite({ filename: path.join(scratch, "bad.sqlite"), key: "short" }))
    await expect(runtime.runPromise(Effect.void)).rejects.toThrow(/32 random bytes/)
    await runtime.dispose()
  })
})
