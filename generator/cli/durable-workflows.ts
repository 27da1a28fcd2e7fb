/**
 * The workflows a durable command works with, from Arazzo documents (compiled through the run
 * cache, as `run` does) or from modules `arazzo-effect generate` wrote (transpiled and pointed at
 * the CLI's runtime, as the cache does). A workflow's name in the store is its module's name and
 * its workflowId (`durableName`), so a document and the module generated from it name the same
 * workflow, and a worker and a `run --durable` on either find the same executions.
 */
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as Arazzo from "../../runtime/effect3/index.js"
import type { WorkflowIR } from "../lower/ir.js"
import { runtimeSources } from "./credentials.js"
import { UsageError } from "./exit.js"
import { prepareModules } from "./module-loader.js"
import { readOptionsFrom, sourcesFrom } from "./options.js"
import { importModule, runnableDocument, type RunnableIR } from "./run-cache.js"
import { chooseWorkflow, compile } from "./run-workflow.js"

export interface HostedWorkflow {
  readonly name: string
  readonly workflowId: string
  /** The generated function. */
  readonly run: (input: never) => Effect.Effect<any, any, any>
  /** The module's source descriptions (for `--server`, ARAZZO_SERVER_<SOURCE> and ARAZZO_CREDENTIAL_<SOURCE>_…). */
  readonly sources: ReadonlyArray<Arazzo.Source>
}

/** `flow.arazzo.yaml` → `flow`: the generated module's name (generator/emit/module.ts `moduleName`). */
const moduleStem = (file: string) => path.basename(file).replace(/(\.arazzo)?\.(ya?ml|json|m?js|ts)$/i, "")

const isModule = (file: string) => /\.(m?js|ts)$/.test(file) && !/\.d\.ts$/.test(file)

export interface ReadOptions {
  readonly source: ReadonlyArray<string>
  readonly allowRoot: ReadonlyArray<string>
  readonly limit: ReadonlyArray<string>
}

/** A document compiled (or taken from the cache) and loaded: its IR and its module's exports. */
export const loadDocument = (file: string, options: ReadOptions) =>
  Effect.gen(function*() {
    const sources = yield* sourcesFrom(options.source)
    const read = yield* readOptionsFrom(options)
    const document = yield* runnableDocument(file, sources, compile(file, { sources, ...read }), read).pipe(
      Effect.catchTag("ModuleLoadFailed", Effect.die)
    )
    const loaded = yield* document.load.pipe(Effect.orDie)
    return { ir: document.ir, exports: document.exports, loaded }
  })

/** Relative imports of a generated module (`./other.js`), which are its sibling modules. */
const siblingImports = (text: string): Array<string> =>
  [...text.matchAll(/from\s+"\.\/([^"/]+)\.js"/g)].map((m) => `${m[1]}.ts`)

/** A generated TypeScript module and the sibling modules it imports, transpiled into a scratch directory and loaded. */
const loadModule = (file: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(path.join(tmpdir(), "arazzo-effect-worker-"))),
    (dir) =>
      Effect.gen(function*() {
        const files: Array<{ name: string; text: string }> = []
        const pending = [path.basename(file)]
        while (pending.length > 0) {
          const name = pending.pop()!
          if (files.some((f) => f.name === name)) continue
          const full = path.join(path.dirname(file), name)
          if (!existsSync(full)) return yield* new UsageError({ message: `${file}: imports ./${name}, not found` })
          const text = readFileSync(full, "utf8")
          files.push({ name, text })
          pending.push(...siblingImports(text))
        }
        const prepared = yield* prepareModules(files).pipe(
          Effect.mapError((e) => new UsageError({ message: `${e.module}: ${e.reason}` }))
        )
        for (const m of prepared) writeFileSync(path.join(dir, m.name), m.javascript)
        const main = prepared[0]!
        return yield* importModule(path.join(dir, main.name)).pipe(
          Effect.mapError((e) => new UsageError({ message: `${file}: ${e.reason}` }))
        )
      }),
    // Imported modules stay in memory; the files are not needed once loaded.
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

/** An exported `Arazzo.source(name, defaultUrl, securitySchemes)`, recognised by its shape. */
export const isSource = (value: unknown): value is Arazzo.Source => {
  if (typeof value !== "object" || value === null) return false
  const { name, defaultUrl, securitySchemes } = value as Record<string, unknown>
  return typeof name === "string" && typeof defaultUrl === "string" && typeof securitySchemes === "object" &&
    securitySchemes !== null && Object.keys(value).length === 3
}

/** Every workflow of the given documents and generated modules. */
export const hostedWorkflows = (
  files: ReadonlyArray<string>,
  options: ReadOptions
) =>
  Effect.gen(function*() {
    const hosted: Array<HostedWorkflow> = []
    for (const file of files) {
      if (isModule(file)) {
        const loaded = file.endsWith(".ts")
          ? yield* loadModule(path.resolve(file))
          : yield* importModule(path.resolve(file)).pipe(
            Effect.mapError((e) => new UsageError({ message: `${file}: ${e.reason}` }))
          )
        const workflows = loaded["workflows"]
        if (typeof workflows !== "object" || workflows === null) {
          // The index generate writes beside the modules re-exports them: nothing of its own to host.
          if (path.basename(file) === "index.ts") continue
          return yield* new UsageError({
            message: `${file}: not a module generated by arazzo-effect (it exports no \`workflows\`)`
          })
        }
        const sources = Object.values(loaded).filter(isSource)
        for (const [workflowId, run] of Object.entries(workflows)) {
          if (typeof run !== "function") continue
          hosted.push({ name: durableNameOf(file, workflowId), workflowId, run, sources })
        }
        continue
      }
      const { exports, ir, loaded } = yield* loadDocument(file, options)
      for (const w of exports) {
        const run = loaded[w.run]
        if (typeof run !== "function") continue
        hosted.push({
          name: durableNameOf(file, w.workflowId),
          workflowId: w.workflowId,
          run: run as HostedWorkflow["run"],
          sources: runtimeSources(ir)
        })
      }
    }
    const names = hosted.map((h) => h.name)
    const twice = names.find((n, i) => names.indexOf(n) !== i)
    if (twice !== undefined) {
      return yield* new UsageError({
        message: `two of the given files declare the durable workflow ${twice}: give each document once`
      })
    }
    return hosted
  })

/** The name a workflow has in the store: `<module name>/<workflowId>`. */
export const durableNameOf = (file: string, workflowId: string): string => `${moduleStem(file)}/${workflowId}`

/** For `run --durable`: the one workflow of a document, and its IR. */
export const chooseDurable = (ir: RunnableIR, file: string, wanted: Option.Option<string>) =>
  Effect.map(chooseWorkflow(ir, wanted), (workflow: WorkflowIR) => ({
    workflow,
    name: durableNameOf(file, workflow.workflowId)
  }))
