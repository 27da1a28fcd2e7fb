/**
 * Where step outputs are read in a response, without checking their types (each Effect line
 * checks them with its `Schema`). A body output is a JSON Pointer into a JSON body. A body that
 * is not a JSON object or array (an HTML page, text, bytes, a bare string) cannot be pointed
 * into: an error naming the output.
 */
import { encodePointerToken } from "./json.js"
import { isJson, type StepResponse } from "./response.js"
import { at, type Segment } from "./values.js"

export type OutputSource =
  /** `required`: the OpenAPI response schema requires a value there, so an absent one is an error. */
  | { readonly _tag: "Body"; readonly pointer: ReadonlyArray<Segment>; readonly required: boolean }
  | { readonly _tag: "Header"; readonly name: string }
  | { readonly _tag: "Status" }
  | { readonly _tag: "Computed"; readonly compute: (response: StepResponse) => unknown }

/** A JSON Pointer as text (`/a/0/b~1c`). */
export const pointerText = (pointer: ReadonlyArray<Segment>): string =>
  pointer.map((s) => "/" + encodePointerToken(String(s))).join("")

/** Where an output comes from, as an Arazzo runtime expression (for messages). */
export const describeSource = (source: OutputSource): string => {
  switch (source._tag) {
    case "Body":
      return `$response.body${source.pointer.length === 0 ? "" : "#" + pointerText(source.pointer)}`
    case "Header":
      return `$response.header.${source.name}`
    case "Status":
      return "$statusCode"
    case "Computed":
      return "a computed value"
  }
}

/** What a body that cannot be pointed into is, for the message. */
const notADocument = (response: StepResponse): string | undefined => {
  const { body } = response
  if (body === undefined || body === null) return undefined
  if (typeof body === "object" && !(body instanceof Uint8Array)) return undefined
  const contentType = response.headers["content-type"] || "no content type"
  if (body instanceof Uint8Array) return `binary content (${contentType}), not JSON`
  if (typeof body === "string" && !isJson(contentType)) return `text (${contentType}), not JSON`
  return `a JSON ${typeof body}, not an object or array`
}

export type ReadResult =
  | { readonly _tag: "Value"; readonly value: unknown }
  /** Absent where the response schema requires a value. */
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Unreadable"; readonly why: string }

export const readSource = (source: OutputSource, response: StepResponse): ReadResult => {
  switch (source._tag) {
    case "Body": {
      if (source.pointer.length > 0) {
        const unreadable = notADocument(response)
        if (unreadable !== undefined) return { _tag: "Unreadable", why: `points into a body that is ${unreadable}` }
      }
      const value = at(response.body, source.pointer)
      return value === undefined && source.required ? { _tag: "Missing" } : { _tag: "Value", value }
    }
    case "Header":
      return { _tag: "Value", value: response.headers[source.name] }
    case "Status":
      return { _tag: "Value", value: response.status }
    case "Computed":
      try {
        return { _tag: "Value", value: source.compute(response) }
      } catch (cause) {
        return { _tag: "Unreadable", why: `cannot be computed: ${String(cause)}` }
      }
  }
}
