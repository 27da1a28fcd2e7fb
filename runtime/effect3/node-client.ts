/**
 * An `HttpClient` layer over `node:http` / `node:https` that an application may use instead of
 * `NodeHttpClient` (see internal/node-client.ts for what it leaves out and why it is lighter):
 *
 *   Effect.provide(program, Arazzo.NodeClient.layer)
 */
export { type Agents, layer, layerWith, make } from "./internal/node-client.js"
