/**
 * Resolving an AsyncAPI step (Arazzo 1.1) to the channel it sends to or receives from: by
 * `operationId` (qualified `$sourceDescriptions.orders.placeOrder`, or bare when unique) or by
 * `channelPath` (`{$sourceDescriptions.orders.url}#/channels/place-order`).
 *
 * The AsyncAPI describes an application; the workflow is usually its counterpart. So a step
 * uses the operation's channel, except when the step does what the operation does and the
 * operation has a `reply`: then the step is on the reply's channel (it sends the request to an
 * application that receives it, and receives on the channel that application replies to, or
 * the reverse). A step without `action` does the opposite of what its operation does.
 */
import type { AsyncApiChannel, AsyncApiDescription, AsyncApiMessage, AsyncApiOperation } from "../load/asyncapi.js"
import type { LoadedSource } from "../load/document.js"
import type { Path } from "../load/yaml.js"
import { closest } from "../suggest.js"
import { report, type Reporter } from "./context.js"

export type MessageSource = LoadedSource & { readonly asyncapi: AsyncApiDescription }

export interface ResolvedMessageStep {
  readonly source: MessageSource
  readonly operation: AsyncApiOperation | undefined
  readonly channel: AsyncApiChannel
  /** The messages the step may send or receive there. */
  readonly messages: ReadonlyArray<AsyncApiMessage>
  readonly action: "send" | "receive"
}

const loaded = (sources: ReadonlyArray<LoadedSource>) =>
  sources.filter((s): s is MessageSource => s.asyncapi !== undefined)

const opposite = (action: "send" | "receive") => action === "send" ? "receive" : "send"

const onOperation = (
  source: MessageSource,
  operation: AsyncApiOperation,
  written: unknown,
  reporter: Reporter,
  path: Path
): ResolvedMessageStep => {
  if (written !== "send" && written !== "receive") {
    const action = opposite(operation.action)
    report(
      reporter,
      path,
      "warning",
      "message-action-inferred",
      `the step has no \`action\`; read as \`action: ${action}\` (operation \`${operation.operationId}\` is a \`${operation.action}\` of the application the AsyncAPI describes)`
    )
    return { source, operation, channel: operation.channel, messages: operation.messages, action }
  }
  if (written === operation.action && operation.reply !== undefined) {
    return { source, operation, ...operation.reply, action: written }
  }
  return { source, operation, channel: operation.channel, messages: operation.messages, action: written }
}

const byOperationId = (
  text: string,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path
): ResolvedMessageStep | undefined => {
  const qualified = /^\$sourceDescriptions\.([^.]+)\.(.+)$/.exec(text)
  if (qualified && !sources.some((s) => s.name === qualified[1])) {
    report(reporter, path, "error", "unknown-source", `no source description is named \`${qualified[1]}\``)
    return undefined
  }
  const candidates = loaded(qualified ? sources.filter((s) => s.name === qualified[1]) : sources)
  // An AsyncAPI source that did not load was reported when loading.
  if (candidates.length === 0) return undefined
  const operationId = qualified ? qualified[2]! : text
  const matches = candidates.flatMap((source) =>
    source.asyncapi.operations.filter((o) => o.operationId === operationId).map((operation) => ({ source, operation }))
  )
  if (matches.length > 1) {
    const names = matches.map((m) => `$sourceDescriptions.${m.source.name}.${operationId}`).join(", ")
    report(
      reporter,
      path,
      "error",
      "ambiguous-operation",
      `operationId \`${operationId}\` is in several sources; qualify it: ${names}`
    )
    return undefined
  }
  const match = matches[0]
  if (match === undefined) {
    if (!qualified && sources.some((s) => s.type === "asyncapi" && s.asyncapi === undefined)) return undefined
    const known = candidates.flatMap((s) => s.asyncapi.operations.map((o) => o.operationId))
    const suggestion = closest(operationId, known, 3)
    report(
      reporter,
      path,
      "error",
      "unknown-operation",
      `no AsyncAPI operation has operationId \`${operationId}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`
    )
    return undefined
  }
  return onOperation(match.source, match.operation, raw["action"], reporter, path)
}

const CHANNEL_PATH = /^\{\$sourceDescriptions\.([^.}]+)\.url\}#\/channels\/([^/]+)$/

const byChannelPath = (
  text: string,
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path
): ResolvedMessageStep | undefined => {
  const match = CHANNEL_PATH.exec(text)
  let name: string | undefined
  let key: string
  if (match !== null) {
    name = match[1]!
    key = decodeURIComponent(match[2]!).replace(/~1/g, "/").replace(/~0/g, "~")
  } else {
    // Real documents write the channel's key alone; read as meant when one AsyncAPI source can hold it.
    const asyncSources = sources.filter((s) => s.type === "asyncapi")
    if (asyncSources.length !== 1 || /[{}#$]/.test(text)) {
      report(
        reporter,
        path,
        "error",
        "channel-path-syntax",
        "a channelPath reads `{$sourceDescriptions.<name>.url}#/channels/<channel key>`"
      )
      return undefined
    }
    name = asyncSources[0]!.name
    key = text
    report(
      reporter,
      path,
      "warning",
      "channel-path-shorthand",
      `\`${text}\` names the channel without its source; read as meant. Spec form: \`{$sourceDescriptions.${name}.url}#/channels/${
        text.replace(/~/g, "~0").replace(/\//g, "~1")
      }\``
    )
  }
  const source = sources.find((s) => s.name === name)
  if (source === undefined) {
    report(reporter, path, "error", "unknown-source", `no source description is named \`${name}\``)
    return undefined
  }
  if (source.type !== "asyncapi") {
    report(
      reporter,
      path,
      "error",
      "channel-path-source",
      `\`${name}\` is an \`${source.type}\` source; channels are in \`asyncapi\` ones`
    )
    return undefined
  }
  if (source.asyncapi === undefined) return undefined
  const channel = source.asyncapi.channels.find((c) => c.key === key)
  if (channel === undefined) {
    const suggestion = closest(key, source.asyncapi.channels.map((c) => c.key), 3)
    report(
      reporter,
      path,
      "error",
      "unknown-channel",
      `\`${name}\` has no channel \`${key}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`
    )
    return undefined
  }
  const action = raw["action"] === "send" ? "send" : "receive"
  return { source: source as MessageSource, operation: undefined, channel, messages: channel.messages, action }
}

/** The channel an AsyncAPI step uses; `undefined` when it cannot be resolved (reported) or its source did not load. */
export const resolveMessageStep = (
  raw: Record<string, unknown>,
  sources: ReadonlyArray<LoadedSource>,
  reporter: Reporter,
  path: Path
): ResolvedMessageStep | undefined => {
  const operationId = raw["operationId"]
  if (typeof operationId === "string") {
    return byOperationId(operationId, raw, sources, reporter, [...path, "operationId"])
  }
  const channelPath = raw["channelPath"]
  if (typeof channelPath === "string") {
    return byChannelPath(channelPath, raw, sources, reporter, [...path, "channelPath"])
  }
  const operationPath = raw["operationPath"]
  if (typeof operationPath === "string") {
    report(
      reporter,
      [...path, "operationPath"],
      "error",
      "message-operation-path",
      "an AsyncAPI step names its operation with `operationId` or its channel with `channelPath`, not `operationPath`"
    )
  }
  return undefined
}

/** The message a step's payload and outputs are typed by: the only one there, else none. */
export const messageOf = (resolved: ResolvedMessageStep): AsyncApiMessage | undefined =>
  resolved.messages.length === 1 ? resolved.messages[0] : undefined
