/**
 * Broker transports for AsyncAPI message steps, one per protocol, chosen by the scheme of the
 * source's URL (`mqtt://…`, `nats://…`; `Servers.layer` points a source at another broker).
 * `Transports` is a `Context.Reference`: the defaults need nothing in a workflow's requirements,
 * and `Transports.layer` replaces or adds a protocol (a Kafka client, an in-memory test double).
 * The client libraries are optional peer dependencies, imported only when a run uses them.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { TransportMessage } from "../../core/messages.js"

/** A broker refused, dropped or never answered; `detail` says how. */
export class TransportFailure extends Data.TaggedError("TransportFailure")<{ readonly detail: string }> {}

/** One open connection to a broker, for the length of a workflow run. */
export interface Connection {
  /** Resolves once the broker has accepted the message (MQTT QoS 1 PUBACK; NATS: a flush round trip). */
  readonly publish: (message: TransportMessage) => Effect.Effect<void, TransportFailure>
  /**
   * Delivers each message published to `address` from now on; resolves once the broker has the
   * subscription (so a message published after it is never lost). Ends with the scope.
   */
  readonly subscribe: (
    address: string,
    deliver: (message: TransportMessage) => void
  ) => Effect.Effect<void, TransportFailure, Scope.Scope>
}

/** Opens a connection to the broker at `url`; it is closed when the scope closes. */
export type Transport = (url: string) => Effect.Effect<Connection, TransportFailure, Scope.Scope>

const describe = (cause: unknown) => cause instanceof Error ? cause.message : String(cause)

/** Imports an optional client library, or says how to install it. */
const load = <M>(name: string, importer: () => Promise<M>) =>
  Effect.tryPromise({
    try: importer,
    catch: (cause) =>
      new TransportFailure({ detail: `the \`${name}\` package is needed for this protocol (${describe(cause)})` })
  })

const attempt = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new TransportFailure({ detail: `${what}: ${describe(cause)}` }) })

/** MQTT 5 (headers as user properties), QoS 1 both ways. */
export const mqttTransport: Transport = (url) =>
  Effect.gen(function*() {
    const mqtt = yield* load("mqtt", () => import("mqtt"))
    const client = yield* Effect.acquireRelease(
      attempt(`connecting to ${url}`, () =>
        mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 10_000 })),
      (c) =>
        Effect.promise(() => c.endAsync(true).catch(() => undefined))
    )
    const routes = new Map<string, Set<(message: TransportMessage) => void>>()
    client.on("message", (topic, payload, packet) => {
      const properties = packet.properties?.userProperties ?? {}
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(properties)) {
        headers[name] = Array.isArray(value) ? value.join(", ") : String(value)
      }
      const contentType = packet.properties?.contentType
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      for (const deliver of routes.get(topic) ?? []) deliver({ address: topic, headers, payload })
    })
    return {
      publish: (message) => {
        const { ["content-type"]: contentType, ...rest } = message.headers
        return Effect.asVoid(attempt(`publishing to ${message.address}`, () =>
          client.publishAsync(message.address, Buffer.from(message.payload), {
            qos: 1,
            // Mosquitto never acknowledged a publish that carried an empty user-properties list: leave it out.
            properties: {
              ...(Object.keys(rest).length > 0 ? { userProperties: rest } : {}),
              ...(contentType === undefined ? {} : { contentType })
            }
          })))
      },
      subscribe: (address, deliver) => {
        const route = Effect.sync(() => {
          let set = routes.get(address)
          if (set === undefined) {
            routes.set(address, set = new Set())
          }
          set.add(deliver)
        })
        const unroute = Effect.sync(() =>
          routes.get(address)?.delete(deliver)
        )
        const subscribed = attempt(`subscribing to ${address}`, () => client.subscribeAsync(address, { qos: 1 }))
        return Effect.acquireRelease(Effect.zipRight(subscribed, route), () => unroute)
      }
    } satisfies Connection
  })

/** NATS core (headers as NATS headers); a flush after each publish and subscribe confirms the server has it. */
export const natsTransport: Transport = (url) =>
  Effect.gen(function*() {
    const nats = yield* load("@nats-io/transport-node", () => import("@nats-io/transport-node"))
    const connection = yield* Effect.acquireRelease(
      attempt(`connecting to ${url}`, () => nats.connect({ servers: url, reconnect: false, timeout: 10_000 })),
      (c) => Effect.promise(() => c.close().catch(() => undefined))
    )
    return {
      publish: (message) =>
        attempt(`publishing to ${message.address}`, async () => {
          const headers = nats.headers()
          for (const [name, value] of Object.entries(message.headers)) headers.set(name, value)
          connection.publish(message.address, message.payload, { headers })
          await connection.flush()
        }),
      subscribe: (address, deliver) =>
        Effect.asVoid(Effect.acquireRelease(
          attempt(`subscribing to ${address}`, async () => {
            const subscription = connection.subscribe(address, {
              callback: (error, msg) => {
                if (error !== null) return
                const headers: Record<string, string> = {}
                for (const name of msg.headers?.keys() ?? []) headers[name] = msg.headers!.get(name)
                deliver({ address: msg.subject, headers, payload: msg.data })
              }
            })
            await connection.flush()
            return subscription
          }),
          (subscription) => Effect.sync(() => subscription.unsubscribe())
        ))
    } satisfies Connection
  })

/** Transports by protocol (the AsyncAPI server's `protocol`, the scheme of the source's URL). */
export class Transports extends Context.Reference<Transports>()("arazzo-effect/Transports", {
  defaultValue: (): Readonly<Record<string, Transport>> => ({ mqtt: mqttTransport, nats: natsTransport })
}) {
  /** Adds or replaces transports by protocol, e.g. `Transports.layer({ kafka: myKafkaTransport })`. */
  static layer(byProtocol: Readonly<Record<string, Transport>>): Layer.Layer<Transports> {
    return Layer.effect(Transports, Effect.map(Transports, (current) => ({ ...current, ...byProtocol })))
  }
}
