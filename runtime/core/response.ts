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

export const isJson = (contentType: string) =>
  /^application\/(.+\+)?json\b/i.test(contentType) || /\+json\b/i.test(contentType)
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

export const decodeBody = (
  bytes: Uint8Array,
  contentType: string
): { readonly body: unknown } | { readonly error: string; readonly text: string } => {
  if (bytes.byteLength === 0) return { body: undefined }
  if (isJson(contentType) || contentType === "") {
    const text = utf8.decode(bytes)
    try {
      return { body: JSON.parse(text) }
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
