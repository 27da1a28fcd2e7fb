/**
 * An `HttpClient` layer over `node:http` / `node:https` that an application may use instead of
 * `NodeHttpClient` (see internal/node-client.ts for what it leaves out and why it is lighter).
 * A module of its own, so that the runtime's index imports nothing from `node:`:
 *
 *   import * as NodeClient from "arazzo-effect/effect3/node"
 *   Effect.provide(program, NodeClient.layer)
 */
export { type Agents, layer, layerWith, make } from "./internal/node-client.js"
