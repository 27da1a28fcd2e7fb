/**
 * Record and replay. `Recorder.layer(options)` wraps whatever `HttpClient` the context has and
 * keeps every exchange a run makes, in order, with the step and attempt it belongs to (read from
 * the current `arazzo.step` span) and secrets redacted: the values of secret inputs wherever
 * they occur, and credential headers whole. `encodeRecording` writes that as JSON, and
 * `MockApi.fromRecording` (in `arazzo-effect/testing`) answers a later run from it, offline,
 * matching each request to the next exchange of the same step; a request the recording does not
 * have is a `RecordingDrift` that says which step sent what, and what was expected.
 *
 * Matching compares requests as recorded: a redacted value in the recording matches whatever the
 * replayed run sends in its place (a CI run has no real API key), and multipart boundaries, which
 * are random, are compared as `<boundary>`.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Url from "effect/http/Url"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import {
  binary,
  BODILESS,
  bodyBytes,
  comparable,
  concat,
  differencesOf,
  type DriftFields,
  driftMessage,
  MAX_RECORDED_RESPONSE,
  MAX_STORED_REQUEST_BODY,
  type RecordedBody,
  type RecordedExchange,
  type RecordedRequest,
  type Recording,
  RECORDING_FORMAT,
  Redaction,
  type RedactionOptions,
  type ReplayOptions,
  type SentRequest,
  sha256,
  stepKey,
  type StepRef,
  storedBody,
  unbinary
} from "../core/recording.js"
import { REDACTED } from "../core/redact.js"
import { stepOfRequest } from "./internal/execution.js"

export {
  BODILESS,
  bodyBytes,
  concat,
  CREDENTIAL_HEADERS,
  type Difference,
  encodeRecording,
  type RecordedBody,
  type RecordedExchange,
  type RecordedRequest,
  type RecordedResponse,
  type Recording,
  RECORDING_FORMAT,
  type RedactionOptions,
  type ReplayOptions,
  type SentRequest,
  type StepRef
} from "../core/recording.js"

const Body = Schema.Struct({
  json: Schema.optional(Schema.Unknown),
  text: Schema.optional(Schema.String),
  base64: Schema.optional(Schema.String),
  sha256: Schema.optional(Schema.String),
  size: Schema.optional(Schema.Number)
})
const HeaderRecord = Schema.Record(Schema.String, Schema.String)
const RecordingSchema = Schema.Struct({
  format: Schema.Literal(RECORDING_FORMAT),
  version: Schema.Literal(1),
  redacted: Schema.String,
  exchanges: Schema.Array(Schema.Struct({
    workflowId: Schema.optional(Schema.String),
    stepId: Schema.optional(Schema.String),
    attempt: Schema.optional(Schema.Number),
    request: Schema.Struct({ method: Schema.String, url: Schema.String, headers: HeaderRecord, body: Body }),
    response: Schema.optional(Schema.Struct({ status: Schema.Number, headers: HeaderRecord, body: Body })),
    transportError: Schema.optional(Schema.String),
    startMs: Schema.Number,
    durationMs: Schema.Number
  }))
})

/** A recording that cannot be used: unreadable, not JSON, or not in the recording format. */
export class RecordingInvalid extends Data.TaggedError("RecordingInvalid")<{
  readonly source: string
  readonly detail: string
}> {
  override get message() {
    return `${this.source} is not a usable recording: ${this.detail}`
  }
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

export const decodeRecording = (text: string, source = "recording"): Result.Result<Recording, RecordingInvalid> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    return Result.fail(new RecordingInvalid({ source, detail: `not JSON (${String(cause)})` }))
  }
  return Schema.decodeUnknownResult(RecordingSchema)(json).pipe(
    Result.map((r) => r as Recording),
    Result.mapError((error) =>
      new RecordingInvalid({
        source,
        detail: formatIssues(error.issue).issues.slice(0, 5)
          .map((i) =>
            `${(i.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".") || "(top)"}: ${i.message}`
          )
          .join("; ")
      })
    )
  )
}

