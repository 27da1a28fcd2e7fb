/**
 * Synthetic generator inputs, made from code (the same bytes on every call), written to a
 * temporary directory by the benchmark: an OpenAPI 3.0 description of any number of operations
 * (create/get pairs on `/things{i}`, with parameters, JSON bodies, `$ref`d schemas and shared
 * responses, components growing with the description) and Arazzo documents of any number of
 * workflows over it (each: create, poll until ready, read; criteria, outputs, a self-loop).
 */
import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"

const indent = (text: string, by: number) => text.replace(/^(?=.)/gm, " ".repeat(by))

/** An OpenAPI description with `operations` operations (rounded up to even: a POST and a GET per path). */
export const openapiText = (operations: number): string => {
  const paths = Math.max(1, Math.ceil(operations / 2))
  const schemas = Math.max(1, Math.ceil(paths / 5))
  const out: Array<string> = [
    "openapi: 3.0.3",
    "info:",
    `  title: Synthetic things API (${paths * 2} operations)`,
    "  version: 1.0.0",
    "servers:",
    "  - url: https://things.example.test",
    "paths:"
  ]
  for (let i = 0; i < paths; i++) {
    const k = i % schemas
    out.push(indent(
      `/things${i}:
  post:
    operationId: createThing${i}
    summary: Create a thing of kind ${i}
    description: Creates a thing of kind ${i}. The thing starts as pending and becomes ready when processed.
    tags: [things${i % 20}]
    parameters:
      - name: Idempotency-Key
        in: header
        schema:
          type: string
    requestBody:
      required: true
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/NewThing${k}'
    responses:
      '201':
        description: Created
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Thing${k}'
      '400':
        $ref: '#/components/responses/BadRequest'
      '401':
        $ref: '#/components/responses/Unauthorized'
      '429':
        $ref: '#/components/responses/TooManyRequests'
/things${i}/{thingId}:
  get:
    operationId: getThing${i}
    summary: Read a thing of kind ${i}
    description: Reads one thing of kind ${i} by its id, with its owner and tags.
    tags: [things${i % 20}]
    parameters:
      - name: thingId
        in: path
        required: true
        schema:
          type: string
      - name: verbose
        in: query
        schema:
          type: boolean
      - name: fields
        in: query
        style: form
        explode: false
        schema:
          type: array
          items:
            type: string
      - name: X-Request-Id
        in: header
        schema:
          type: string
    responses:
      '200':
        description: The thing
        headers:
          X-RateLimit-Remaining:
            schema:
              type: integer
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Thing${k}'
      '401':
        $ref: '#/components/responses/Unauthorized'
      '404':
        $ref: '#/components/responses/NotFound'
      '429':
        $ref: '#/components/responses/TooManyRequests'
`,
      2
    ))
  }
  out.push("components:", "  schemas:")
  for (let k = 0; k < schemas; k++) {
    out.push(indent(
      `Thing${k}:
  type: object
  required: [id, status]
  properties:
    id:
      type: string
    status:
      type: string
      enum: [pending, ready, failed]
    count:
      type: integer
    owner:
      $ref: '#/components/schemas/Owner'
    tags:
      type: array
      items:
        type: string
    createdAt:
      type: string
      format: date-time
    updatedAt:
      type: string
      format: date-time
    size:
      type: integer
      minimum: 0
    labels:
      type: object
      additionalProperties:
        type: string
    history:
      type: array
      items:
        type: object
        properties:
          at:
            type: string
            format: date-time
          status:
            type: string
NewThing${k}:
  type: object
  required: [name]
  properties:
    name:
      type: string
      maxLength: 200
    size:
      type: integer
      minimum: 0
    tags:
      type: array
      items:
        type: string
    labels:
      type: object
      additionalProperties:
        type: string
`,
      4
    ))
  }
  out.push(indent(
    `Owner:
  type: object
  properties:
    name:
      type: string
    email:
      type: string
Error:
  type: object
  required: [code]
  properties:
    code:
      type: string
    message:
      type: string
`,
    4
  ))
  out.push("  responses:")
  for (
    const [name, description] of [
      ["BadRequest", "Bad request"],
      ["Unauthorized", "Unauthorized"],
      ["NotFound", "Not found"],
      ["TooManyRequests", "Too many requests"]
    ]
  ) {
    out.push(indent(
      `${name}:
  description: ${description}
  content:
    application/json:
      schema:
        $ref: '#/components/schemas/Error'
`,
      4
    ))
  }
  return out.join("\n") + "\n"
}

