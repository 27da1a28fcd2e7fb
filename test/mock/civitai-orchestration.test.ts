/**
 * Tests of the Civitai Orchestration mock itself, over real loopback HTTP with plain `fetch`.
 */
import { it as effectIt } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createHash, randomBytes } from "node:crypto"
import { request as httpRequest } from "node:http"
import { afterEach, describe, expect, it } from "vitest"
import {
  type CivitaiMock,
  civitaiMock,
  type CivitaiMockOptions,
  OUTPUT_IMAGE_PNG,
  startCivitaiMock,
  type WorkflowOutcome
} from "./civitai-orchestration.js"

const TOKEN = "test-token"

const started: Array<CivitaiMock> = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((mock) => mock.close()))
})

const start = async (options?: CivitaiMockOptions): Promise<CivitaiMock> => {
  const mock = await startCivitaiMock(options)
  started.push(mock)
  return mock
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A call to a /v2 route with the default bearer token unless `headers` say otherwise. */
const api = (mock: CivitaiMock, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${mock.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } })

const postJson = (mock: CivitaiMock, path: string, body: unknown, method = "POST") =>
  api(mock, path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

const uploadForm = (
  bytes: Uint8Array<ArrayBuffer>,
  options: { type?: string; filename?: string; moderate?: string } = {}
) => {
  const form = new FormData()
  form.append(
    "file",
    new Blob([bytes], options.type === undefined ? {} : { type: options.type }),
    options.filename ?? "source.png"
  )
  if (options.moderate !== undefined) form.append("moderate", options.moderate)
  return form
}

const upload = (mock: CivitaiMock, form: FormData, init: RequestInit = {}) =>
  api(mock, "/v2/consumer/blobs", { method: "POST", body: form, ...init })

const IMG2IMG = {
  steps: [{
    $type: "imageGen",
    name: "img2img",
    input: { engine: "flux2", prompt: "a lighthouse", width: 832, height: 1216, images: ["blob_1"] }
  }]
}

const submit = async (mock: CivitaiMock, body: unknown = IMG2IMG): Promise<string> => {
  const response = await postJson(mock, "/v2/consumer/workflows", body)
  expect(response.status).toBe(202)
  const workflow = (await response.json()) as { id: string }
  return workflow.id
}

interface WorkflowBody {
  id: string
  status: string
  cost?: { base: number; total: number; currency: string }
  steps: Array<
    {
      name: string
      $type: string
      status: string
      jobs: Array<{ status: string; result?: { blobs: Array<Record<string, unknown>> } }>
    }
  >
}

const getWorkflow = async (mock: CivitaiMock, id: string): Promise<WorkflowBody> => {
  const response = await api(mock, `/v2/consumer/workflows/${id}`)
  expect(response.status).toBe(200)
  return (await response.json()) as WorkflowBody
}

const pollStatuses = async (mock: CivitaiMock, id: string, times: number): Promise<Array<string>> => {
  const statuses: Array<string> = []
  for (let i = 0; i < times; i++) statuses.push((await getWorkflow(mock, id)).status)
  return statuses
}

const expectErrorJson = async (response: Response, status: number, code: string) => {
  expect(response.status).toBe(status)
  expect(response.headers.get("content-type")).toMatch(/^application\/json/)
  const body = (await response.json()) as Record<string, unknown>
  expect(body).toMatchObject({ code, message: expect.any(String), traceId: expect.any(String) })
  return body
}

describe("uploadBlob", () => {
  it("keeps the exact bytes, mime type, filename and moderate flag, and serves them back", async () => {
    const mock = await start()
    const bytes = new Uint8Array(randomBytes(64 * 1024))
    const response = await upload(
      mock,
      uploadForm(bytes, { type: "image/webp", filename: "cat.webp", moderate: "false" })
    )

    expect(response.status).toBe(201)
    const blob = (await response.json()) as Record<string, unknown>
    const sha256 = createHash("sha256").update(bytes).digest("hex")
    expect(blob).toMatchObject({
      id: "blob_1",
      mimeType: "image/webp",
      sizeBytes: 64 * 1024,
      url: `${mock.url}/blobs/blob_1`,
      sha256,
      nsfwLevel: 1,
      createdAt: expect.any(String)
    })

    const stored = mock.blobs.get("blob_1")
    expect(stored?.filename).toBe("cat.webp")
    expect(stored?.moderate).toBe(false)
    expect(Buffer.from(stored?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true)

    const download = await fetch(String(blob["url"]))
    expect(download.status).toBe(200)
    expect(download.headers.get("content-type")).toBe("image/webp")
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true)
  })

  it("numbers blobs per server, reads moderate=true, defaults it to true and the mime type to octet-stream", async () => {
    const mock = await start()
    await upload(mock, uploadForm(new Uint8Array([1]), { type: "image/png", moderate: "true" }))
    const second = await upload(mock, uploadForm(new Uint8Array([2])))

    expect(((await second.json()) as { id: string }).id).toBe("blob_2")
    expect(mock.blobs.get("blob_1")?.moderate).toBe(true)
    expect(mock.blobs.get("blob_2")?.moderate).toBe(true)
    expect(mock.blobs.get("blob_2")?.mimeType).toBe("application/octet-stream")
    const other = await start()
    expect(((await (await upload(other, uploadForm(new Uint8Array([3])))).json()) as { id: string }).id).toBe("blob_1")
  })

  it("refuses a body without a file part, a non-multipart body and a bad moderate flag, storing nothing", async () => {
    const mock = await start()
    const noFile = new FormData()
    noFile.append("moderate", "true")
    await expectErrorJson(await upload(mock, noFile), 400, "bad_request")
    await expectErrorJson(await postJson(mock, "/v2/consumer/blobs", { file: "abc" }), 400, "bad_request")
    await expectErrorJson(
      await upload(mock, uploadForm(new Uint8Array([1]), { moderate: "maybe" })),
      400,
      "bad_request"
    )
    expect(mock.blobs.size).toBe(0)
  })

  it("serves blob metadata by id, and 404 for an unknown one", async () => {
    const mock = await start()
    await upload(mock, uploadForm(new Uint8Array([9, 8, 7]), { type: "image/png" }))
    const response = await api(mock, "/v2/consumer/blobs/blob_1")
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: "blob_1", sizeBytes: 3, mimeType: "image/png" })
    await expectErrorJson(await api(mock, "/v2/consumer/blobs/blob_99"), 404, "not_found")
    await expectErrorJson(await fetch(`${mock.url}/blobs/blob_99`), 404, "not_found")
  })
})