/** Reads a recording file (Node's `fs`, loaded only when used). */
export const readRecording = (file: string): Effect.Effect<Recording, RecordingInvalid> =>
  Effect.tryPromise({
    try: () => import("node:fs/promises").then((fs) => fs.readFile(file, "utf8")),
    catch: (cause) =>
      new RecordingInvalid({ source: file, detail: cause instanceof Error ? cause.message : String(cause) })
  }).pipe(Effect.flatMap((text) => Effect.fromResult(decodeRecording(text, file))))

// ---------------------------------------------------------------------------------------------
// Which step is running

const STEP_SPAN = "arazzo.step "

const attributeText = (span: Tracer.Span, key: string) => {
  const value = span.attributes.get(key)
  return typeof value === "string" && value !== "" ? value : undefined
}

/**
 * The step (and attempt) a request belongs to: what the runtime noted when it built it, else
 * the innermost `arazzo.step` span (requests sent by hand inside a traced step).
 */
export const currentStep = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<StepRef> => {
  const known = stepOfRequest.get(request)
  return known !== undefined ? Effect.succeed(known) : stepFromSpan
}

const stepFromSpan: Effect.Effect<StepRef> = Effect.map(Effect.option(Effect.currentSpan), (span) => {
  let current: Tracer.AnySpan | undefined = Option.getOrUndefined(span)
  while (current !== undefined && current._tag === "Span") {
    if (current.name.startsWith(STEP_SPAN)) {
      const attempt = current.attributes.get("arazzo.step.attempt")
      return {
        workflowId: attributeText(current, "arazzo.workflow.id"),
        stepId: attributeText(current, "arazzo.step.id") ?? current.name.slice(STEP_SPAN.length),
        attempt: typeof attempt === "number" ? attempt : undefined
      }
    }
    current = Option.getOrUndefined(current.parent)
  }
  return { workflowId: undefined, stepId: undefined, attempt: undefined }
})

// ---------------------------------------------------------------------------------------------
// Bodies

/** The body's bytes and content type, whatever kind of body the request was built with. */
export const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<{ readonly bytes: Uint8Array; readonly contentType: string | undefined }, unknown> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ bytes: new Uint8Array(0), contentType: undefined })
    case "Uint8Array":
      // Effect 4 encodes text bodies as a Node `Buffer`: handed on as a plain view of the same bytes.
      return Effect.succeed({
        bytes: new Uint8Array(body.body.buffer, body.body.byteOffset, body.body.byteLength),
        contentType: body.contentType
      })
    case "Raw":
      return Effect.tryPromise(async () => ({
        bytes: new Uint8Array(await new Response(body.body as BodyInit).arrayBuffer()),
        contentType: body.contentType
      }))
    case "FormData":
      return Effect.tryPromise(async () => {
        const encoded = new Response(body.formData)
        return {
          bytes: new Uint8Array(await encoded.arrayBuffer()),
          contentType: encoded.headers.get("content-type") ?? undefined
        }
      })
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => ({ bytes: concat(chunks), contentType: body.contentType }))
      )
  }
}

// ---------------------------------------------------------------------------------------------
// Recording

export interface RecorderOptions extends RedactionOptions {
  /** Request bodies over this many bytes are kept as a sha256 digest and a size (default 64 KiB). */
  readonly maxStoredRequestBody?: number
  /** Called with each exchange as it completes (the CLI's run report listens here). */
  readonly onExchange?: (exchange: RecordedExchange) => void
}

export interface RecorderService {
  /** The exchanges so far, in the order they were sent. */
  readonly exchanges: ReadonlyArray<RecordedExchange>
  /** The exchanges so far as a `Recording`, ready for `encodeRecording`. */
  readonly recording: () => Recording
}

/** The recorder in context (`Recorder.layer`): the exchanges kept so far. */
export class Recorder extends Context.Service<Recorder, RecorderService>()("arazzo-effect/testing/Recorder") {
  /** A client that records every exchange `client` makes, and the record. */
  static wrap(
    client: HttpClient.HttpClient,
    options: RecorderOptions = {}
  ): { readonly client: HttpClient.HttpClient; readonly recorder: RecorderService } {
    return makeRecorder(client, options)
  }

