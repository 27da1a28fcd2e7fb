/**
 * A step's request body as generated code gives it, with how it is encoded, and the HTTP
 * methods an operation may use. Plain data, shared by both Effect lines.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"

/** A request body, with how it is encoded. */
export type Body =
  | { readonly _tag: "Json"; readonly value: unknown; readonly contentType: string }
  | { readonly _tag: "Multipart"; readonly parts: unknown }
  | { readonly _tag: "Form"; readonly fields: unknown }
  | { readonly _tag: "Text"; readonly text: string; readonly contentType: string }
  /** A whole value sent as the body: bytes or a `Blob` as they are, text as UTF-8. */
  | { readonly _tag: "Binary"; readonly value: unknown; readonly contentType: string }

export const json = (value: unknown, contentType = "application/json"): Body => ({ _tag: "Json", value, contentType })
/** Multipart parts by name; the value may come whole from an input, so it is checked when sent. */
export const multipart = (parts: unknown): Body => ({ _tag: "Multipart", parts })
/** Form fields by name; the value may come whole from an input, so it is checked when sent. */
export const form = (fields: unknown): Body => ({ _tag: "Form", fields })

/** Whether a value is an object of fields or parts (not an array, bytes or a file). */
export const isFields = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) &&
  !(value instanceof Blob)
export const text = (value: string, contentType: string): Body => ({ _tag: "Text", text: value, contentType })
/** A file's bytes (or a `Blob`, or text) as the whole body, e.g. `application/octet-stream` or `image/png`. */
export const binary = (value: unknown, contentType: string): Body => ({ _tag: "Binary", value, contentType })