describe("authorization", () => {
  it("answers 401 to a wrong or missing token without echoing it, and changes nothing", async () => {
    const mock = await start()
    const presented = "sk-wrong-secret-123"
    await submit(mock)
    const wrong = await api(mock, "/v2/consumer/workflows", {
      method: "POST",
      headers: { authorization: `Bearer ${presented}`, "content-type": "application/json" },
      body: JSON.stringify(IMG2IMG)
    })
    const text = await wrong.text()
    expect(wrong.status).toBe(401)
    expect(JSON.parse(text)).toMatchObject({ code: "unauthorized" })
    expect(text).not.toContain(presented)
    expect(text).not.toContain(TOKEN)

    const missing = await fetch(`${mock.url}/v2/consumer/workflows/wf_1`)
    await expectErrorJson(missing, 401, "unauthorized")
    expect([...mock.workflows.keys()]).toEqual(["wf_1"])
    expect(mock.workflows.get("wf_1")?.polls).toBe(0)
  })

  it("accepts the configured token only", async () => {
    const mock = await start({ token: "custom" })
    expect((await api(mock, "/v2/consumer/workflows")).status).toBe(401)
    expect((await api(mock, "/v2/consumer/workflows", { headers: { authorization: "Bearer custom" } })).status).toBe(
      200
    )
  })

  it("does not guard blob downloads, which stand for signed URLs", async () => {
    const mock = await start()
    await upload(mock, uploadForm(new Uint8Array([1, 2])))
    expect((await fetch(`${mock.url}/blobs/blob_1`)).status).toBe(200)
  })
})

