/**
 * multipart/form-data (RFC 7578) encoded directly to bytes: each part's headers and the
 * boundaries are written as text, binary parts are copied in as they are. Going through
 * `FormData` and `Response.arrayBuffer` cost a stream per request, and Node 20's global
 * `FormData` cannot go through the undici client layer at all (nodejs/undici#4212).
 *
 * A part is text (`name=value`), bytes or a `Blob`/`File`, or any other value sent as JSON.
 * `Blob` contents can only be read asynchronously, so the result lists them as they are and
 * `toBytes` reads them; everything else is encoded at once.
 */
import { scalarText } from "./serialize.js"

const encoder = new TextEncoder()
const CRLF = encoder.encode("\r\n")

/** The encoded body: byte pieces in order, `Blob`s among them still to be read. */
export interface MultipartBody {
  readonly contentType: string
  readonly pieces: ReadonlyArray<Uint8Array | Blob>
  /** Whether a piece is a `Blob` (the bytes then need an asynchronous read). */
  readonly hasBlobs: boolean
}

/** Names and file names in part headers: quotes and line breaks escaped as browsers do. */
const quoted = (text: string) => `"${text.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22")}"`

/** Text values have their line breaks normalized to CRLF, as the form-data encoding requires. */
const textValue = (text: string) => text.replace(/\r\n|\r|\n/g, "\r\n")

let counter = 0

/** A boundary that cannot occur in the parts: random, and checked against the text parts. */
const boundaryFor = (texts: ReadonlyArray<string>): string => {
  for (;;) {
    const candidate = `----arazzo-effect-${Date.now().toString(36)}-${(counter++).toString(36)}-${
      Math.random().toString(36).slice(2)
    }`
    if (!texts.some((t) => t.includes(candidate))) return candidate
  }
}

type Part =
  | { readonly name: string; readonly text: string }
  | { readonly name: string; readonly data: Uint8Array | Blob; readonly fileName: string; readonly type: string }

const partOf = (name: string, value: unknown): Part => {
  if (value instanceof Blob) {
    const fileName = typeof (value as File).name === "string" && (value as File).name !== ""
      ? (value as File).name
      : name
    return { name, data: value, fileName, type: value.type || "application/octet-stream" }
  }
  if (value instanceof Uint8Array) return { name, data: value, fileName: name, type: "application/octet-stream" }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return { name, data: encoder.encode(JSON.stringify(value)), fileName: name, type: "application/json" }
  }
  return { name, text: scalarText(value) }
}

/**
 * Encodes parts by name; an array value repeats the name, `undefined` and `null` leave the
 * part out (an absent optional input).
 */
export const encodeMultipart = (fields: Readonly<Record<string, unknown>>): MultipartBody => {
  const parts: Array<Part> = []
  for (const name of Object.keys(fields)) {
    const value = fields[name]
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) parts.push(partOf(name, item))
    }
  }
  const boundary = boundaryFor(parts.flatMap((p) => ("text" in p ? [p.text] : [])))
  const pieces: Array<Uint8Array | Blob> = []
  let hasBlobs = false
  for (const part of parts) {
    if ("text" in part) {
      pieces.push(
        encoder.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(part.name)}\r\n\r\n${
            textValue(part.text)
          }\r\n`
        )
      )
      continue
    }
    pieces.push(encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(part.name)}; filename=${
        quoted(part.fileName)
      }\r\nContent-Type: ${part.type.replace(/[\r\n]/g, "")}\r\n\r\n`
    ))
    pieces.push(part.data)
    pieces.push(CRLF)
    if (part.data instanceof Blob) hasBlobs = true
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`))
  return { contentType: `multipart/form-data; boundary=${boundary}`, pieces, hasBlobs }
}

/** The pieces as one byte array; call only when none is a `Blob` (see `readBlobs`). */
export const concatBytes = (pieces: ReadonlyArray<Uint8Array>): Uint8Array => {
  let size = 0
  for (const piece of pieces) size += piece.byteLength
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const piece of pieces) {
    bytes.set(piece, offset)
    offset += piece.byteLength
  }
  return bytes
}

/** Reads the `Blob` pieces (the one asynchronous part of encoding), then concatenates. */
export const readBlobs = async (body: MultipartBody): Promise<Uint8Array> =>
  concatBytes(
    await Promise.all(body.pieces.map(async (p) => (p instanceof Blob ? new Uint8Array(await p.arrayBuffer()) : p)))
  )