/** One workflow: create a thing with `createThing{a}`, poll `getThing{a}` until ready, read it with `getThing{b}`. */
const workflowText = (id: string, a: number, b: number): string =>
  `- workflowId: ${id}
  summary: Create thing ${a}, wait until it is ready, read it through kind ${b}
  inputs:
    type: object
    required: [name]
    properties:
      name:
        type: string
      size:
        type: integer
  steps:
    - stepId: create
      operationId: createThing${a}
      requestBody:
        contentType: application/json
        payload:
          name: $inputs.name
          size: $inputs.size
      successCriteria:
        - condition: $statusCode == 201
      outputs:
        id: $response.body#/id
    - stepId: waitReady
      operationId: getThing${a}
      parameters:
        - name: thingId
          in: path
          value: $steps.create.outputs.id
      successCriteria:
        - condition: $statusCode == 200
      onSuccess:
        - name: stillPending
          type: goto
          stepId: waitReady
          criteria:
            - context: $response.body
              type: jsonpath
              condition: $[?@.status == 'pending']
        - name: ready
          type: goto
          stepId: read
          criteria:
            - context: $response.body
              type: jsonpath
              condition: $[?@.status == 'ready']
      outputs:
        status: $response.body#/status
    - stepId: read
      operationId: getThing${b}
      parameters:
        - name: thingId
          in: path
          value: $steps.create.outputs.id
        - name: verbose
          in: query
          value: true
      successCriteria:
        - condition: $statusCode == 200
      outputs:
        status: $response.body#/status
        owner: $response.body#/owner/name
  outputs:
    id: $steps.create.outputs.id
    status: $steps.read.outputs.status
    owner: $steps.read.outputs.owner
`

/** An Arazzo document whose workflows each use two create/get pairs of `openapiFile`, picked by `pick`. */
export const arazzoText = (
  title: string,
  openapiFile: string,
  workflows: number,
  pick: (w: number) => readonly [number, number]
): string => {
  const flows = Array.from({ length: workflows }, (_, w) => workflowText(`flow-${w}`, ...pick(w))).join("")
  return `arazzo: 1.0.1
info:
  title: ${title}
  version: 1.0.0
sourceDescriptions:
  - name: things
    url: ./${openapiFile}
    type: openapi
workflows:
${indent(flows, 2)}`
}

export interface SyntheticInput {
  readonly name: string
  /** The Arazzo document to generate. */
  readonly document: string
  readonly workflows: number
  readonly operations: number
  readonly descriptionBytes: number
}

const write = (file: string, text: string) => {
  writeFileSync(file, text)
  return Buffer.byteLength(text)
}

/**
 * The scaling inputs in `dir`: documents of 1, 10 and 100 workflows over a 100-operation
 * description, and one workflow over descriptions of 1,000 and 10,000 operations (using the last
 * path and one in the middle, so nothing can stop reading early). Plus `warm-up`, a small
 * document over a description of its own, to load and compile the generator before measuring.
 */
export const writeSyntheticInputs = (dir: string): ReadonlyArray<SyntheticInput> => {
  mkdirSync(dir, { recursive: true })
  const inputs: Array<SyntheticInput> = []
  const add = (name: string, operations: number, workflows: number, pick: (w: number) => readonly [number, number]) => {
    const openapi = `${name}.openapi.yaml`
    const descriptionBytes = write(path.join(dir, openapi), openapiText(operations))
    const document = path.join(dir, `${name}.arazzo.yaml`)
    write(document, arazzoText(`Synthetic ${name}`, openapi, workflows, pick))
    inputs.push({ name, document, workflows, operations, descriptionBytes })
  }
  add("warm-up", 20, 2, (w) => [w, w + 1])
  for (const workflows of [1, 10, 100]) add(`workflows-${workflows}`, 100, workflows, (w) => [w % 50, (w * 7 + 3) % 50])
  for (const operations of [1_000, 10_000]) {
    const paths = operations / 2
    add(`operations-${operations}`, operations, 1, () => [paths - 1, Math.floor(paths / 2)])
  }
  return inputs
}
