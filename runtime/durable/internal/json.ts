/**
 * Values as a journal can store them. Workflow inputs, step outputs and results are plain JSON
 * except for binary values (a file input, a binary response body): those are stored as base64
 * in a tagged object, a `Blob` or `File` keeping its type and name, and come back as the same
 * kind of value. Reading a `Blob` is asynchronous, so encoding is an Effect; decoding is not.
 */
import * as Effect from "effect/Effect"

const BYTES = "$arazzo.bytes"

interface StoredBytes {
  readonly [BYTES]: string
  readonly type?: string
  readonly name?: string
  readonly blob?: true
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isStoredBytes = (value: unknown): value is StoredBytes => isRecord(value) && typeof value[BYTES] === "string"

/** Own entries without inheriting anything, so a key named `__proto__` stays data. */
const fromEntries = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** `value` with every `Uint8Array`, `Blob` and `File` in it replaced by its stored form. */
export const encodeStored = (value: unknown): Effect.Effect<unknown> =>
  Effect.suspend((): Effect.Effect<unknown> => {
    if (value instanceof Uint8Array) return Effect.succeed({ [BYTES]: Buffer.from(value).toString("base64") })
    if (value instanceof Blob) {
      return Effect.map(Effect.promise(() => value.arrayBuffer()), (buffer) => ({
        [BYTES]: Buffer.from(buffer).toString("base64"),
        blob: true,
        ...(value.type !== "" ? { type: value.type } : {}),
        ...(value instanceof File ? { name: value.name } : {})
      }))
    }
    if (Array.isArray(value)) return Effect.all(value.map(encodeStored))
    if (isRecord(value)) {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined)
      return Effect.map(
        Effect.all(entries.map(([, v]) => encodeStored(v))),
        (values) => fromEntries(entries.map(([k], i) => [k, values[i]] as const))
      )
    }
    return Effect.succeed(value)
  })

/** The synchronous half, for values known to hold no `Blob` (response bodies, step outputs). */
export const encodeStoredSync = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return { [BYTES]: Buffer.from(value).toString("base64") }
  if (value instanceof Blob) throw new TypeError("a Blob cannot be stored synchronously")
  if (Array.isArray(value)) return value.map(encodeStoredSync)
  if (isRecord(value)) {
    return fromEntries(
      Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encodeStoredSync(v)])
    )
  }
  return value
}

/** The values `encodeStored` stored, as they were (a stored `File` comes back as a `File`). */
export const decodeStored = (value: unknown): unknown => {
  if (isStoredBytes(value)) {
    const bytes = new Uint8Array(Buffer.from(value[BYTES], "base64"))
    if (value.blob !== true) return bytes
    const options = value.type !== undefined ? { type: value.type } : {}
    return value.name !== undefined ? new File([bytes], value.name, options) : new Blob([bytes], options)
  }
  if (Array.isArray(value)) return value.map(decodeStored)
  if (isRecord(value)) return fromEntries(Object.entries(value).map(([k, v]) => [k, decodeStored(v)]))
  return value
}