describe("submitWorkflow", () => {
  it("records the body and answers 202 with an unassigned workflow echoing the steps", async () => {
    const mock = await start()
    const body = { ...IMG2IMG, tags: ["demo"], callbackUrl: "https://example.test/hook" }
    const response = await postJson(mock, "/v2/consumer/workflows", body)

    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({
      id: "wf_1",
      status: "unassigned",
      tags: ["demo"],
      createdAt: expect.any(String),
      steps: [{ name: "img2img", $type: "imageGen", status: "unassigned", jobs: [] }]
    })
    expect(mock.workflows.get("wf_1")?.request).toEqual(body)
  })

  it("refuses a request without a steps array, or invalid JSON", async () => {
    const mock = await start()
    await expectErrorJson(await postJson(mock, "/v2/consumer/workflows", { tags: [] }), 400, "bad_request")
    await expectErrorJson(
      await postJson(mock, "/v2/consumer/workflows", { steps: [{ name: "no type" }] }),
      400,
      "bad_request"
    )
    const notJson = await api(mock, "/v2/consumer/workflows", { method: "POST", body: "{steps:" })
    await expectErrorJson(notJson, 400, "bad_request")
    expect(mock.workflows.size).toBe(0)
  })
})

describe("getWorkflow progression", () => {
  it("by default answers preparing, processing, processing, then succeeded for good", async () => {
    const mock = await start()
    const id = await submit(mock)
    expect(await pollStatuses(mock, id, 6)).toEqual([
      "preparing",
      "processing",
      "processing",
      "succeeded",
      "succeeded",
      "succeeded"
    ])
    expect(mock.workflows.get(id)?.polls).toBe(6)
  })

  it.each<WorkflowOutcome>(["succeeded", "failed", "expired", "canceled"])(
    "with pollsUntilDone=2 ends %s on the third poll",
    async (outcome) => {
      const mock = await start({ pollsUntilDone: 2, outcome })
      const id = await submit(mock)
      expect(await pollStatuses(mock, id, 4)).toEqual(["preparing", "processing", outcome, outcome])

      const final = await getWorkflow(mock, id)
      const job = final.steps[0]?.jobs[0]
      expect(job?.status).toBe(outcome)
      if (outcome === "succeeded") {
        expect(final.cost).toEqual({ base: expect.any(Number), total: expect.any(Number), currency: "BUZZ" })
        expect(job?.result?.blobs[0]?.["url"]).toBe(`${mock.url}/blobs/out_${id}`)
      } else {
        expect(final.cost).toBeUndefined()
        expect(job?.result).toBeUndefined()
        expect((await fetch(`${mock.url}/blobs/out_${id}`)).status).toBe(404)
      }
    }
  )

  it("with pollsUntilDone=0 finishes on the first poll", async () => {
    const mock = await start({ pollsUntilDone: 0 })
    const id = await submit(mock)
    expect(await pollStatuses(mock, id, 2)).toEqual(["succeeded", "succeeded"])
  })

  it("gives a succeeded workflow an output image whose URL serves bytes", async () => {
    const mock = await start({ pollsUntilDone: 1 })
    const id = await submit(mock)
    await pollStatuses(mock, id, 2)
    const workflow = await getWorkflow(mock, id)
    const output = workflow.steps[0]?.jobs[0]?.result?.blobs[0]
    expect(output).toEqual({
      blobId: `out_${id}`,
      url: `${mock.url}/blobs/out_${id}`,
      mimeType: "image/png",
      width: 832,
      height: 1216,
      nsfwLevel: 1
    })

    const download = await fetch(String(output?.["url"]))
    expect(download.status).toBe(200)
    expect(download.headers.get("content-type")).toBe("image/png")
    const bytes = new Uint8Array(await download.arrayBuffer())
    expect(bytes.byteLength).toBeGreaterThan(0)
    expect(Buffer.from(bytes).equals(Buffer.from(OUTPUT_IMAGE_PNG))).toBe(true)
  })

  it("answers 404 with an Error for an unknown workflow", async () => {
    const mock = await start()
    await expectErrorJson(await api(mock, "/v2/consumer/workflows/wf_404"), 404, "not_found")
  })
})

