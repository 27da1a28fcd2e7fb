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
import { REDACTED, Secrets } from "../core/redact.js"
import { stepOfRequest } from "./internal/execution.js"

/** Which step and attempt an exchange belongs to; all `undefined` for a request made outside a step. */
export interface StepRef {
  readonly workflowId: string | undefined
  readonly stepId: string | undefined
  readonly attempt: number | undefined
}

/**
 * A body as stored: JSON (when the text is compact JSON that prints back the same), UTF-8 text,
 * base64 bytes, or, for a large request body, only its digest (enough to tell whether a replayed
 * request sent the same). An empty body has none of these.
 */
export interface RecordedBody {
  readonly json?: unknown
  readonly text?: string
  readonly base64?: string
  /** sha256 (hex) of the body as compared: redacted, multipart boundary as `<boundary>`. */
  readonly sha256?: string
  readonly size?: number
}

export interface RecordedRequest {
  readonly method: string
  /** The full URL, query included, secrets redacted. */
  readonly url: string
  /** Lower-case names; `content-type` is the body's. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: RecordedBody
}

export interface RecordedResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: RecordedBody
}

export interface RecordedExchange extends StepRef {
  readonly request: RecordedRequest
  /** Absent when no response came: then `transportError` says what happened. */
  readonly response?: RecordedResponse
  readonly transportError?: string
  /** Milliseconds from the start of the recording to the request, and how long the exchange took. */
  readonly startMs: number
  readonly durationMs: number
}

export const RECORDING_FORMAT = "arazzo-effect/recording"

export interface Recording {
  readonly format: typeof RECORDING_FORMAT
  readonly version: 1
  /** What redacted values read as. */
  readonly redacted: string
  readonly exchanges: ReadonlyArray<RecordedExchange>
}

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

/** A recording as JSON text (two-space indented, a newline at the end): what `run --record` writes. */
export const encodeRecording = (recording: Recording): string => `${JSON.stringify(recording, null, 2)}\n`

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

export const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const bytes = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** Bytes as a string of one character per byte, so that any body (binary too) can be redacted and compared as text. */
const binary = (bytes: Uint8Array) => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return out
}
const unbinary = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const utf8 = (text: string) => new TextEncoder().encode(text)

const boundaryOf = (contentType: string | undefined) => /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1]

/** A body redacted and with its multipart boundary as `<boundary>`: what matching compares. */
const comparable = (bytes: Uint8Array, contentType: string | undefined, redact: (text: string) => string) => {
  let text = redact(binary(bytes))
  const boundary = boundaryOf(contentType)
  if (boundary !== undefined) text = text.split(boundary).join("<boundary>")
  return text
}

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("")

const sha256 = (text: string) =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", unbinary(text) as Uint8Array<ArrayBuffer>)).pipe(
    Effect.map(hex)
  )

const isJson = (contentType: string | undefined) => /[/+]json\b/i.test(contentType ?? "")

/** A body as stored, from its redacted bytes. */
const storedBody = (bytes: Uint8Array, contentType: string | undefined): RecordedBody => {
  if (bytes.length === 0) return {}
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return { base64: base64Encode(bytes) }
  }
  if (isJson(contentType)) {
    try {
      const json: unknown = JSON.parse(text)
      if (JSON.stringify(json) === text) return { json }
    } catch {
      // not JSON after all: kept as text
    }
  }
  return { text }
}

const base64Encode = (bytes: Uint8Array) => globalThis.btoa(binary(bytes))
const base64Decode = (text: string) => unbinary(globalThis.atob(text))

/** The bytes of a stored body (a digest has none: it only serves matching). */
export const bodyBytes = (body: RecordedBody): Uint8Array => {
  if (body.base64 !== undefined) return base64Decode(body.base64)
  if (body.text !== undefined) return utf8(body.text)
  if ("json" in body) return utf8(JSON.stringify(body.json) ?? "null")
  return new Uint8Array(0)
}

// ---------------------------------------------------------------------------------------------
// Redaction

/** Headers whose values are credentials, redacted whole when they do not just contain a secret input. */
export const CREDENTIAL_HEADERS: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-auth-token",
  "x-csrf-token"
]

export interface RedactionOptions {
  /** Values never written: the secret inputs of the run (API keys, tokens, passwords). */
  readonly secrets?: ReadonlyArray<unknown>
  /** More header names redacted whole, besides `CREDENTIAL_HEADERS`. */
  readonly headers?: ReadonlyArray<string>
}

