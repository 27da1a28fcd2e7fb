/**
 * The hand-written Effect flow with the generated runtime's per-step machinery added back one
 * piece at a time, to attribute the gap between `generated` and `handEffect` (bench/ablation.ts):
 *
 * - `spans`:    an `Effect.withSpan` per step and one for the workflow, as runtime/run.ts and
 *               runtime/workflow.ts open them (`captureStackTrace: false`)
 * - `timeouts`: the runtime's `timeoutFail` (runtime/timeout.ts) around each request (the step
 *               timeout) and around the run (the workflow timeout), as the runtime applies them
 * - `stream`:   the body read as the runtime reads it: `readBody` from runtime/body.ts (within
 *               `maxResponseBytes`: since b878719 one `arrayBuffer` read when Content-Length
 *               announces the size, the response's counted Stream otherwise), then
 *               `decodeBody`, instead of `response.json`
 * - `send`:     the request sent through runtime/send.ts (`Effect.retry` with the policy's
 *               schedule, Retry-After handling, `readBody`), which implies `stream`
 *
 * Same requests, same checks, same schemas as `handEffectRun` in img2img.ts.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { decodeBody } from "../../runtime/core/response.js"
import { defaultPolicy } from "../../runtime/effect3/internal/policy.js"
import { readBody } from "../../runtime/effect3/internal/read-body.js"
import { send } from "../../runtime/effect3/internal/send.js"
import { timeoutFail } from "../../runtime/effect3/internal/timeout.js"
import { HandFailed, type Img2imgInput, type Img2imgOutput } from "./img2img.js"

export interface Extras {
  readonly spans: boolean
  readonly timeouts: boolean
  readonly stream: boolean
  readonly send: boolean
}

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
const Finished = Schema.Struct({
  status: WorkflowStatus,
  cost: Schema.Struct({ total: Schema.Number }),
  steps: Schema.NonEmptyArray(Schema.Struct({
    jobs: Schema.NonEmptyArray(Schema.Struct({
      result: Schema.Struct({ blobs: Schema.NonEmptyArray(Schema.Struct({ url: Schema.String })) })
    }))
  }))
})
const RUNNING = new Set(["unassigned", "preparing", "processing"])
const noWaitPoll = Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50)))
const policy = { ...defaultPolicy, poll: noWaitPoll }
const stepTimeout = Duration.decode(policy.stepTimeout)
const workflowTimeout = Duration.decode(policy.workflowTimeout)

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

export const handPlusRun = (
  extras: Extras,
  baseUrl: string,
  input: Img2imgInput
): Effect.Effect<Img2imgOutput, HandFailed, HttpClient.HttpClient> => {
  const call = <A, I>(
    client: HttpClient.HttpClient,
    step: string,
    request: HttpClientRequest.HttpClientRequest,
    expected: number,
    schema: Schema.Schema<A, I>
  ): Effect.Effect<A, HandFailed> => {
    const fail = (detail: string, status?: number) =>
      new HandFailed({ step, detail, ...(status === undefined ? {} : { status }) })
    // status and body, by the route the extras choose
    const raw: Effect.Effect<{ status: number; body: unknown }, HandFailed> = extras.send
      ? send(client, { request, url: request.url }, policy).pipe(
        Effect.mapError((e) => fail(e._tag === "BodyTooLarge" ? e.detail : e.detail)),
        Effect.flatMap((r) => {
          const decoded = decodeBody(r.bytes, r.headers["content-type"] ?? "")
          return "error" in decoded
            ? Effect.fail(fail(decoded.error, r.status))
            : Effect.succeed({ status: r.status, body: decoded.body })
        })
      )
      : extras.stream
      ? client.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(readBody(response, policy.maxResponseBytes), (bytes) => ({ response, bytes }))
        ),
        Effect.mapError((e) => fail(e._tag)),
        Effect.flatMap(({ response, bytes }) => {
          const decoded = decodeBody(bytes, response.headers["content-type"] ?? "")
          return "error" in decoded
            ? Effect.fail(fail(decoded.error, response.status))
            : Effect.succeed({ status: response.status, body: decoded.body })
        })
      )
      : client.execute(request).pipe(
        Effect.flatMap((response) => Effect.map(response.json, (body) => ({ status: response.status, body }))),
        Effect.mapError((e) => fail(e.message))
      )
    const bounded = extras.timeouts
      ? timeoutFail(raw, stepTimeout, () => fail("step timeout"))
      : raw
    const checked = Effect.flatMap(bounded, ({ status, body }) =>
      status !== expected
        ? Effect.fail(fail(`expected ${expected}`, status))
        : Effect.mapError(Schema.decodeUnknown(schema)(body), (e) => fail(e.message)))
    return extras.spans
      ? Effect.withSpan(checked, `arazzo.step ${step}`, {
        attributes: { "arazzo.step.id": step },
        captureStackTrace: false
      })
      : checked
  }

  const flow = Effect.gen(function*() {
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
    const schedule: Schedule.Schedule<unknown, typeof Polled.Type> = policy.poll
    const last = yield* Effect.repeat(pollOnce, {
      schedule: Schedule.passthrough(schedule),
      while: (p) => RUNNING.has(p.status)
    })
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
  const bounded = extras.timeouts
    ? timeoutFail(flow, workflowTimeout, () => new HandFailed({ step: "workflow", detail: "workflow timeout" }))
    : flow
  return extras.spans
    ? Effect.withSpan(bounded, "arazzo.workflow blob-upload-img2img", { captureStackTrace: false })
    : bounded
}