describe("transient failures", () => {
  it("fails an upload N times with 503 and Retry-After, storing nothing, then succeeds", async () => {
    const mock = await start({ unavailable: { uploadBlob: { times: 2 } } })
    const bytes = new Uint8Array(randomBytes(1024))
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await upload(mock, uploadForm(bytes))
      expect(response.headers.get("retry-after")).toBe("1")
      await expectErrorJson(response, 503, "service_unavailable")
      expect(mock.blobs.size).toBe(0)
    }
    const success = await upload(mock, uploadForm(bytes))
    expect(success.status).toBe(201)
    expect(((await success.json()) as { id: string }).id).toBe("blob_1")
    expect(mock.calls("uploadBlob")).toBe(3)
    expect(mock.requests.map((request) => request.status)).toEqual([503, 503, 201])
  })

  it("fails polls with 429 and a verbatim HTTP-date Retry-After without advancing the progression", async () => {
    const retryAfter = "Wed, 21 Oct 2015 07:28:00 GMT"
    const mock = await start({ pollsUntilDone: 2, unavailable: { getWorkflow: { times: 3, status: 429, retryAfter } } })
    const id = await submit(mock)
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await api(mock, `/v2/consumer/workflows/${id}`)
      expect(response.headers.get("retry-after")).toBe(retryAfter)
      await expectErrorJson(response, 429, "rate_limited")
    }
    expect(mock.workflows.get(id)?.status).toBe("unassigned")
    expect(mock.workflows.get(id)?.polls).toBe(0)
    expect(await pollStatuses(mock, id, 3)).toEqual(["preparing", "processing", "succeeded"])
  })

  it("fails a submission without recording a workflow or using up an id", async () => {
    const mock = await start({ unavailable: { submitWorkflow: { times: 1 } } })
    await expectErrorJson(await postJson(mock, "/v2/consumer/workflows", IMG2IMG), 503, "service_unavailable")
    expect(mock.workflows.size).toBe(0)
    expect(await submit(mock)).toBe("wf_1")
  })
})

describe("slow responses", () => {
  it("delays the configured operation", async () => {
    const mock = await start({ delayMs: { getWorkflow: 200 } })
    const id = await submit(mock)
    const before = performance.now()
    await getWorkflow(mock, id)
    expect(performance.now() - before).toBeGreaterThanOrEqual(180)
  })

  it("closes promptly during a delayed request, which then has no effect", async () => {
    const mock = await startCivitaiMock({ delayMs: { getWorkflow: 500 } })
    const id = await submit(mock)
    const outcome = api(mock, `/v2/consumer/workflows/${id}`).then(
      () => "answered",
      () => "connection failed"
    )
    for (let waited = 0; mock.calls("getWorkflow") === 0 && waited < 2000; waited += 5) await sleep(5)
    expect(mock.calls("getWorkflow")).toBe(1)

    const before = performance.now()
    await mock.close()
    expect(performance.now() - before).toBeLessThan(400)
    expect(await outcome).toBe("connection failed")

    // Past the delay: the poll must not have advanced the workflow after the close.
    await sleep(600)
    expect(mock.workflows.get(id)).toMatchObject({ status: "unassigned", polls: 0 })
    expect(mock.requests[1]?.status).toBeUndefined()
  })
})

