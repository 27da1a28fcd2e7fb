/**
 * Blobs of the Civitai Orchestration mock: what an upload stores, how a stored blob is
 * rendered as the `Blob` schema, and the placeholder image a succeeded workflow produces.
 */
import { Buffer } from "node:buffer"
import { createHash } from "node:crypto"
import type { IncomingMessage } from "node:http"
import { accept, type Parsed, readFormData, refuse } from "./civitai-orchestration-http.js"

/** What a client sent for one blob: the exact bytes and how it described them. */
export interface BlobUpload {
  readonly bytes: Uint8Array
  readonly mimeType: string
  readonly filename: string
  readonly moderate: boolean
}

export interface StoredBlob extends BlobUpload {
  readonly id: string
  readonly sha256: string
  readonly createdAt: string
}

/** The `Blob` schema of the OpenAPI description. */
export interface BlobJson {
  readonly id: string
  readonly mimeType: string
  readonly sizeBytes: number
  readonly url: string
  readonly urlExpiresAt: string
  readonly sha256: string
  readonly nsfwLevel: number
  readonly createdAt: string
}

const DEFAULT_MIME_TYPE = "application/octet-stream"
const URL_LIFETIME_MS = 60 * 60 * 1000

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

export const storeBlob = (id: string, upload: BlobUpload, createdAt: Date): StoredBlob => ({
  ...upload,
  id,
  sha256: sha256Hex(upload.bytes),
  createdAt: createdAt.toISOString()
})

/** Where the mock serves a blob's bytes; public, like a signed CDN URL. */
export const blobContentUrl = (baseUrl: string, blobId: string): string =>
  `${baseUrl}/blobs/${encodeURIComponent(blobId)}`

export const renderBlob = (blob: StoredBlob, baseUrl: string): BlobJson => ({
  id: blob.id,
  mimeType: blob.mimeType,
  sizeBytes: blob.bytes.byteLength,
  url: blobContentUrl(baseUrl, blob.id),
  urlExpiresAt: new Date(Date.parse(blob.createdAt) + URL_LIFETIME_MS).toISOString(),
  sha256: blob.sha256,
  nsfwLevel: 1,
  createdAt: blob.createdAt
})

const parseModerate = (value: FormDataEntryValue | null): Parsed<boolean> => {
  // The OpenAPI default for `moderate` is true.
  if (value === null) return accept(true)
  if (value === "true") return accept(true)
  if (value === "false") return accept(false)
  return refuse(`the "moderate" part must be "true" or "false"`)
}

/** Reads the multipart `file` (required) and `moderate` (optional) parts of an upload. */
export const parseBlobUpload = async (req: IncomingMessage, url: URL): Promise<Parsed<BlobUpload>> => {
  const form = await readFormData(req, url).catch(() => undefined)
  if (form === undefined) return refuse("expected a multipart/form-data body")
  const file = form.get("file")
  if (file === null) return refuse(`the multipart body has no "file" part`)
  // A part without a filename arrives as text, already decoded as UTF-8: binary would be lost.
  if (typeof file === "string") return refuse(`the "file" part must be sent as a file (with a filename)`)
  const moderate = parseModerate(form.get("moderate"))
  if (!moderate.ok) return moderate
  return accept({
    bytes: new Uint8Array(await file.arrayBuffer()),
    mimeType: file.type === "" ? DEFAULT_MIME_TYPE : file.type,
    filename: file.name,
    moderate: moderate.value
  })
}

/** A 1×1 PNG: the bytes behind every generated output, deterministic so tests can compare them. */
export const OUTPUT_IMAGE_PNG: Uint8Array = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64"
  )
)
