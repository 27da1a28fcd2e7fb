/**
 * What already held, kept as a regression: 1,000 concurrent runs of the generated img2img workflow
 * through a misbehaving loopback proxy (seeded faults: 500s, 503s with odd Retry-After values,
 * reset connections, truncated and non-JSON bodies, slow and silent answers). Every run ends within
 * the policy's bounds, as a result or as a typed failure (never a defect, never an interruption),
 * every failure carries the outputs gathered before it, and the API key appears in no error, no
 * printed cause and no log line.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"
import { type CivitaiMock, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { quickPoll, randomImage } from "../support/img2img.js"

const RUNS = Number(process.env.CHAOS_RUNS ?? 1000)
const SEED = 20261202
const API_KEY = "sk-live-CHAOS-7f3a9c1e"
const STEPS = ["uploadSource", "submitImg2Img", "pollWorkflow", "readResult"] as const

type Fault = "pass" | "500" | "503-odd-retry-after" | "reset" | "truncated" | "html" | "slow" | "silent"

/** Cumulative weights (per 1,000) of each fault; most requests pass. */
const FAULTS: ReadonlyArray<readonly [Fault, number]> = [
  ["pass", 800],
  ["500", 830],
  ["503-odd-retry-after", 860],
  ["reset", 890],
  ["truncated", 920],
  ["html", 950],
  ["slow", 990],
  ["silent", 1000]
]

/** A small seeded generator (mulberry32), so a failure reproduces. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ODD_RETRY_AFTER = ["-5", "0.01", "garbage", "Thu, 01 Jan 1970 00:00:00 GMT"]

interface Proxy {
  readonly url: string
  readonly faults: Map<Fault, number>
  readonly server: Server
}

/** A loopback proxy in front of the mock that misbehaves on a seeded share of requests. */
const chaosProxy = async (target: string): Promise<Proxy> => {
  const random = seeded(SEED)
  const faults = new Map<Fault, number>()
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const draw = random() * 1000
    const fault = FAULTS.find(([, upTo]) => draw < upTo)![0]
    faults.set(fault, (faults.get(fault) ?? 0) + 1)
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      switch (fault) {
        case "500":
          return res.writeHead(500, { "content-type": "application/json" }).end(`{"error":"boom"}`)
        case "503-odd-retry-after":
          return res.writeHead(503, { "retry-after": ODD_RETRY_AFTER[Math.floor(random() * 4)]! }).end()
        case "reset":
          return req.socket.destroy()
        case "html":
          return res.writeHead(200, { "content-type": "text/html" }).end("<html>maintenance</html>")
        case "silent":
          return
      }
      const forward = () => {
        const out = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            const body: Array<Buffer> = []
            answer.on("data", (chunk: Buffer) => body.push(chunk))
            answer.on("end", () => {
              const bytes = Buffer.concat(body)
              if (fault === "truncated" && bytes.length > 1) {
                res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "content-length": String(bytes.length) })
                res.write(bytes.subarray(0, bytes.length >> 1))
                return req.socket.destroy()
              }
              res.writeHead(answer.statusCode ?? 502, answer.headers).end(bytes)
            })
          }
        )
        out.on("error", () => req.socket.destroy())
        out.end(Buffer.concat(chunks))
      }
      if (fault === "slow") setTimeout(forward, 50 + random() * 200)
      else forward()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, faults, server }
}

const closing: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closing.splice(0)) await close()
})

describe("1,000 concurrent runs through a misbehaving server", () => {
  it("each ends bounded, as a result or a typed failure with what it gathered; the key is never shown", async () => {
    const mock: CivitaiMock = await startCivitaiMock({ token: API_KEY, pollsUntilDone: 2 })
    const proxy = await chaosProxy(mock.url)
    closing.push(async () => {
      proxy.server.closeAllConnections()
      await new Promise((resolve) => proxy.server.close(resolve))
      await mock.close()
    })

    const logs: Array<string> = []
    const logger = Logger.make(({ message, cause }) => {
      logs.push(`${JSON.stringify(message)} ${Cause.pretty(cause)}`)
    })
    const environment = Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Arazzo.Servers.layer({ civitaiOrchestrationApi: proxy.url }),
      Arazzo.Policies.layer({
        poll: quickPoll,
        retry: Schedule.spaced("5 millis").pipe(Schedule.intersect(Schedule.recurs(2))),
        maxRetryAfter: "1 second",
        stepTimeout: "10 seconds",
        workflowTimeout: "60 seconds"
      }),
      Logger.replace(Logger.defaultLogger, logger)
    )
    const image = randomImage(512)
    const started = performance.now()
    const exits = await Promise.all(
      Array.from({ length: RUNS }, () =>
        Effect.runPromiseExit(
          blobUploadImg2img({ apiKey: API_KEY, file: image, engine: "flux2", prompt: "chaos", moderate: true }).pipe(
            Effect.provide(environment)
          )
        ))
    )
    const seconds = (performance.now() - started) / 1000
    const tags = new Map<string, number>()
    let completed = 0
    for (const exit of exits) {
      if (Exit.isSuccess(exit)) {
        if (exit.value._tag === "Completed") {
          completed++
          expect(exit.value.outputs.outputBlobUrl).toMatch(/\/blobs\/out_wf_/)
        }
        expect(JSON.stringify(exit.value)).not.toContain(API_KEY)
        continue
      }
      // A typed failure: no defect, no interruption, exactly one error from the workflow's union.
      expect(Cause.defects(exit.cause).length, Cause.pretty(exit.cause)).toBe(0)
      expect(Cause.isInterrupted(exit.cause)).toBe(false)
      const error = Option.getOrThrow(Cause.failureOption(exit.cause))
      tags.set(error._tag, (tags.get(error._tag) ?? 0) + 1)
      for (const shown of [JSON.stringify(error), String(error), error.message, Cause.pretty(exit.cause)]) {
        expect(shown).not.toContain(API_KEY)
      }
      // Nothing gathered is lost: the steps before the failing one are in its outputs (a poll's
      // earlier passes may be there too).
      if ("stepId" in error && "stepOutputs" in error) {
        const index = STEPS.indexOf(error.stepId as (typeof STEPS)[number])
        expect(index, error.message).toBeGreaterThanOrEqual(0)
        expect(Object.keys(error.stepOutputs)).toEqual(expect.arrayContaining(STEPS.slice(0, index)))
      }
    }
    for (const line of logs) expect(line).not.toContain(API_KEY)
    console.log(
      `${RUNS} runs in ${seconds.toFixed(1)} s: ${completed} completed, failures ${
        JSON.stringify(Object.fromEntries(tags))
      }; faults injected ${JSON.stringify(Object.fromEntries(proxy.faults))}`
    )
    // The faults did reach the runs, and retries carried most of them through.
    expect(completed).toBeGreaterThan(RUNS / 4)
    expect(tags.size).toBeGreaterThan(0)
    expect(proxy.faults.get("reset") ?? 0).toBeGreaterThan(0)
  }, 180_000)
})