  /** Replaces the `HttpClient` in context by one that records its exchanges; provides the `Recorder` too. */
  static layer(
    options: RecorderOptions = {}
  ): Layer.Layer<Recorder | HttpClient.HttpClient, never, HttpClient.HttpClient> {
    return Layer.effectContext(Effect.map(HttpClient.HttpClient, (inner) => {
      const { client, recorder } = makeRecorder(inner, options)
      return Context.make(Recorder, recorder).pipe(Context.add(HttpClient.HttpClient, client))
    }))
  }
}

/** Any body read into bytes first, so that recording it does not consume what is sent. */
const materialise = (request: HttpClientRequest.HttpClientRequest) =>
  request.body._tag === "Empty" || request.body._tag === "Uint8Array"
    ? Effect.succeed(request)
    : requestBody(request).pipe(
      Effect.map(({ bytes, contentType }) =>
        HttpClientRequest.bodyUint8Array(request, bytes, contentType ?? "application/octet-stream")
      ),
      Effect.mapError((cause) =>
        new HttpClientError.HttpClientError({ reason: new HttpClientError.EncodeError({ request, cause }) })
      )
    )

const fullUrl = (request: HttpClientRequest.HttpClientRequest) => {
  const url = Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))
  return Result.isSuccess(url) ? url.success.toString() : request.url
}

const readAll = (response: HttpClientResponse.HttpClientResponse, max: number) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.byteLength
        if (size > max) {
          return Effect.fail(
            new HttpClientError.HttpClientError({
              reason: new HttpClientError.DecodeError({
                request: response.request,
                response,
                description: `the response body is larger than ${max} bytes; it was not recorded`
              })
            })
          )
        }
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.map(() => concat(chunks))
    )
  })

const describeFailure = (error: HttpClientError.HttpClientError) => {
  const messages: Array<string> = [error.message]
  for (let e: unknown = error.reason.cause, depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    if (!messages.includes(e.message)) messages.push(e.message)
  }
  return messages.join(": ")
}

const makeRecorder = (inner: HttpClient.HttpClient, options: RecorderOptions) => {
  const redaction = new Redaction(options)
  const maxStored = options.maxStoredRequestBody ?? MAX_STORED_REQUEST_BODY
  const exchanges: Array<RecordedExchange> = []
  const origin = Date.now()

  const recordRequest = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function*() {
      const { bytes, contentType } = yield* Effect.orDie(requestBody(request))
      const headers = redaction.headers(request.headers)
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      const redacted = redaction.bytesText(binary(bytes))
      const body: RecordedBody = redacted.length > maxStored
        ? {
          sha256: yield* Effect.promise(() => sha256(comparable(bytes, contentType, redaction.bytesText))),
          size: redacted.length
        }
        : storedBody(unbinary(redacted), contentType)
      return { method: request.method, url: redaction.text(fullUrl(request)), headers, body } satisfies RecordedRequest
    })

  const record = (exchange: RecordedExchange) => {
    exchanges.push(exchange)
    options.onExchange?.(exchange)
  }

  const client = HttpClient.transform(
    HttpClient.mapRequestEffect(inner, materialise),
    (effect, request) =>
      Effect.gen(function*() {
        const step = yield* currentStep(request)
        const startMs = Date.now() - origin
        const recorded = yield* recordRequest(request)
        const took = () => Date.now() - origin - startMs
        const outcome = yield* Effect.result(
          Effect.flatMap(effect, (response) =>
            Effect.map(readAll(response, MAX_RECORDED_RESPONSE), (bytes) => ({ response, bytes })))
        )
        if (Result.isFailure(outcome)) {
          record({
            ...step,
            request: recorded,
            transportError: redaction.text(describeFailure(outcome.failure)),
            startMs,
            durationMs: took()
          })
          return yield* Effect.fail(outcome.failure)
        }
        const { response, bytes } = outcome.success
        const contentType = response.headers["content-type"]
        record({
          ...step,
          request: recorded,
          response: {
            status: response.status,
            headers: redaction.headers(response.headers),
            body: storedBody(unbinary(redaction.bytesText(binary(bytes))), contentType)
          },
          startMs,
          durationMs: took()
        })
        // The body was read to record it: the workflow reads this copy, unredacted.
        return HttpClientResponse.fromWeb(
          request,
          new Response(BODILESS.has(response.status) ? null : (bytes as Uint8Array<ArrayBuffer>), {
            status: response.status,
            headers: response.headers
          })
        )
      })
  )

  const recorder: RecorderService = {
    get exchanges() {
      return [...exchanges]
    },
    recording: () => ({ format: RECORDING_FORMAT, version: 1, redacted: REDACTED, exchanges: [...exchanges] })
  }
  return { client, recorder }
}

