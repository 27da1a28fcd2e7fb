/**
 * What record and replay do without Effect, for both lines: the recording format, bodies as
 * stored (JSON, text, base64 or a digest), redaction of secrets and credential headers, and how
 * a replayed request is matched with the recorded one (redacted values match anything sent in
 * their place, multipart boundaries compare as `<boundary>`).
 */
import { REDACTED, Secrets } from "./redact.js"

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

/** A recording as JSON text (two-space indented, a newline at the end): what `run --record` writes. */
export const encodeRecording = (recording: Recording): string => `${JSON.stringify(recording, null, 2)}\n`

// ---------------------------------------------------------------------------------------------
// Bodies

/** One body from its chunks (the core's one byte concatenation, under the name recordings use). */
export { concatBytes as concat } from "./multipart.js"

/** Bytes as a string of one character per byte, so that any body (binary too) can be redacted and compared as text. */
export const binary = (bytes: Uint8Array) => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return out
}
export const unbinary = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
export const utf8 = (text: string) => new TextEncoder().encode(text)

export const boundaryOf = (contentType: string | undefined) => /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1]

/** A body redacted and with its multipart boundary as `<boundary>`: what matching compares. */
export const comparable = (bytes: Uint8Array, contentType: string | undefined, redact: (text: string) => string) => {
  let text = redact(binary(bytes))
  const boundary = boundaryOf(contentType)
  if (boundary !== undefined) text = text.split(boundary).join("<boundary>")
  return text
}

const hex = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("")

/** sha256 (hex) of a text of one character per byte. */
export const sha256 = async (text: string): Promise<string> =>
  hex(await globalThis.crypto.subtle.digest("SHA-256", unbinary(text) as Uint8Array<ArrayBuffer>))

const isJson = (contentType: string | undefined) => /[/+]json\b/i.test(contentType ?? "")

/** A body as stored, from its redacted bytes. */
export const storedBody = (bytes: Uint8Array, contentType: string | undefined): RecordedBody => {
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

export class Redaction {
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
// Recording and matching

/** Request bodies larger than this are stored as their digest only. */
export const MAX_STORED_REQUEST_BODY = 64 * 1024
/** The largest response body recorded; a larger one fails the request, as the runtime would refuse it too. */
export const MAX_RECORDED_RESPONSE = 32 * 1024 * 1024

/** Statuses a web `Response` may not carry a body with. */
export const BODILESS: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

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

/** What a recording drift says: which step sent what, and what the recording expected. */
export interface DriftFields {
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
}

/** A drift's message. */
export const driftMessage = (drift: DriftFields): string => {
  const where = drift.stepId === undefined
    ? "a request outside any step"
    : `step ${drift.stepId}${drift.workflowId === undefined ? "" : ` of workflow ${drift.workflowId}`}${
      drift.attempt === undefined ? "" : ` (attempt ${drift.attempt})`
    }`
  const sent = `${drift.sent.method} ${drift.sent.url}`
  if (drift.expected === undefined) {
    return `recording drift: ${where} sent request ${drift.index} of the step, but the recording has ${drift.recorded} for it\n` +
      `  sent:     ${sent}`
  }
  return [
    `recording drift: ${where} sent a request that differs from request ${drift.index} of ${drift.recorded} recorded for it`,
    `  expected: ${drift.expected.method} ${drift.expected.url}`,
    `  sent:     ${sent}`,
    ...drift.differences.map((d) => `  ${d.what}: expected ${clip(d.expected)}, sent ${clip(d.sent)}`)
  ].join("\n")
}

export const clip = (text: string) => JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)

/** Headers a client or tracer adds on its own, which say nothing about what the workflow sent. */
const IGNORED_HEADERS = new Set(["traceparent", "tracestate", "b3", "content-length", "user-agent", "host"])
export const ignored = (name: string) => IGNORED_HEADERS.has(name) || name.startsWith("x-b3-")

/** A recorded value as a pattern: each redacted part matches any text sent in its place. */
export const matchesRecorded = (recorded: string, sent: string) => {
  if (!recorded.includes(REDACTED)) return recorded === sent
  const pattern = recorded.split(REDACTED).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[\\s\\S]+?")
  return new RegExp(`^${pattern}$`).test(sent)
}

export interface ReplayOptions extends RedactionOptions {}

/** The key of a step's exchanges in a recording. */
export const stepKey = (step: StepRef) => `${step.workflowId ?? ""}\u0000${step.stepId ?? ""}`

/** How a sent request differs from the recorded one it is matched with (empty: the same). */
export const differencesOf = (redaction: Redaction) => {
  /** A sent value matches when it equals the recorded one with this run's secrets redacted, or as sent. */
  const same = (recorded: string, sent: string, redacted: string) =>
    matchesRecorded(recorded, redacted) || matchesRecorded(recorded, sent)

  const differences = async (expected: RecordedRequest, sent: SentRequest): Promise<Array<Difference>> => {
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
      const digest = await sha256(sentBody)
      if (digest !== expected.body.sha256 && (await sha256(rawBody)) !== expected.body.sha256) {
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
  }
  return differences
}

/** Two long texts cut to a window around where they first differ, so a drift message shows the change. */
export const aroundFirstDifference = (a: string, b: string): readonly [string, string] => {
  if (a.length <= 160 && b.length <= 160) return [a, b]
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const from = Math.max(0, i - 60)
  const window = (t: string) => `${from > 0 ? "…" : ""}${t.slice(from, i + 60)}${t.length > i + 60 ? "…" : ""}`
  return [window(a), window(b)]
}

/** A body for a drift message: text as it is, other bytes summarised. */
export const printable = (text: string) => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(unbinary(text))
  } catch {
    return `${text.length} bytes of binary data`
  }
}
