/**
 * The cache of `arazzo-effect run` (generator/cli/run-cache.ts), in process with the real
 * compiler: a second run of a document neither compiles nor transpiles; editing the document or
 * the OpenAPI file it names compiles again; a module that imports another generated module loads
 * from the cache with its sibling; a directory others may write to is not used;
 * ARAZZO_EFFECT_NO_CACHE turns it off.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { appendFileSync, chmodSync, cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { type Compiled, runnableDocument } from "../../generator/cli/run-cache.js"
import { generate } from "../../generator/index.js"
import { root } from "./support.js"

/** A copy of specs/behaviour to edit, a cache directory, and a compile that counts its calls. */
const fixture = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "arazzo-effect-run-cache-"))
  cpSync(path.join(root, "specs/behaviour"), path.join(dir, "specs"), { recursive: true })
  const cache = path.join(dir, "cache")
  let compiles = 0
  const compile = (document: string) =>
    Effect.promise(async (): Promise<Compiled> => {
      compiles++
      const result = await generate([document], { outDir: process.cwd() })
      return { documents: result.documents, files: result.files.filter((f) => f.name !== "index.ts") }
    })
  const runnable = (document: string) =>
    Effect.scoped(
      Effect.gen(function*() {
        const prepared = yield* runnableDocument(document, {}, compile(document))
        return { ...prepared, module: yield* prepared.load }
      })
    ).pipe(Effect.provide(NodeFileSystem.layer))
  return { dir, cache, runnable, compiles: () => compiles }
}

const withCache = <A, E>(cache: string | undefined, effect: Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const saved = { dir: process.env["ARAZZO_EFFECT_CACHE_DIR"], off: process.env["ARAZZO_EFFECT_NO_CACHE"] }
      if (cache === undefined) process.env["ARAZZO_EFFECT_NO_CACHE"] = "1"
      else process.env["ARAZZO_EFFECT_CACHE_DIR"] = cache
      return saved
    }),
    () => effect,
    (saved) =>
      Effect.sync(() => {
        for (const [key, value] of [["ARAZZO_EFFECT_CACHE_DIR", saved.dir], ["ARAZZO_EFFECT_NO_CACHE", saved.off]]) {
          if (value === undefined) delete process.env[key!]
          else process.env[key!] = value
        }
      })
  )

describe("the run cache", () => {
  it.effect(
    "serves a second run from the cache, and compiles again when the document or its OpenAPI file changes",
    () => {
      const { dir, cache, runnable, compiles } = fixture()
      const document = path.join(dir, "specs/order-summary.arazzo.yaml")
      return withCache(
        cache,
        Effect.gen(function*() {
          const first = yield* runnable(document)
          expect(first.cached).toBe(false)
          expect(compiles()).toBe(1)
          const exported = first.exports.map((e) => e.run)
          expect(exported.length).toBeGreaterThan(0)
          for (const name of exported) expect(typeof first.module[name]).toBe("function")

          const second = yield* runnable(document)
          expect(second.cached).toBe(true)
          expect(compiles()).toBe(1)
          expect(second.ir.workflows.map((w) => w.workflowId)).toEqual(first.ir.workflows.map((w) => w.workflowId))
          expect(second.ir.workflows[0]?.inputs).toEqual(first.ir.workflows[0]?.inputs)
          for (const name of exported) expect(typeof second.module[name]).toBe("function")

          // The OpenAPI description it names changes (a comment is enough: the bytes differ).
          appendFileSync(path.join(dir, "specs/orders.openapi.yaml"), "\n# edited\n")
          expect((yield* runnable(document)).cached).toBe(false)
          expect(compiles()).toBe(2)
          expect((yield* runnable(document)).cached).toBe(true)

          appendFileSync(document, "\n# edited\n")
          expect((yield* runnable(document)).cached).toBe(false)
          expect(compiles()).toBe(3)
          // One entry per document text: the OpenAPI edit replaced the first entry in place.
          expect(readdirSync(path.join(cache, "run")).filter((n) => !n.startsWith(".")).length).toBe(2)
        })
      )
    },
    60_000
  )

  it.effect("loads a module that imports another generated module (an `arazzo` source) from the cache", () => {
    const { dir, cache, runnable } = fixture()
    // A document whose step runs a workflow of order-summary.arazzo.yaml.
    const document = path.join(dir, "specs/calls-summary.arazzo.yaml")
    writeFileSync(
      document,
      `arazzo: 1.0.1
info: { title: Calls another document, version: 1.0.0 }
sourceDescriptions:
  - name: summary
    url: ./order-summary.arazzo.yaml
    type: arazzo
workflows:
  - workflowId: read-through
    inputs:
      type: object
      required: [orderId]
      properties:
        orderId: { type: string }
    steps:
      - stepId: read
        workflowId: $sourceDescriptions.summary.read-order
        parameters:
          - name: orderId
            value: $inputs.orderId
`
    )
    return withCache(
      cache,
      Effect.gen(function*() {
        const first = yield* runnable(document)
        expect(first.cached).toBe(false)
        const second = yield* runnable(document)
        expect(second.cached).toBe(true)
        expect(typeof second.module[second.exports[0]!.run]).toBe("function")
        const [entry] = readdirSync(path.join(cache, "run")).filter((n) => !n.startsWith("."))
        expect(readdirSync(path.join(cache, "run", entry!)).sort()).toEqual([
          "calls-summary.mjs",
          "entry.json",
          "order-summary.mjs"
        ])
        // The document of the `arazzo` source is one of the files the entry depends on.
        appendFileSync(path.join(dir, "specs/order-summary.arazzo.yaml"), "\n# edited\n")
        expect((yield* runnable(document)).cached).toBe(false)
      })
    )
  }, 60_000)

  it.effect("is not used when others may write to its directory: it holds code that gets imported", () => {
    const { dir, cache, runnable, compiles } = fixture()
    const document = path.join(dir, "specs/order-summary.arazzo.yaml")
    return withCache(
      cache,
      Effect.gen(function*() {
        expect((yield* runnable(document)).cached).toBe(false)
        expect((yield* runnable(document)).cached).toBe(true)
        chmodSync(path.join(cache, "run"), 0o777)
        expect((yield* runnable(document)).cached).toBe(false)
        expect((yield* runnable(document)).cached).toBe(false)
        expect(compiles()).toBe(3)
      })
    )
  }, 60_000)

  it.effect("compiles every time with ARAZZO_EFFECT_NO_CACHE", () => {
    const { dir, runnable, compiles } = fixture()
    const document = path.join(dir, "specs/order-summary.arazzo.yaml")
    return withCache(
      undefined,
      Effect.gen(function*() {
        expect((yield* runnable(document)).cached).toBe(false)
        expect((yield* runnable(document)).cached).toBe(false)
        expect(compiles()).toBe(2)
      })
    )
  }, 60_000)
})
