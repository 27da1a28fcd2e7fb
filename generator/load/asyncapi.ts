/**
 * AsyncAPI 3.0 descriptions as message steps need them: servers (host, protocol), channels
 * (address, parameters, messages), operations (action, channel, messages, reply) and messages
 * (payload and headers schemas, content type, where the correlation id is). References inside
 * the file (`#/components/messages/…`, `#/channels/…`) are followed; what cannot be read is a
 * diagnostic at its place in the AsyncAPI file, and the description is then not used.
 */
import type { Diagnostic } from "../diagnostics.js"
import type { JsonSchema } from "./openapi.js"
import type { Path, SourceText } from "./yaml.js"

export interface AsyncApiMessage {
  /** The message's key in its channel or components, for messages and errors. */
  readonly name: string
  readonly payload: JsonSchema | undefined
  readonly headers: JsonSchema | undefined
  /** The message's content type, else the document's `defaultContentType`. */
  readonly contentType: string | undefined
  /** Where the message carries its correlation id (`$message.header#/id` → header `id`). */
  readonly correlation: { readonly in: "header" | "payload"; readonly path: ReadonlyArray<string> } | undefined
}

export interface AsyncApiChannel {
  /** The channel's key under `channels`. */
  readonly key: string
  /** The address (topic, subject); `undefined` when the channel has none (`null`: known at run time only). */
  readonly address: string | undefined
  /** Names of the `{parameters}` in the address. */
  readonly parameters: ReadonlyArray<string>
  readonly messages: ReadonlyArray<AsyncApiMessage>
}

export interface AsyncApiOperation {
  readonly operationId: string
  /** What the application the AsyncAPI describes does: it sends to the channel, or receives from it. */
  readonly action: "send" | "receive"
  readonly channel: AsyncApiChannel
  /** The operation's messages; the channel's when it lists none. */
  readonly messages: ReadonlyArray<AsyncApiMessage>
  readonly reply: { readonly channel: AsyncApiChannel; readonly messages: ReadonlyArray<AsyncApiMessage> } | undefined
}

export interface AsyncApiServer {
  readonly name: string
  readonly protocol: string
  /** `protocol://host/pathname` */
  readonly url: string
}