describe("queryWorkflows", () => {
  it("filters by status and tags, and pages with take and nextCursor, without advancing anything", async () => {
    const mock = await start()
    const first = await submit(mock, { ...IMG2IMG, tags: ["a"] })
    const second = await submit(mock, { ...IMG2IMG, tags: ["a", "b"] })
    const third = await submit(mock)
    await pollStatuses(mock, second, 2)
    await pollStatuses(mock, third, 2)

    const query = async (search: string) => {
      const response = await api(mock, `/v2/consumer/workflows?${search}`)
      expect(response.status).toBe(200)
      const page = (await response.json()) as { items: Array<{ id: string; status: string }>; nextCursor?: string }
      return { ids: page.items.map((item) => item.id), nextCursor: page.nextCursor }
    }
    expect(await query("status=processing")).toEqual({ ids: [second, third], nextCursor: undefined })
    expect(await query("status=unassigned")).toEqual({ ids: [first], nextCursor: undefined })
    expect(await query("tags=a&tags=b")).toEqual({ ids: [second], nextCursor: undefined })

    const page1 = await query("take=2")
    expect(page1.ids).toEqual([first, second])
    expect(page1.nextCursor).toEqual(expect.any(String))
    expect(await query(`take=2&cursor=${page1.nextCursor}`)).toEqual({ ids: [third], nextCursor: undefined })

    expect(mock.workflows.get(second)?.polls).toBe(2)
    await expectErrorJson(await api(mock, "/v2/consumer/workflows?status=done"), 400, "bad_request")
    await expectErrorJson(await api(mock, "/v2/consumer/workflows?take=101"), 400, "bad_request")
  })
})

describe("updateWorkflow", () => {
  it("cancels a running workflow, which stays canceled", async () => {
    const mock = await start()
    const id = await submit(mock)
    await pollStatuses(mock, id, 2)
    const response = await postJson(mock, `/v2/consumer/workflows/${id}`, { status: "canceled" }, "PUT")
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id, status: "canceled", completedAt: expect.any(String) })
    expect(await pollStatuses(mock, id, 3)).toEqual(["canceled", "canceled", "canceled"])
  })

  it("keeps the outcome of a finished workflow, updates tags, refuses other statuses and unknown ids", async () => {
    const mock = await start({ pollsUntilDone: 0 })
    const id = await submit(mock)
    await getWorkflow(mock, id)
    const response = await postJson(mock, `/v2/consumer/workflows/${id}`, { status: "canceled", tags: ["kept"] }, "PUT")
    expect(await response.json()).toMatchObject({ status: "succeeded", tags: ["kept"] })
    await expectErrorJson(
      await postJson(mock, `/v2/consumer/workflows/${id}`, { status: "succeeded" }, "PUT"),
      400,
      "bad_request"
    )
    await expectErrorJson(
      await postJson(mock, "/v2/consumer/workflows/wf_9", { status: "canceled" }, "PUT"),
      404,
      "not_found"
    )
  })
})

describe("getBlobUploadUrl", () => {
  it("reserves a blob id whose upload URL accepts the bytes", async () => {
    const mock = await start()
    const response = await api(mock, "/v2/consumer/blobs/upload-url?mimeType=image/jpeg&sizeBytes=3")
    expect(response.status).toBe(200)
    const grant = (await response.json()) as {
      blobId: string
      uploadUrl: string
      expiresAt: string
      headers: Record<string, string>
    }
    expect(grant).toEqual({
      blobId: "blob_1",
      uploadUrl: `${mock.url}/uploads/blob_1`,
      expiresAt: expect.any(String),
      headers: { "Content-Type": "image/jpeg" }
    })
    expect((await api(mock, "/v2/consumer/blobs/blob_1")).status).toBe(404)

    const put = await fetch(grant.uploadUrl, { method: "PUT", headers: grant.headers, body: new Uint8Array([4, 5, 6]) })
    expect(put.status).toBe(200)
    expect(await (await api(mock, "/v2/consumer/blobs/blob_1")).json()).toMatchObject({
      id: "blob_1",
      mimeType: "image/jpeg",
      sizeBytes: 3
    })
  })

  it("requires mimeType", async () => {
    const mock = await start()
    await expectErrorJson(await api(mock, "/v2/consumer/blobs/upload-url?sizeBytes=3"), 400, "bad_request")
  })
})