class Redaction {
  readonly secrets: Secrets
  private readonly binarySecrets: Secrets
  private readonly credentialHeaders: ReadonlySet<string>

  constructor(options: RedactionOptions) {
    this.secrets = Secrets.of(options.secrets ?? [])
    // The same secrets as they appear in a body's bytes read one character per byte.
    this.binarySecrets = Secrets.of(
      (options.secrets ?? []).filter((s): s is string => typeof s === "string").map((s) => binary(utf8(s)))
    )
    this.credentialHeaders = new Set([...CREDENTIAL_HEADERS, ...(options.headers ?? [])].map((h) => h.toLowerCase()))
  }

  text = (text: string) => this.secrets.text(text)
  bytesText = (text: string) => this.binarySecrets.text(text)

  header(name: string, value: string): string {
    if (this.secrets.appearsIn(value)) return this.secrets.text(value)
    return this.credentialHeaders.has(name.toLowerCase()) ? REDACTED : value
  }

  headers(headers: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toLowerCase(), this.header(name, value)])
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Recording

/** Request bodies larger than this are stored as their digest only. */
const MAX_STORED_REQUEST_BODY = 64 * 1024
/** The largest response body recorded; a larger one fails the request, as the runtime would refuse it too. */
const MAX_RECORDED_RESPONSE = 32 * 1024 * 1024

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
          sha256: yield* sha256(comparable(bytes, contentType, redaction.bytesText)),
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

/** Statuses a web `Response` may not carry a body with. */
export const BODILESS: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

// ---------------------------------------------------------------------------------------------
// Replay

/** A request as a replayed run sent it. */
export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
  readonly contentType: string | undefined
}

export interface Difference {
  /** `method`, `url`, `header <name>` or `body`. */
  readonly what: string
  readonly expected: string
  readonly sent: string
}

/**
 * A replayed run sent a request the recording does not have: the step sent more requests than
 * were recorded for it, or its next recorded request differs. A defect, not a `WorkflowError`:
 * the workflow or the document changed since the recording, and the test should say so.
 */
export class RecordingDrift extends Data.TaggedError("RecordingDrift")<{
  readonly workflowId: string | undefined
  readonly stepId: string | undefined
  readonly attempt: number | undefined
  /** Which request of the step this was, from 1. */
  readonly index: number
  readonly sent: { readonly method: string; readonly url: string }
  /** The recorded request it was compared with; absent when the step had no more. */
  readonly expected: { readonly method: string; readonly url: string } | undefined
  readonly recorded: number
  readonly differences: ReadonlyArray<Difference>
}> {
  override get message() {
    const where = this.stepId === undefined
      ? "a request outside any step"
      : `step ${this.stepId}${this.workflowId === undefined ? "" : ` of workflow ${this.workflowId}`}${
        this.attempt === undefined ? "" : ` (attempt ${this.attempt})`
      }`
    const sent = `${this.sent.method} ${this.sent.url}`
    if (this.expected === undefined) {
      return `recording drift: ${where} sent request ${this.index} of the step, but the recording has ${this.recorded} for it\n` +
        `  sent:     ${sent}`
    }
    return [
      `recording drift: ${where} sent a request that differs from request ${this.index} of ${this.recorded} recorded for it`,
      `  expected: ${this.expected.method} ${this.expected.url}`,
      `  sent:     ${sent}`,
      ...this.differences.map((d) => `  ${d.what}: expected ${clip(d.expected)}, sent ${clip(d.sent)}`)
    ].join("\n")
  }
}

const clip = (text: string) => JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)

/** Headers a client or tracer adds on its own, which say nothing about what the workflow sent. */
const IGNORED_HEADERS = new Set(["traceparent", "tracestate", "b3", "content-length", "user-agent", "host"])
const ignored = (name: string) => IGNORED_HEADERS.has(name) || name.startsWith("x-b3-")

/** A recorded value as a pattern: each redacted part matches any text sent in its place. */
const matchesRecorded = (recorded: string, sent: string) => {
  if (!recorded.includes(REDACTED)) return recorded === sent
  const pattern = recorded.split(REDACTED).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]+?")
  return new RegExp(`^${pattern}$`).test(sent)
}

export interface ReplayOptions extends RedactionOptions {}

export interface ReplayService {
  /** Exchanges not replayed (yet), in recorded order: a run that stopped early leaves some. */
  readonly remaining: () => ReadonlyArray<RecordedExchange>
  /** Drifts seen so far. */
  readonly drifts: ReadonlyArray<RecordingDrift>
}

