/**
 * The floor: the img2img flow on raw `node:http` with a keep-alive Agent, the least a Node
 * program can do to send the same 7 requests and make the same checks as the Effect versions
 * (status per step, JSON bodies checked field by field as their Schemas check them, the poll
 * bounded to 51 requests). No retries, timeouts, spans or redaction. The multipart body is
 * encoded on every run, as the other variants do, with a fresh boundary.
 */
import { Buffer } from "node:buffer"
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import type { Img2imgInput, Img2imgOutput } from "./img2img.js"

const RUNNING = new Set(["unassigned", "preparing", "processing"])
const STATUSES = new Set([...RUNNING, "succeeded", "failed", "expired", "canceled"])
const MAX_POLLS = 51

interface Reply {
  readonly status: number
  readonly body: unknown
}

class FloorFailed extends Error {
  constructor(step: string, detail: string) {
    super(`${step}: ${detail}`)
  }
}

const object = (step: string, value: unknown, what: string): Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FloorFailed(step, `${what} is not an object`)
  }
  return value as Record<string, unknown>
}

const string = (step: string, value: unknown, what: string): string => {
  if (typeof value !== "string") throw new FloorFailed(step, `${what} is not a string`)
  return value
}

const number = (step: string, value: unknown, what: string): number => {
  if (typeof value !== "number") throw new FloorFailed(step, `${what} is not a number`)
  return value
}

const nonEmpty = (step: string, value: unknown, what: string): ReadonlyArray<unknown> => {
  if (!Array.isArray(value) || value.length === 0) throw new FloorFailed(step, `${what} is not a non-empty array`)
  return value
}

const status = (step: string, value: unknown): string => {
  const s = string(step, value, "status")
  if (!STATUSES.has(s)) throw new FloorFailed(step, `status ${s} is not a workflow status`)
  return s
}

const multipart = (file: Uint8Array): { readonly body: Buffer; readonly contentType: string } => {
  const boundary = `floor${randomBytes(12).toString("hex")}`
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`
  const tail = `\r\n--${boundary}\r\nContent-Disposition: form-data; name="moderate"\r\n\r\ntrue\r\n--${boundary}--\r\n`
  return {
    body: Buffer.concat([Buffer.from(head), file, Buffer.from(tail)]),
    contentType: `multipart/form-data; boundary=${boundary}`
  }
}

/** One runner per base URL: the Agent keeps its connections between runs, as the Effect variants' clients do. */
export const makeFloor = (baseUrl: string) => {
  const agent = new http.Agent({ keepAlive: true })
  const { hostname, port } = new URL(baseUrl)

  const send = (
    step: string,
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body?: Buffer | string
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const request = http.request({ agent, hostname, port, method, path, headers }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("error", reject)
        response.on("end", () => {
          try {
            const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) })
          } catch (error) {
            reject(new FloorFailed(step, `body is not JSON: ${String(error)}`))
          }
        })
      })
      request.on("error", reject)
      request.end(body)
    })

  const expect = (step: string, reply: Reply, wanted: number): Record<string, unknown> => {
    if (reply.status !== wanted) throw new FloorFailed(step, `status ${reply.status}, expected ${wanted}`)
    return object(step, reply.body, "body")
  }

  const run = async (input: Img2imgInput): Promise<Img2imgOutput> => {
    const authorization = `Bearer ${input.apiKey}`
    const upload = multipart(input.file)
    const blob = expect(
      "uploadSource",
      await send("uploadSource", "POST", "/v2/consumer/blobs", {
        authorization,
        "content-type": upload.contentType,
        "content-length": upload.body.byteLength
      }, upload.body),
      201
    )
    const blobId = string("uploadSource", blob.id, "id")
    number("uploadSource", blob.nsfwLevel, "nsfwLevel")
    const submission = JSON.stringify({
      steps: [{
        $type: "imageGen",
        name: "img2img",
        input: { engine: input.engine, prompt: input.prompt, images: [blobId] }
      }]
    })
    const submitted = expect(
      "submitImg2Img",
      await send("submitImg2Img", "POST", "/v2/consumer/workflows", {
        authorization,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(submission)
      }, submission),
      202
    )
    const workflowId = string("submitImg2Img", submitted.id, "id")
    const path = `/v2/consumer/workflows/${encodeURIComponent(workflowId)}`
    const get = { authorization }
    let last = ""
    for (let poll = 0; poll < MAX_POLLS; poll++) {
      last = status("pollWorkflow", expect("pollWorkflow", await send("pollWorkflow", "GET", path, get), 200).status)
      if (!RUNNING.has(last)) break
    }
    if (RUNNING.has(last)) throw new FloorFailed("pollWorkflow", "still running when the polls ran out")
    if (last !== "succeeded") throw new FloorFailed("pollWorkflow", `ended ${last}`)
    const finished = expect("readResult", await send("readResult", "GET", path, get), 200)
    status("readResult", finished.status)
    number("readResult", object("readResult", finished.cost, "cost").total, "cost.total")
    // Every element, as the hand-written version's Schema checks them; the first output is the result.
    const urls: Array<string> = []
    for (const step of nonEmpty("readResult", finished.steps, "steps")) {
      for (const job of nonEmpty("readResult", object("readResult", step, "step").jobs, "jobs")) {
        const result = object("readResult", object("readResult", job, "job").result, "result")
        for (const blob of nonEmpty("readResult", result.blobs, "blobs")) {
          urls.push(string("readResult", object("readResult", blob, "blob").url, "url"))
        }
      }
    }
    return { sourceBlobId: blobId, workflowId, outputBlobUrl: urls[0]! }
  }

  return { run, dispose: () => agent.destroy() }
}