describe("routing and the request log", () => {
  it("answers 404 for unknown paths and 405 with Allow for a wrong method", async () => {
    const mock = await start()
    await expectErrorJson(await api(mock, "/v2/consumer/nothing"), 404, "not_found")
    const wrongMethod = await api(mock, "/v2/consumer/workflows/wf_1", { method: "DELETE" })
    expect(wrongMethod.headers.get("allow")).toBe("GET, PUT")
    await expectErrorJson(wrongMethod, 405, "method_not_allowed")
    expect(mock.requests.map((request) => request.operation)).toEqual(["unknown", "unknown"])
  })

  it("answers 400 to a request target that is not a URL, and keeps serving", async () => {
    const mock = await start()
    const { port } = new URL(mock.url)
    // fetch cannot send such a target; node:http sends the path verbatim.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, path: "http://[", headers: { connection: "close" } },
        (res) => {
          res.resume()
          resolve(res.statusCode)
        }
      )
      req.on("error", reject)
      req.end()
    })
    expect(status).toBe(400)
    expect(mock.requests[0]).toMatchObject({ operation: "unknown", path: "http://[", status: 400 })
    expect((await api(mock, "/v2/consumer/workflows")).status).toBe(200)
  })

  it("records every request in order with its operation, query, lower-case headers and status", async () => {
    const mock = await start()
    const before = Date.now()
    await upload(mock, uploadForm(new Uint8Array([1])))
    const id = await submit(mock)
    await api(mock, `/v2/consumer/workflows?status=processing&take=5`, { headers: { "X-Trace-Me": "yes" } })
    await getWorkflow(mock, id)

    expect(mock.requests.map(({ operation, method, path, status }) => ({ operation, method, path, status }))).toEqual([
      { operation: "uploadBlob", method: "POST", path: "/v2/consumer/blobs", status: 201 },
      { operation: "submitWorkflow", method: "POST", path: "/v2/consumer/workflows", status: 202 },
      { operation: "queryWorkflows", method: "GET", path: "/v2/consumer/workflows", status: 200 },
      { operation: "getWorkflow", method: "GET", path: `/v2/consumer/workflows/${id}`, status: 200 }
    ])
    const query = mock.requests[2]
    expect(query?.query.get("status")).toBe("processing")
    expect(query?.query.get("take")).toBe("5")
    expect(query?.headers["x-trace-me"]).toBe("yes")
    expect(query?.headers["authorization"]).toBe(`Bearer ${TOKEN}`)
    expect(mock.requests[0]?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
    const times = mock.requests.map((request) => request.at)
    expect(times[0]).toBeGreaterThanOrEqual(before)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(mock.calls("getWorkflow")).toBe(1)
    expect(mock.calls("getBlob")).toBe(0)
  })
})

describe("civitaiMock", () => {
  effectIt.scopedLive("serves while its scope is open", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ token: "scoped" })
      const response = yield* Effect.promise(() =>
        fetch(`${mock.url}/v2/consumer/workflows`, { headers: { authorization: "Bearer scoped" } })
      )
      expect(response.status).toBe(200)
    }))

  it("closes the server when its scope closes", async () => {
    const url = await Effect.runPromise(
      Effect.scoped(Effect.map(civitaiMock(), (mock) => mock.url))
    )
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await expect(fetch(`${url}/v2/consumer/workflows`)).rejects.toThrow()
  })
})
