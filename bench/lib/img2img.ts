/**
 * The img2img flow three ways, each sending the same requests to the Civitai mock:
 *   1. upload the image (multipart: `file` part, then `moderate=true`)   POST /v2/consumer/blobs
 *   2. submit an imageGen step referencing the blob (JSON)               POST /v2/consumer/workflows
 *   3. poll until the status is terminal (no wait between polls)         GET  /v2/consumer/workflows/{id}
 *   4. read the workflow once more for the output URL and cost           GET  /v2/consumer/workflows/{id}
 *
 * - `generated`: the generated `blobUploadImg2img` on the arazzo-effect runtime.
 * - `handEffect`: written by hand on @effect/platform's HttpClient, as a careful engineer would:
 *   status checks, Schema-decoded bodies, a bounded poll that fails when it runs out, typed errors.
 *   No spans of its own, no retries, no timeouts, no redaction (the generated version has all four).
 * - `floor`: raw `node:http` with a keep-alive Agent, the same checks by hand (bench/lib/floor.ts).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { blobUploadImg2img } from "../../generated/civitai-blob-upload-img2img-workflow.js"

export interface Img2imgInput {
  readonly apiKey: string
  readonly file: Uint8Array
  readonly engine: string
  readonly prompt: string
}

/** What every variant returns: enough to check that the run really finished. */
export interface Img2imgOutput {
  readonly sourceBlobId: string
  readonly workflowId: string
  readonly outputBlobUrl: string
}

/** A deterministic pseudo-image of `size` bytes. */
export const sourceImage = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 8) * 31) & 0xff
  return bytes
}

/** The input every benchmark sends: the mock's token, a pseudo-image of `imageBytes`, a fixed prompt. */
export const benchInput = (token: string, imageBytes: number): Img2imgInput => ({
  apiKey: token,
  file: sourceImage(imageBytes),
  engine: "flux2",
  prompt: "a lighthouse at dusk, oil painting"
})

const RUNNING = new Set(["unassigned", "preparing", "processing"])

// 1. The generated workflow

export const generatedRun = (input: Img2imgInput) =>
  Effect.flatMap(
    blobUploadImg2img({ ...input, moderate: true }),
    (result): Effect.Effect<Img2imgOutput, Error> => {
      const { sourceBlobId, workflowId, outputBlobUrl } = result.outputs
      return result._tag === "Completed" && sourceBlobId !== undefined && workflowId !== undefined &&
          outputBlobUrl !== undefined
        ? Effect.succeed({ sourceBlobId, workflowId, outputBlobUrl })
        : Effect.fail(new Error(`generated run did not complete: ${JSON.stringify(result.outputs)}`))
    }
  )

// 2. By hand on HttpClient

export class HandFailed extends Data.TaggedError("HandFailed")<{
  readonly step: string
  readonly status?: number
  readonly detail: string
}> {}

const WorkflowStatus = Schema.Literal(
  "unassigned",
  "preparing",
  "processing",
  "succeeded",
  "failed",
  "expired",
  "canceled"
)
const UploadedBlob = Schema.Struct({ id: Schema.String, nsfwLevel: Schema.Number })
const Submitted = Schema.Struct({ id: Schema.String })
const Polled = Schema.Struct({ status: WorkflowStatus })
const NonEmpty = <A, I>(item: Schema.Schema<A, I>) => Schema.NonEmptyArray(item)
const Finished = Schema.Struct({
  status: WorkflowStatus,
  cost: Schema.Struct({ total: Schema.Number }),
  steps: NonEmpty(Schema.Struct({
    jobs: NonEmpty(Schema.Struct({ result: Schema.Struct({ blobs: NonEmpty(Schema.Struct({ url: Schema.String })) }) }))
  }))
})

/** Encoded up front: the global FormData cannot go through the undici layer on Node 20 (EFFECT-NOTES trap 4). */
const multipartBytes = (file: Uint8Array) =>
  Effect.promise(async () => {
    const form = new FormData()
    form.append("file", new Blob([file as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }), "file")
    form.append("moderate", "true")
    const encoded = new Response(form)
    return {
      bytes: new Uint8Array(await encoded.arrayBuffer()),
      contentType: encoded.headers.get("content-type") ?? "multipart/form-data"
    }
  })

