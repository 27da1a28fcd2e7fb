/** The request a step sent, as runtime expressions read it (`$url`, `$method`, `$request…`). */
export interface SentRequest {
  readonly url: string
  readonly method: string
  /** Header values by lower-cased name, as given by the step. */
  readonly header: Readonly<Record<string, unknown>>
  readonly query: Readonly<Record<string, unknown>>
  readonly path: Readonly<Record<string, unknown>>
  /** The payload before encoding: the JSON value, the text, or the form or multipart fields. */
  readonly body: unknown
}

/** A step's response, read once: status, lower-cased headers and the decoded body, with the request that got it. */
export interface StepResponse {
  readonly request: SentRequest
  readonly status: number
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  /** JSON bodies parsed, text bodies as strings, other bodies as bytes, empty bodies `undefined`. */
  readonly body: unknown
}

const JSON_TYPE = /^application\/(.+\+)?json\b|\+json\b/i
/** The last content type asked about and the answer: responses of one API repeat the same one. */
let lastType = ""
let lastIsJson = false

export const isJson = (contentType: string): boolean => {
  if (contentType !== lastType) {
    lastType = contentType
    lastIsJson = JSON_TYPE.test(contentType)
  }
  return lastIsJson
}
const isText = (contentType: string) => /^text\/|\/(xml|x-www-form-urlencoded)\b|\+xml\b/i.test(contentType)

/**
 * Why a text is not JSON, without V8's quote of the text: the quote is cut at a few characters,
 * which can cut a secret short of its redaction. The caller shows a redacted excerpt instead.
 */
const parseProblem = (cause: unknown): string =>
  (cause instanceof Error ? cause.message : String(cause)).replace(/, "[\s\S]*"(\.\.\.)? is not valid JSON$/, "")

/**
 * Decodes a body by its content type. A JSON body that does not parse is an error with the
 * reason and the text (to be shown redacted).
 */
const utf8 = new TextDecoder()

/** Parsed bodies whose text has a `__proto__` member somewhere (rare; hostile or odd APIs). */
export const WITH_PROTO_KEYS = new WeakSet<object>()

/** Whether a plain value (objects and arrays, not bytes or files) has a `__proto__` member anywhere. */
export const hasProtoKeys = (value: unknown, depth = 0): boolean => {
  if (
    typeof value !== "object" || value === null || depth > 256 || ArrayBuffer.isView(value) || value instanceof Blob
  ) {
    return false
  }
  if (Array.isArray(value)) return value.some((item) => hasProtoKeys(item, depth + 1))
  if (Object.hasOwn(value, "__proto__")) return true
  for (const key of Object.keys(value)) {
    if (hasProtoKeys((value as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}

/**
 * Copies of `decoded` whose objects got `raw`'s `__proto__` members as their prototype (a
 * decoder that assigns members one by one does that) repaired: prototype back to
 * `Object.prototype`, the member an own data property again. Walks `raw` and `decoded` together.
 */
export const keepProtoKeys = (raw: unknown, decoded: unknown, depth = 0): unknown => {
  if (depth > 256 || typeof raw !== "object" || raw === null || typeof decoded !== "object" || decoded === null) {
    return decoded
  }
  if (ArrayBuffer.isView(decoded) || decoded instanceof Blob || decoded instanceof Date) return decoded
  if (Array.isArray(raw) && Array.isArray(decoded)) {
    return decoded.map((item, i) => keepProtoKeys(raw[i], item, depth + 1))
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(decoded)) {
    const value = keepProtoKeys(
      (raw as Record<string, unknown>)[key],
      (decoded as Record<string, unknown>)[key],
      depth + 1
    )
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  if (Object.hasOwn(raw, "__proto__") && !Object.hasOwn(decoded, "__proto__")) {
    const member = keepProtoKeys(
      (raw as Record<string, unknown>)["__proto__"],
      (raw as Record<string, unknown>)["__proto__"],
      depth + 1
    )
    Object.defineProperty(out, "__proto__", { value: member, enumerable: true, writable: true, configurable: true })
  }
  return out
}

export const decodeBody = (
  bytes: Uint8Array,
  contentType: string
): { readonly body: unknown } | { readonly error: string; readonly text: string } => {
  if (bytes.byteLength === 0) return { body: undefined }
  if (isJson(contentType) || contentType === "") {
    const text = utf8.decode(bytes)
    try {
      const body: unknown = JSON.parse(text)
      // JSON.parse keeps a `__proto__` member as plain data; note it so decoding can keep it so.
      if (typeof body === "object" && body !== null && text.includes("\"__proto__\"")) WITH_PROTO_KEYS.add(body)
      return { body }
    } catch (cause) {
      if (contentType === "") return { body: text }
      return { error: `body is not valid JSON (${parseProblem(cause)})`, text }
    }
  }
  if (isText(contentType)) return { body: utf8.decode(bytes) }
  return { body: bytes }
}

/**
 * The delay a `Retry-After` header asks for, in milliseconds; `undefined` when it asks for none
 * that can be used. RFC 9110 allows whole seconds or an HTTP date. Read as:
 * - seconds, whole or fractional (`120`, `1.5`): that long, rounded up to the millisecond;
 * - an HTTP date in the future: the time until then;
 * - a negative number, a date now or in the past, anything else: `undefined` (the caller's own
 *   delay applies: a stale date or clocks that disagree must not mean "retry at once").
 * Callers use it instead of their own delay, bounded above by the policy's `maxRetryAfter`.
 */
export const retryAfterMillis = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000)
  if (/^[+-]?\d/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) || date <= now ? undefined : date - now
}
