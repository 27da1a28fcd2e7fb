/**
 * Plumbing for the AsyncAPI suite: generate a document of test/asyncapi/fixtures into
 * test/.generated/asyncapi/, import its module, and talk to the brokers scripts/brokers.ts
 * starts with the clients' own libraries (not the runtime's transports), so a test sees what
 * really went over the wire.
 */
import { connect as natsConnect, headers as natsHeaders } from "@nats-io/transport-node"
import { connectAsync as mqttConnect } from "mqtt"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { type Diagnostic, formatDiagnostic, generate, writeFiles } from "../../generator/index.js"
import type { BrokerProtocol } from "../../scripts/brokers.js"

const root = path.resolve(import.meta.dirname, "../..")
const fixtures = path.join(root, "test/asyncapi/fixtures")
const out = path.join(root, "test/.generated/asyncapi")

export type Module = Readonly<Record<string, (input: unknown) => any>>

/** Generates a fixture document (it must compile) and imports its module. */
export const compiled = async (document: string): Promise<Module> => {
  const outDir = path.join(out, document.replace(/\.ya?ml$/, ""))
  const result = await generate([path.join(fixtures, document)], { outDir, cwd: root, effect: 3 })
  const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === "error")
  if (errors.length > 0) throw new Error(`${document} does not compile:\n${errors.map(formatDiagnostic).join("\n")}`)
  await writeFiles(outDir, result.files)
  const module = result.files.find((f) => f.name !== "index.ts")!.name
  return (await import(pathToFileURL(path.join(outDir, module)).href)) as Module
}

export interface WireMessage {
  readonly topic: string
  readonly headers: Readonly<Record<string, string>>
  readonly payload: string
}

/** A plain client of the broker: what the application on the other side of the channel does. */
export interface Peer {
  /** Resolves with how to stop listening. */
  readonly subscribe: (topic: string, onMessage: (message: WireMessage) => void) => Promise<() => Promise<void>>
  readonly publish: (topic: string, headers: Readonly<Record<string, string>>, payload: unknown) => Promise<void>
  readonly close: () => Promise<void>
}

export const peer = async (protocol: BrokerProtocol, url: string): Promise<Peer> => {
  if (protocol === "mqtt") {
    const client = await mqttConnect(url, { protocolVersion: 5, reconnectPeriod: 0 })
    const handlers = new Map<string, (message: WireMessage) => void>()
    client.on("message", (topic, payload, packet) => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(packet.properties?.userProperties ?? {})) headers[k] = String(v)
      if (packet.properties?.contentType !== undefined) headers["content-type"] = packet.properties.contentType
      handlers.get(topic)?.({ topic, headers, payload: payload.toString("utf8") })
    })
    return {
      subscribe: async (topic, onMessage) => {
        handlers.set(topic, onMessage)
        await client.subscribeAsync(topic, { qos: 1 })
        return async () => {
          handlers.delete(topic)
          await client.unsubscribeAsync(topic)
        }
      },
      publish: async (topic, headers, payload) => {
        await client.publishAsync(topic, JSON.stringify(payload), {
          qos: 1,
          properties: { userProperties: { ...headers }, contentType: "application/json" }
        })
      },
      close: () => client.endAsync(true)
    }
  }
  const connection = await natsConnect({ servers: url })
  return {
    subscribe: async (topic, onMessage) => {
      const subscription = connection.subscribe(topic, {
        callback: (_error, msg) => {
          const headers: Record<string, string> = {}
          for (const k of msg.headers?.keys() ?? []) headers[k] = msg.headers!.get(k)
          onMessage({ topic: msg.subject, headers, payload: msg.string() })
        }
      })
      await connection.flush()
      return async () => {
        subscription.unsubscribe()
        await connection.flush()
      }
    },
    publish: async (topic, headers, payload) => {
      const h = natsHeaders()
      for (const [k, v] of Object.entries(headers)) h.set(k, v)
      connection.publish(topic, JSON.stringify(payload), { headers: h })
      await connection.flush()
    },
    close: () => connection.close()
  }
}
