/**
 * Names that `Object.prototype` also has (`__proto__`, `constructor`, `toString`) as inputs,
 * outputs and body members: the generated module keeps them as plain own data. Generated into
 * test/.generated/ (ignored by git), imported and run against a server on 127.0.0.1.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/effect3"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdir, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { generate, writeFiles } from "../../generator/index.js"
import { misbehavingServer } from "../support/misbehaving-server.js"

const dir = path.resolve(import.meta.dirname, "../.generated/prototype-names")

const openapi = `openapi: 3.1.0
info: { title: echo, version: "1" }
servers: [{ url: "https://echo.invalid" }]
paths:
  /echo:
    post:
      operationId: echo
      parameters:
        - { name: constructor, in: query, schema: { type: string } }
        - { name: toString, in: query, schema: { type: string } }
      requestBody:
        content:
          application/json:
            schema: { type: object }
      responses:
        "200":
          description: what was sent, and more
          content:
            application/json:
              schema:
                type: object
                required: [__proto__]
                properties:
                  __proto__: { type: string }
                  constructor: { type: string }
`

const arazzo = `arazzo: 1.0.1
info: { title: prototype names, version: "1" }
sourceDescriptions:
  - { name: echo, url: ./echo.openapi.yaml, type: openapi }
workflows:
  - workflowId: names
    inputs:
      type: object
      required: [__proto__]
      properties:
        __proto__: { type: string }
        constructor: { type: string }
        toString: { type: string }
    steps:
      - stepId: echo
        operationId: echo
        parameters:
          - { name: constructor, in: query, value: $inputs.constructor }
          - { name: toString, in: query, value: $inputs.toString }
        requestBody:
          payload:
            __proto__: $inputs.__proto__
            constructor: $inputs.constructor
        outputs:
          __proto__: $response.body#/__proto__
          constructor: $response.body#/constructor
    outputs:
      __proto__: $steps.echo.outputs.__proto__
      constructor: $steps.echo.outputs.constructor
`

interface Module {
  readonly names: (input: Record<string, string>) => Effect.Effect<
    Arazzo.WorkflowResult<Record<string, unknown>, Record<string, Record<string, unknown>>>,
    Arazzo.WorkflowError,
    never
  >
}

const load = Effect.promise(async () => {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, "echo.openapi.yaml"), openapi)
  await writeFile(path.join(dir, "names.arazzo.yaml"), arazzo)
  const result = await generate([path.join(dir, "names.arazzo.yaml")], { outDir: dir, cwd: dir })
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([])
  await writeFiles(dir, result.files)
  return (await import(pathToFileURL(path.join(dir, "names.ts")).href)) as Module
})

/** An own data property, not the prototype or an inherited member. */
const own = (value: unknown, key: string) => Object.getOwnPropertyDescriptor(value, key)?.value

describe("names Object.prototype has", () => {
  it.scopedLive("stay own data in inputs, request bodies, query parameters and outputs", () =>
    Effect.gen(function*() {
      const module = yield* load
      const sent: Array<{ url: string | undefined; body: string }> = []
      const server = yield* misbehavingServer({
        "POST /echo": (req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (c: Buffer) => chunks.push(c))
          req.on("end", () => {
            sent.push({ url: req.url, body: Buffer.concat(chunks).toString("utf8") })
            res.writeHead(200, { "content-type": "application/json" })
            res.end(`{"__proto__":"from the body","constructor":"c","polluted":true}`)
          })
        }
      })
      const input = JSON.parse(`{"__proto__":"p-value"}`) as Record<string, string>
      const result = yield* module.names(input).pipe(
        Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, Arazzo.Servers.layer({ echo: server.url })))
      )
      // The absent `constructor` and `toString` inputs send nothing: not Object's members.
      expect(sent[0]?.url).toBe("/echo")
      expect(JSON.parse(sent[0]!.body, (_k, v) => v)).toEqual(JSON.parse(`{"__proto__":"p-value"}`))
      expect(sent[0]!.body).toBe(`{"__proto__":"p-value"}`)
      expect(own(result.outputs, "__proto__")).toBe("from the body")
      expect(own(result.outputs, "constructor")).toBe("c")
      expect(Object.getPrototypeOf(result.outputs)).toBe(Object.prototype)
      expect(own(result.steps["echo"], "__proto__")).toBe("from the body")
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    }))
})