// ---------------------------------------------------------------------------------------------
// Replay

/**
 * A replayed run sent a request the recording does not have: the step sent more requests than
 * were recorded for it, or its next recorded request differs. A defect, not a `WorkflowError`:
 * the workflow or the document changed since the recording, and the test should say so.
 */
export class RecordingDrift extends Data.TaggedError("RecordingDrift")<DriftFields> {
  override get message() {
    return driftMessage(this)
  }
}

export interface ReplayService {
  /** Exchanges not replayed (yet), in recorded order: a run that stopped early leaves some. */
  readonly remaining: () => ReadonlyArray<RecordedExchange>
  /** Drifts seen so far. */
  readonly drifts: ReadonlyArray<RecordingDrift>
}

/** What a replay run in context has used of its recording (`MockApi.fromRecording` provides it). */
export class Replay extends Context.Service<Replay, ReplayService>()("arazzo-effect/testing/Replay") {}

/**
 * The matching side of a replay: for each sent request, the next exchange recorded for its step,
 * or the drift. `MockApi.fromRecording` puts an `HttpClient` around it.
 */
export const replayer = (recording: Recording, options: ReplayOptions = {}) => {
  const redaction = new Redaction(options)
  const queues = new Map<string, Array<RecordedExchange>>()
  for (const exchange of recording.exchanges) {
    const key = stepKey(exchange)
    ;(queues.get(key) ?? queues.set(key, []).get(key)!).push(exchange)
  }
  const used = new Map<string, number>()
  const replayed = new Set<RecordedExchange>()
  const drifts: Array<RecordingDrift> = []

  const differences = differencesOf(redaction)

  const answer = (step: StepRef, sent: SentRequest): Effect.Effect<RecordedExchange, RecordingDrift> =>
    Effect.gen(function*() {
      const key = stepKey(step)
      const queue = queues.get(key) ?? []
      const index = (used.get(key) ?? 0) + 1
      const expected = queue[index - 1]
      const found = expected === undefined ? [] : yield* Effect.promise(() => differences(expected.request, sent))
      if (expected === undefined || found.length > 0) {
        const drift = new RecordingDrift({
          ...step,
          index,
          sent: { method: sent.method, url: redaction.text(sent.url) },
          expected: expected === undefined ? undefined : { method: expected.request.method, url: expected.request.url },
          recorded: queue.length,
          differences: found
        })
        drifts.push(drift)
        return yield* Effect.fail(drift)
      }
      used.set(key, index)
      replayed.add(expected)
      return expected
    })

  const service: ReplayService = {
    remaining: () => recording.exchanges.filter((e) => !replayed.has(e)),
    get drifts() {
      return [...drifts]
    }
  }
  return { answer, service }
}

/** The response a recorded exchange answers with, or the transport error it failed with. */
export const replayResponse = (
  request: HttpClientRequest.HttpClientRequest,
  exchange: RecordedExchange
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
  const response = exchange.response
  if (response === undefined) {
    const description = exchange.transportError ?? "no response was recorded"
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.TransportError({ request, cause: new Error(description), description })
      })
    )
  }
  const bytes = bodyBytes(response.body)
  const headers = new Headers()
  for (const [name, value] of Object.entries(response.headers)) {
    // A length that redaction changed would not fit the body any more.
    if (name === "content-length" && Number(value) !== bytes.length) continue
    headers.set(name, value)
  }
  return Effect.succeed(HttpClientResponse.fromWeb(
    request,
    new Response(BODILESS.has(response.status) ? null : (bytes as Uint8Array<ArrayBuffer>), {
      status: response.status,
      headers
    })
  ))
}
