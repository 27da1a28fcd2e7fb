/**
 * The img2img variants as the benchmarks drive them: each runs the flow `runs` times with at
 * most `concurrency` at once against one base URL, and keeps its HTTP client (and so its
 * keep-alive connections) for its whole life, as a long-running service would.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Arazzo from "arazzo-effect/runtime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as NodeClient from "../../runtime/effect3/node-client.js"
import { makeFloor } from "./floor.js"
import { generatedRun, handEffectRun, type Img2imgInput, pool } from "./img2img.js"

export interface Variant {
  readonly name: string
  /** Runs the flow `runs` times, at most `concurrency` at once; rejects on the first failed run. */
  readonly run: (runs: number, concurrency: number) => Promise<void>
  readonly dispose: () => Promise<void>
}

/** No wait between polls, at most 50 repeats: what every variant's poll does. */
export const noWaitPoll = Schedule.spaced("0 millis").pipe(Schedule.intersect(Schedule.recurs(50)))

/** What `Arazzo.Policies.layer` takes, without naming the runtime's type for it. */
export type PolicySettings = Parameters<typeof Arazzo.Policies.layer>[0]

const batch = <E>(once: Effect.Effect<unknown, E, any>, runs: number, concurrency: number) =>
  Effect.forEach(
    Array.from({ length: runs }),
    () => once,
    concurrency > 1 ? { concurrency, discard: true } : { discard: true }
  )

/**
 * The transports compared: @effect/platform-node's undici client (what the variants use unless
 * named otherwise), its `node:http` client, and the runtime's own `node:http` client
 * (`arazzo-effect/effect3/node`, runtime/effect3/node-client.ts).
 */
export type Transport = "undici" | "nodeHttp" | "arazzoNode"
const transportLayer = (transport: Transport): Layer.Layer<HttpClient.HttpClient> =>
  transport === "undici"
    ? NodeHttpClient.layerUndici
    : transport === "nodeHttp"
    ? NodeHttpClient.layer
    : NodeClient.layer

/** The generated workflow, through its public shape: `Arazzo.Servers.layer`, `Arazzo.Policies.layer`. */
export const generatedVariant = (
  name: string,
  url: string,
  input: Img2imgInput,
  options: { readonly policies?: PolicySettings; readonly tracer?: boolean; readonly transport?: Transport } = {}
): Variant => {
  const runtime = ManagedRuntime.make(Layer.mergeAll(
    transportLayer(options.transport ?? "undici"),
    Arazzo.Servers.layer({ civitaiOrchestrationApi: url }),
    Arazzo.Policies.layer({ poll: noWaitPoll, ...options.policies })
  ))
  const once = options.tracer === false ? Effect.withTracerEnabled(generatedRun(input), false) : generatedRun(input)
  return {
    name,
    run: (runs, concurrency) => runtime.runPromise(batch(once, runs, concurrency)),
    dispose: () => runtime.dispose()
  }
}

export const handEffectVariant = (
  name: string,
  url: string,
  input: Img2imgInput,
  transport: Transport = "undici"
): Variant => {
  const runtime = ManagedRuntime.make(transportLayer(transport))
  const once = handEffectRun(url, input)
  return {
    name,
    run: (runs, concurrency) => runtime.runPromise(batch(once, runs, concurrency)),
    dispose: () => runtime.dispose()
  }
}

export const floorVariant = (name: string, url: string, input: Img2imgInput): Variant => {
  const floor = makeFloor(url)
  return {
    name,
    run: (runs, concurrency) => pool(runs, concurrency, () => floor.run(input)),
    dispose: async () => floor.dispose()
  }
}

export const VARIANTS = [
  "generated",
  "handEffect",
  "floor",
  "generatedNodeHttp",
  "generatedArazzoNode",
  "handEffectArazzoNode"
] as const
export type VariantName = (typeof VARIANTS)[number]

export const makeVariant = (name: VariantName, url: string, input: Img2imgInput): Variant =>
  name === "generated"
    ? generatedVariant(name, url, input)
    : name === "handEffect"
    ? handEffectVariant(name, url, input)
    : name === "generatedNodeHttp"
    ? generatedVariant(name, url, input, { transport: "nodeHttp" })
    : name === "generatedArazzoNode"
    ? generatedVariant(name, url, input, { transport: "arazzoNode" })
    : name === "handEffectArazzoNode"
    ? handEffectVariant(name, url, input, "arazzoNode")
    : floorVariant(name, url, input)