/** Sends, checks the status, decodes the JSON body with a schema; every failure is a `HandFailed` for the step. */
const call = <A, I>(
  client: HttpClient.HttpClient,
  step: string,
  request: HttpClientRequest.HttpClientRequest,
  expected: number,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, HandFailed> => {
  const checked: Effect.Effect<A, HandFailed | HttpClientError.HttpClientError | ParseResult.ParseError> = Effect
    .flatMap(
      client.execute(request),
      (response): Effect.Effect<A, HandFailed | HttpClientError.ResponseError | ParseResult.ParseError> =>
        response.status === expected
          ? HttpClientResponse.schemaBodyJson(schema)(response)
          : Effect.fail(new HandFailed({ step, status: response.status, detail: `expected ${expected}` }))
    )
  return Effect.catchTags(checked, {
    RequestError: (e) => Effect.fail(new HandFailed({ step, detail: e.message })),
    ResponseError: (e) => Effect.fail(new HandFailed({ step, status: e.response.status, detail: e.message })),
    ParseError: (e) => Effect.fail(new HandFailed({ step, detail: e.message }))
  })
}

/** Poll with no wait, at most 50 repeats: the same schedule the generated run gets from its policy (by default). */
const noWaitPoll = Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50)))

export const handEffectRun = (
  baseUrl: string,
  input: Img2imgInput,
  poll: Schedule.Schedule<unknown, unknown> = noWaitPoll
): Effect.Effect<Img2imgOutput, HandFailed, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const auth = `Bearer ${input.apiKey}`
    const upload = yield* multipartBytes(input.file)
    const blob = yield* call(
      client,
      "uploadSource",
      HttpClientRequest.post(`${baseUrl}/v2/consumer/blobs`).pipe(
        HttpClientRequest.setHeader("Authorization", auth),
        HttpClientRequest.bodyUint8Array(upload.bytes, upload.contentType)
      ),
      201,
      UploadedBlob
    )
    const submitted = yield* call(
      client,
      "submitImg2Img",
      HttpClientRequest.post(`${baseUrl}/v2/consumer/workflows`).pipe(
        HttpClientRequest.setHeader("Authorization", auth),
        HttpClientRequest.bodyText(
          JSON.stringify({
            steps: [{
              $type: "imageGen",
              name: "img2img",
              input: { engine: input.engine, prompt: input.prompt, images: [blob.id] }
            }]
          }),
          "application/json"
        )
      ),
      202,
      Submitted
    )
    const get = HttpClientRequest.get(`${baseUrl}/v2/consumer/workflows/${encodeURIComponent(submitted.id)}`).pipe(
      HttpClientRequest.setHeader("Authorization", auth)
    )
    const pollOnce: Effect.Effect<typeof Polled.Type, HandFailed> = call(client, "pollWorkflow", get, 200, Polled)
    const schedule: Schedule.Schedule<unknown, typeof Polled.Type> = poll
    const last = yield* Effect.repeat(pollOnce, {
      schedule: Schedule.passthrough(schedule),
      while: (polled) => RUNNING.has(polled.status)
    })
    if (RUNNING.has(last.status)) {
      return yield* new HandFailed({ step: "pollWorkflow", detail: "still running when the poll schedule ended" })
    }
    if (last.status !== "succeeded") {
      return yield* new HandFailed({ step: "pollWorkflow", detail: `ended ${last.status}` })
    }
    const finished = yield* call(client, "readResult", get, 200, Finished)
    return {
      sourceBlobId: blob.id,
      workflowId: submitted.id,
      outputBlobUrl: finished.steps[0].jobs[0].result.blobs[0].url
    }
  })

/** Runs `task` `runs` times with at most `concurrency` at once; the first failure rejects. */
export const pool = async (runs: number, concurrency: number, task: () => Promise<unknown>): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < runs) {
      next++
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, worker))
}