export interface AsyncApiDescription {
  readonly file: string
  readonly title: string | undefined
  readonly servers: ReadonlyArray<AsyncApiServer>
  readonly channels: ReadonlyArray<AsyncApiChannel>
  readonly operations: ReadonlyArray<AsyncApiOperation>
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const stringAt = (o: Json, key: string) => typeof o[key] === "string" ? o[key] as string : undefined

const decodeToken = (token: string) => decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~")

/** `#/a/b` as a path into the document; `undefined` for references to other files. */
const localPath = (ref: string): Array<string> | undefined =>
  ref === "#" ? [] : ref.startsWith("#/") ? ref.slice(2).split("/").map(decodeToken) : undefined

const valueAt = (root: unknown, path: ReadonlyArray<string>): unknown => {
  let current = root
  for (const key of path) {
    if (!isObject(current) && !Array.isArray(current)) return undefined
    current = (current as Json)[key]
  }
  return current
}

const CORRELATION = /^\$message\.(header|payload)#(\/.*)?$/

/** Indexes an AsyncAPI 3 document; diagnostics are positioned in its file. */
export const indexAsyncApi = (
  source: SourceText
): { readonly description: AsyncApiDescription | undefined; readonly diagnostics: Array<Diagnostic> } => {
  const diagnostics: Array<Diagnostic> = []
  const root = source.value
  const error = (path: Path, code: string, message: string) =>
    diagnostics.push(source.diagnostic(path, "error", code, message))
  if (!isObject(root)) {
    error([], "asyncapi-not-an-object", "an AsyncAPI description is an object with `asyncapi`, `info` and `channels`")
    return { description: undefined, diagnostics }
  }
  const version = root["asyncapi"]
  if (typeof version !== "string" || !/^3\.\d+\.\d+$/.test(version)) {
    error(
      ["asyncapi"],
      "asyncapi-version",
      `\`asyncapi: ${String(version)}\`: only AsyncAPI 3.x descriptions are read (Arazzo 1.1 names AsyncAPI 3.0)`
    )
    return { description: undefined, diagnostics }
  }
  const defaultContentType = stringAt(root, "defaultContentType")

  /** Follows `$ref`s within the file (a chain of them too); reports one that names nothing. */
  const follow = (value: unknown, path: Path): { value: unknown; path: Path } | undefined => {
    let current = value
    let at: Path = path
    for (let hops = 0; isObject(current) && typeof current["$ref"] === "string"; hops++) {
      const ref = current["$ref"] as string
      const target = localPath(ref)
      const found = target === undefined || hops > 32 ? undefined : valueAt(root, target)
      if (found === undefined) {
        error(
          [...at, "$ref"],
          "asyncapi-ref-unresolved",
          target === undefined
            ? `\`${ref}\` points into another file; only references within the AsyncAPI file are followed`
            : `\`${ref}\` names nothing in this AsyncAPI file`
        )
        return undefined
      }
      current = found
      at = target!
    }
    return { value: current, path: at }
  }

  /** A schema with its `$ref`s within the file resolved (a cycle is left as `{}`, typed unknown). */
  const schemaOf = (value: unknown, seen: ReadonlySet<unknown> = new Set()): JsonSchema | undefined => {
    if (typeof value === "boolean") return value
    if (!isObject(value)) return undefined
    if (typeof value["$ref"] === "string") {
      const target = localPath(value["$ref"])
      const found = target === undefined ? undefined : valueAt(root, target)
      return found === undefined || seen.has(found) ? {} : schemaOf(found, new Set([...seen, found]))
    }
    const out: Json = {}
    for (const [key, member] of Object.entries(value)) {
      out[key] = key === "properties" && isObject(member)
        ? Object.fromEntries(Object.entries(member).map(([k, v]) => [k, schemaOf(v, seen) ?? {}]))
        : ["items", "additionalProperties", "not"].includes(key) && (isObject(member) || typeof member === "boolean")
        ? schemaOf(member, seen)
        : ["allOf", "anyOf", "oneOf"].includes(key) && Array.isArray(member)
        ? member.map((m) => schemaOf(m, seen) ?? {})
        : member
    }
    return out
  }

  /** A Multi Format Schema Object carries its schema under `schema`; JSON Schema formats only. */
  const payloadOf = (value: unknown): JsonSchema | undefined => {
    if (isObject(value) && typeof value["schemaFormat"] === "string") {
      return /json|asyncapi/i.test(value["schemaFormat"]) ? schemaOf(value["schema"]) : undefined
    }
    return schemaOf(value)
  }

  const messageCache = new Map<unknown, AsyncApiMessage | undefined>()
  const messageOf = (value: unknown, path: Path, name: string): AsyncApiMessage | undefined => {
    const found = follow(value, path)
    if (found === undefined || !isObject(found.value)) return undefined
    if (messageCache.has(found.value)) return messageCache.get(found.value)
    const raw = found.value
    let correlation: AsyncApiMessage["correlation"]
    const correlationId = follow(raw["correlationId"], [...found.path, "correlationId"])
    if (correlationId !== undefined && isObject(correlationId.value)) {
      const location = stringAt(correlationId.value, "location") ?? ""
      const match = CORRELATION.exec(location)
      if (match === null) {
        error(
          [...correlationId.path, "location"],
          "asyncapi-correlation-location",
          `correlation id location \`${location}\` must read \`$message.header#/<name>\` or \`$message.payload#/<pointer>\``
        )
      } else {
        const pointer = (match[2] ?? "").split("/").slice(1).map(decodeToken)
        correlation = { in: match[1] as "header" | "payload", path: pointer }
      }
    }
    const message: AsyncApiMessage = {
      name: stringAt(raw, "name") ?? name,
      payload: payloadOf(raw["payload"]),
      headers: payloadOf(raw["headers"]),
      contentType: stringAt(raw, "contentType") ?? defaultContentType,
      correlation
    }
    messageCache.set(found.value, message)
    return message
  }

  const messagesIn = (value: unknown, path: Path): Array<AsyncApiMessage> => {
    if (isObject(value)) {
      return Object.entries(value).flatMap(([name, m]) => messageOf(m, [...path, name], name) ?? [])
    }
    if (Array.isArray(value)) {
      return value.flatMap((m, i) => {
        const ref = isObject(m) ? stringAt(m, "$ref") : undefined
        return messageOf(m, [...path, i], ref?.split("/").pop() ?? String(i)) ?? []
      })
    }
    return []
  }

  const channelCache = new Map<unknown, AsyncApiChannel>()
  const channelAt = (key: string, raw: Json, path: Path): AsyncApiChannel => {
    const cached = channelCache.get(raw)
    if (cached !== undefined) return cached
    const address = raw["address"] === null ? undefined : stringAt(raw, "address") ?? key
    const channel: AsyncApiChannel = {
      key,
      address,
      parameters: [...(address ?? "").matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
      messages: messagesIn(raw["messages"], [...path, "messages"])
    }
    channelCache.set(raw, channel)
    return channel
  }

  const channels = isObject(root["channels"]) ? root["channels"] : {}
  const indexedChannels = Object.entries(channels).flatMap(([key, raw]) => {
    const found = follow(raw, ["channels", key])
    return found !== undefined && isObject(found.value) ? [channelAt(key, found.value, found.path)] : []
  })

  /** The channel a `channel: {$ref}` names. */
  const channelRef = (value: unknown, path: Path): AsyncApiChannel | undefined => {
    if (!isObject(value)) {
      error(path, "asyncapi-channel-missing", "an operation names its channel with `channel: { $ref: '#/channels/…' }`")
      return undefined
    }
    const found = follow(value, path)
    if (found === undefined || !isObject(found.value)) return undefined
    const key = found.path[0] === "channels" && found.path.length === 2
      ? String(found.path[1])
      : String(found.path.at(-1))
    return channelAt(key, found.value, found.path)
  }

  const operations: Array<AsyncApiOperation> = []
  for (const [operationId, raw] of Object.entries(isObject(root["operations"]) ? root["operations"] : {})) {
    const path = ["operations", operationId]
    const found = follow(raw, path)
    if (found === undefined || !isObject(found.value)) continue
    const op = found.value
    const action = op["action"]
    if (action !== "send" && action !== "receive") {
      error(
        [...found.path, "action"],
        "asyncapi-operation-action",
        `operation \`${operationId}\` needs \`action: send\` or \`action: receive\``
      )
      continue
    }
    const channel = channelRef(op["channel"], [...found.path, "channel"])
    if (channel === undefined) continue
    const listed = messagesIn(op["messages"], [...found.path, "messages"])
    let reply: AsyncApiOperation["reply"]
    const replyFound = follow(op["reply"], [...found.path, "reply"])
    if (replyFound !== undefined && isObject(replyFound.value)) {
      const replyChannel = replyFound.value["channel"] === undefined
        ? undefined
        : channelRef(replyFound.value["channel"], [...replyFound.path, "channel"])
      if (replyChannel !== undefined) {
        const replyMessages = messagesIn(replyFound.value["messages"], [...replyFound.path, "messages"])
        reply = { channel: replyChannel, messages: replyMessages.length > 0 ? replyMessages : replyChannel.messages }
      }
    }
    operations.push({ operationId, action, channel, messages: listed.length > 0 ? listed : channel.messages, reply })
  }

  const servers: Array<AsyncApiServer> = []
  for (const [name, raw] of Object.entries(isObject(root["servers"]) ? root["servers"] : {})) {
    const found = follow(raw, ["servers", name])
    if (found === undefined || !isObject(found.value)) continue
    const host = stringAt(found.value, "host")
    const protocol = stringAt(found.value, "protocol")
    if (host === undefined || protocol === undefined) {
      error(found.path, "asyncapi-server", `server \`${name}\` needs a \`host\` and a \`protocol\``)
      continue
    }
    const pathname = stringAt(found.value, "pathname") ?? ""
    servers.push({ name, protocol: protocol.toLowerCase(), url: `${protocol.toLowerCase()}://${host}${pathname}` })
  }

  if (diagnostics.length > 0) return { description: undefined, diagnostics }
  const info = isObject(root["info"]) ? root["info"] : {}
  return {
    description: {
      file: source.file,
      title: stringAt(info, "title"),
      servers,
      channels: indexedChannels,
      operations
    },
    diagnostics
  }
}
