/**
 * AsyncAPI message steps as generated code declares them, without Effect: the channel a step
 * sends to or receives from, where its messages carry their correlation id, how a step's
 * message is encoded, and how a received one is matched. Shared by both Effect lines.
 */
import { isFields } from "./body.js"
import type { Body } from "./body.js"
import { decodeBody } from "./response.js"
import { at, type Segment } from "./values.js"

/** Where a message carries its correlation id (AsyncAPI `correlationId.location`). */
export interface CorrelationLocation {
  readonly in: "header" | "payload"
  readonly path: ReadonlyArray<Segment>
}

export interface ChannelOptions {
  /** The AsyncAPI operation the step names, for spans and errors. */
  readonly operationId?: string
  /** Where the channel's messages carry their correlation id. */
  readonly correlation?: CorrelationLocation
  /** The messages' content type (AsyncAPI `contentType` or `defaultContentType`); JSON when absent. */
  readonly contentType?: string
}

/** A message, as a transport carries it: headers as text, the payload as bytes. */
export interface TransportMessage {
  /** The address it was published to (the channel's address with its parameters filled in). */
  readonly address: string
  readonly headers: Readonly<Record<string, string>>
  readonly payload: Uint8Array
}

/** A message as steps read it (`$message.header.x`, `$message.payload#/a`). */
export interface StepMessage {
  readonly address: string
  /** Header names as sent; lookups are case-insensitive. */
  readonly headers: Readonly<Record<string, string>>
  readonly payload: unknown
}

const utf8 = new TextEncoder()

/**
 * The bytes and content type of a message a step sends: a JSON value as JSON, text as UTF-8,
 * bytes as they are. Forms and multipart bodies have no meaning on a channel.
 */
export const encodeMessage = (
  body: Body | undefined,
  contentType: string
): { readonly payload: Uint8Array; readonly contentType: string } | { readonly error: string } => {
  switch (body?._tag) {
    case undefined:
      return { payload: new Uint8Array(), contentType }
    case "Json": {
      const text = JSON.stringify(body.value)
      return { payload: utf8.encode(text ?? "null"), contentType: body.contentType }
    }
    case "Text":
      return { payload: utf8.encode(body.text), contentType: body.contentType }
    case "Binary":
      if (body.value instanceof Uint8Array) return { payload: body.value, contentType: body.contentType }
      if (typeof body.value === "string") return { payload: utf8.encode(body.value), contentType: body.contentType }
      return { error: "a message payload is JSON, text or bytes (a Blob cannot be sent on a channel)" }
    case "Form":
    case "Multipart":
      return { error: "a message payload is JSON, text or bytes, not form fields or multipart parts" }
  }
}

/** Header values as a transport carries them: text, objects as JSON; absent ones left out. */
export const messageHeaders = (
  given: Readonly<Record<string, unknown>> | undefined,
  contentType: string
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(given ?? {})) {
    if (value === undefined) continue
    headers[name] = typeof value === "string" ? value : isFields(value) || Array.isArray(value)
      ? JSON.stringify(value)
      : String(value)
  }
  if (contentType !== "" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = contentType
  }
  return headers
}

/** A received message decoded by its content type (its header, else the channel's). */
export const decodeMessage = (
  message: TransportMessage,
  contentType: string
): StepMessage | { readonly error: string; readonly text: string } => {
  const type = headerOf(message.headers, "content-type") ?? contentType
  const decoded = decodeBody(message.payload, type)
  if ("error" in decoded) return decoded
  return { address: message.address, headers: message.headers, payload: decoded.body }
}

export const headerOf = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  const lower = name.toLowerCase()
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key]
  return undefined
}

/** The correlation id a message carries at the location, as text; `undefined` when it has none there. */
export const correlationOf = (message: StepMessage, location: CorrelationLocation): string | undefined => {
  const value = location.in === "header"
    ? location.path.length === 0 ? undefined : readHeaderPath(message.headers, location.path)
    : at(message.payload, location.path)
  return value === undefined || value === null ? undefined : typeof value === "string" ? value : JSON.stringify(value)
}

const readHeaderPath = (headers: Readonly<Record<string, string>>, path: ReadonlyArray<Segment>): unknown => {
  const [first, ...rest] = path
  const value = headerOf(headers, String(first))
  if (rest.length === 0 || value === undefined) return value
  try {
    return at(JSON.parse(value), rest)
  } catch {
    return undefined
  }
}

/** Whether a received message is the one a receive step waits for: the channel's address and the correlation id. */
export const matchesMessage = (
  message: StepMessage,
  address: string,
  correlation: { readonly location: CorrelationLocation; readonly id: unknown } | undefined
): boolean => {
  if (message.address !== address) return false
  if (correlation === undefined) return true
  const wanted = typeof correlation.id === "string" ? correlation.id : JSON.stringify(correlation.id)
  return correlationOf(message, correlation.location) === wanted
}

/** The protocol of a broker URL (`mqtt://…` → `mqtt`), as transports are chosen by it. */
export const protocolOf = (url: string): string => /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? ""