/** What a replay run in context has used of its recording (`MockApi.fromRecording` provides it). */
export class Replay extends Context.Service<Replay, ReplayService>()("arazzo-effect/testing/Replay") {}

const stepKey = (step: StepRef) => `${step.workflowId ?? ""}\u0000${step.stepId ?? ""}`

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

  /** A sent value matches when it equals the recorded one with this run's secrets redacted, or as sent. */
  const same = (recorded: string, sent: string, redacted: string) =>
    matchesRecorded(recorded, redacted) || matchesRecorded(recorded, sent)

  const differences = (expected: RecordedRequest, sent: SentRequest): Effect.Effect<Array<Difference>> =>
    Effect.gen(function*() {
      const found: Array<Difference> = []
      if (expected.method !== sent.method) found.push({ what: "method", expected: expected.method, sent: sent.method })
      const url = redaction.text(sent.url)
      if (!same(expected.url, sent.url, url)) found.push({ what: "url", expected: expected.url, sent: url })
      const sentHeaders: Record<string, string> = {}
      for (const [name, value] of Object.entries(sent.headers)) sentHeaders[name.toLowerCase()] = value
      if (sent.contentType !== undefined && sentHeaders["content-type"] === undefined) {
        sentHeaders["content-type"] = sent.contentType
      }
      const expectedBoundary = boundaryOf(expected.headers["content-type"])
      const sentBoundary = boundaryOf(sentHeaders["content-type"])
      const normalise = (value: string, boundary: string | undefined) =>
        boundary === undefined ? value : value.split(boundary).join("<boundary>")
      const names = [...new Set([...Object.keys(expected.headers), ...Object.keys(sentHeaders)])].filter((n) =>
        !ignored(n)
      ).sort()
      for (const name of names) {
        const want = expected.headers[name]
        const got = sentHeaders[name]
        const shown = got === undefined ? "(absent)" : redaction.header(name, got)
        if (want === undefined || got === undefined) {
          found.push({ what: `header ${name}`, expected: want ?? "(absent)", sent: shown })
          continue
        }
        const wantN = normalise(want, expectedBoundary)
        if (!same(wantN, normalise(got, sentBoundary), normalise(redaction.text(got), sentBoundary))) {
          found.push({ what: `header ${name}`, expected: want, sent: shown })
        }
      }
      const sentBody = comparable(sent.bytes, sent.contentType ?? sentHeaders["content-type"], redaction.bytesText)
      const rawBody = comparable(sent.bytes, sent.contentType ?? sentHeaders["content-type"], (t) => t)
      if (expected.body.sha256 !== undefined) {
        const digest = yield* sha256(sentBody)
        if (digest !== expected.body.sha256 && (yield* sha256(rawBody)) !== expected.body.sha256) {
          found.push({
            what: "body",
            expected: `${expected.body.size ?? "?"} bytes with sha256 ${expected.body.sha256}`,
            sent: `${sentBody.length} bytes with sha256 ${digest}`
          })
        }
      } else {
        const want = normalise(binary(bodyBytes(expected.body)), expectedBoundary)
        if (!same(want, rawBody, sentBody)) {
          const [a, b] = aroundFirstDifference(printable(want), printable(sentBody))
          found.push({ what: "body", expected: a, sent: b })
        }
      }
      return found
    })

  const answer = (step: StepRef, sent: SentRequest): Effect.Effect<RecordedExchange, RecordingDrift> =>
    Effect.gen(function*() {
      const key = stepKey(step)
      const queue = queues.get(key) ?? []
      const index = (used.get(key) ?? 0) + 1
      const expected = queue[index - 1]
      const found = expected === undefined ? [] : yield* differences(expected.request, sent)
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

/** Two long texts cut to a window around where they first differ, so a drift message shows the change. */
const aroundFirstDifference = (a: string, b: string): readonly [string, string] => {
  if (a.length <= 160 && b.length <= 160) return [a, b]
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const from = Math.max(0, i - 60)
  const window = (t: string) => `${from > 0 ? "…" : ""}${t.slice(from, i + 60)}${t.length > i + 60 ? "…" : ""}`
  return [window(a), window(b)]
}

/** A body for a drift message: text as it is, other bytes summarised. */
const printable = (text: string) => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(unbinary(text))
  } catch {
    return `${text.length} bytes of binary data`
  }
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
