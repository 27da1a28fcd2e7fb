/**
 * The message side of a workflow run: the channels its AsyncAPI steps use, declared once per
 * generated module, and the session a run holds while it lasts — one broker connection per
 * source, and an inbox per channel it receives from. Every receive channel is subscribed when
 * the run starts, before its first step, so a message that an earlier step triggers (an HTTP
 * call, a send) is never lost to the race: it waits in the inbox until its receive step takes it.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { ChannelOptions, CorrelationLocation, StepMessage, TransportMessage } from "../../core/messages.js"
import { protocolOf } from "../../core/messages.js"
import { RequestFailed } from "./errors.js"
import { baseUrlIn, type Source } from "./servers.js"
import { type Connection, type Transport, TransportFailure, Transports } from "./transports.js"

/** A channel of an AsyncAPI source description, as message steps name it. */
export interface Channel {
  readonly _tag: "Channel"
  readonly source: Source
  /** The channel's `address` (an MQTT topic, a NATS subject). */
  readonly address: string
  readonly operationId: string | undefined
  readonly correlation: CorrelationLocation | undefined
  readonly contentType: string
}

export const channel = (source: Source, address: string, options: ChannelOptions = {}): Channel => ({
  _tag: "Channel",
  source,
  address,
  operationId: options.operationId,
  correlation: options.correlation,
  contentType: options.contentType ?? "application/json"
})

/** What a workflow's message steps use: generated code lists them in the workflow's definition. */
export interface MessageUse {
  readonly sends: ReadonlyArray<Channel>
  readonly receives: ReadonlyArray<Channel>
}

/** Messages kept per inbox for receive steps that have not run yet; the oldest go first beyond this. */
export const INBOX_LIMIT = 1000

/** Messages that arrived on one channel, and the receive steps waiting there. */
class Inbox {
  private readonly kept: Array<TransportMessage> = []
  private readonly waiting = new Set<{
    readonly take: (message: TransportMessage) => StepMessage | undefined
    readonly resume: (message: StepMessage) => void
  }>()

  deliver(message: TransportMessage): void {
    for (const waiter of this.waiting) {
      const taken = waiter.take(message)
      if (taken !== undefined) {
        this.waiting.delete(waiter)
        return waiter.resume(taken)
      }
    }
    this.kept.push(message)
    if (this.kept.length > INBOX_LIMIT) this.kept.shift()
  }

  /** The first message kept or yet to come that `take` accepts (it is removed from the inbox). */
  next(take: (message: TransportMessage) => StepMessage | undefined): Effect.Effect<StepMessage> {
    return Effect.async<StepMessage>((resume) => {
      for (const [i, message] of this.kept.entries()) {
        const taken = take(message)
        if (taken !== undefined) {
          this.kept.splice(i, 1)
          return resume(Effect.succeed(taken))
        }
      }
      const waiter = { take, resume: (message: StepMessage) => resume(Effect.succeed(message)) }
      this.waiting.add(waiter)
      return Effect.sync(() => this.waiting.delete(waiter))
    })
  }
}

export interface MessageSession {
  /** The broker URL a channel's source points at (an override from `Servers`, else the AsyncAPI server). */
  readonly urlOf: (channel: Channel) => string
  readonly publish: (channel: Channel, message: TransportMessage) => Effect.Effect<void, TransportFailure>
  /** The next message on the channel that `take` accepts (decoded and matched by the caller). */
  readonly receive: (
    channel: Channel,
    take: (message: TransportMessage) => StepMessage | undefined
  ) => Effect.Effect<StepMessage, TransportFailure>
}

const keyOf = (url: string, address: string) => `${url}\u0000${address}`

/**
 * Connects to every broker the workflow's channels name and subscribes to every channel it
 * receives from; all of it is closed when the scope (the run) ends.
 */
export const openSession = (
  use: MessageUse,
  servers: Readonly<Record<string, string>>,
  transports: Readonly<Record<string, Transport>>
): Effect.Effect<MessageSession, TransportFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const urlOf = (channel: Channel) => baseUrlIn(servers, channel.source)
    const connections = new Map<string, Connection>()
    for (const channel of [...use.sends, ...use.receives]) {
      const url = urlOf(channel)
      if (connections.has(url)) continue
      const protocol = protocolOf(url)
      const transport = Object.hasOwn(transports, protocol) ? transports[protocol] : undefined
      if (transport === undefined) {
        return yield* new TransportFailure({
          detail: `no transport for protocol \`${protocol}\` (source \`${channel.source.name}\` at ${url}); ` +
            `give one with Arazzo.Transports.layer({ ${protocol || "<protocol>"}: … })`
        })
      }
      connections.set(url, yield* transport(url))
    }
    const inboxes = new Map<string, Inbox>()
    for (const channel of use.receives) {
      const url = urlOf(channel)
      const key = keyOf(url, channel.address)
      if (inboxes.has(key)) continue
      const inbox = new Inbox()
      inboxes.set(key, inbox)
      yield* connections.get(url)!.subscribe(channel.address, (message) => inbox.deliver(message))
    }
    const connectionOf = (channel: Channel) => connections.get(urlOf(channel))
    return {
      urlOf,
      publish: (channel, message) => {
        const connection = connectionOf(channel)
        return connection === undefined
          ? Effect.fail(new TransportFailure({ detail: `no connection for ${channel.address}` }))
          : connection.publish(message)
      },
      receive: (channel, take) => {
        const inbox = inboxes.get(keyOf(urlOf(channel), channel.address))
        return inbox === undefined
          ? Effect.fail(new TransportFailure({ detail: `${channel.address} was not subscribed when the run started` }))
          : inbox.next(take)
      }
    } satisfies MessageSession
  })

/**
 * Runs a workflow body with its message session open: connections and subscriptions first, the
 * body after, everything closed when it ends. A broker that cannot be reached fails the run
 * before its first step, as a `RequestFailed` (no step: `stepId` is empty) naming the broker.
 */
export const withMessages = <A, E>(
  use: MessageUse,
  workflowId: string,
  servers: Readonly<Record<string, string>>,
  attach: (session: MessageSession) => void,
  body: Effect.Effect<A, E>
): Effect.Effect<A, E | RequestFailed> =>
  Effect.scoped(
    Effect.flatMap(Transports, (transports) =>
      Effect.flatMap(
        Effect.mapError(openSession(use, servers, transports), (failure) => {
          const channel = [...use.receives, ...use.sends][0]!
          return new RequestFailed({
            workflowId,
            // Before any step: the connection is the run's, opened when it starts.
            stepId: "",
            request: { method: "CONNECT", url: baseUrlIn(servers, channel.source) },
            stepOutputs: {},
            reason: "Transport",
            detail: failure.detail,
            attempts: 1
          })
        }),
        (session) => {
          attach(session)
          return body
        }
      ))
  )
