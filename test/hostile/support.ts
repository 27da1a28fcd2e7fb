/**
 * Hostile documents on disk: a throwaway project (with a package.json, so it is a project root)
 * holding the orders OpenAPI description next to an `arazzo/` folder, and a secret file outside
 * it whose text must never show up anywhere.
 */
import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"

export const root = path.resolve(import.meta.dirname, "../..")

export interface Project {
  /** The temporary directory: `project/` and `outside/` are in it. */
  readonly base: string
  readonly dir: string
  readonly outside: string
  /** A string that appears only in the files outside the project. */
  readonly secret: string
  /** Writes `arazzo/<name>` (a document) and returns its path. */
  readonly document: (name: string, text: string) => Promise<string>
}

export const SECRET = "ZXSECRETQW"

export const makeProject = async (): Promise<Project> => {
  const base = await mkdtemp(path.join(tmpdir(), "arazzo-hostile-"))
  const dir = path.join(base, "project")
  const outside = path.join(base, "outside")
  await mkdir(path.join(dir, "arazzo"), { recursive: true })
  await mkdir(outside, { recursive: true })
  await writeFile(path.join(dir, "package.json"), "{}\n")
  await cp(path.join(root, "specs/behaviour/orders.openapi.yaml"), path.join(dir, "openapi/orders.openapi.yaml"))
  await writeFile(
    path.join(outside, "schema.yaml"),
    `type: object\nproperties:\n  ${SECRET}: { type: string, description: ${SECRET} }\n`
  )
  await writeFile(path.join(outside, "secret.env"), `API_TOKEN=${SECRET}\n`)
  return {
    base,
    dir,
    outside,
    secret: SECRET,
    document: async (name, text) => {
      const file = path.join(dir, "arazzo", name)
      await writeFile(file, text)
      return file
    }
  }
}

/** A one-step document on the orders API; `url` is where its source description is. */
export const orderDocument = (url: string, extra = ""): string =>
  `arazzo: 1.0.1
info: { title: hostile, version: 1.0.0 }
sourceDescriptions:
  - name: orders
    url: ${JSON.stringify(url)}
    type: openapi
workflows:
  - workflowId: list
    steps:
      - stepId: listOrders
        operationId: listOrders
${extra}        outputs:
          items: $response.body#/items
    outputs:
      items: $steps.listOrders.outputs.items
`

/** `step` criteria lines for a regex criterion on the content type. */
export const regexCriterion = (pattern: string): string =>
  `        successCriteria:
          - context: $response.header.Content-Type
            condition: ${JSON.stringify(pattern)}
            type: regex
`

/** Milliseconds `f` takes. */
export const timed = async <A>(f: () => Promise<A>): Promise<{ readonly value: A; readonly ms: number }> => {
  const started = performance.now()
  const value = await f()
  return { value, ms: performance.now() - started }
}
