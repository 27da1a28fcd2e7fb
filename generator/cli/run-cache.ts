/**
 * The cache of `arazzo-effect run`: what a document compiles to (the modules as ready-to-import
 * JavaScript, and the little of the IR `run` needs), so running the same document again neither
 * loads the compiler nor transpiles.
 *
 * An entry is found by a key over the document's text, its path, the `--source` files, the
 * working directory (diagnostics and headers name files relative to it) and the build of the CLI
 * (package-info.ts `buildId`). It records the files the compilation read besides the document:
 * the local files its source descriptions name, and the documents of `arazzo` sources with
 * theirs, each with its sha256; an entry is used only while they are all unchanged. Not recorded:
 * files an OpenAPI description reaches through an external `$ref` (the generator does not report
 * them); after editing one of those, set ARAZZO_EFFECT_NO_CACHE=1 once.
 *
 * Where: $ARAZZO_EFFECT_CACHE_DIR, else $XDG_CACHE_HOME/arazzo-effect, else ~/.cache/arazzo-effect,
 * else (no home) a directory of this user's under the OS temp dir. The cache holds code this
 * process imports, so it is used only when its directory belongs to this user and nobody else can
 * write to it. The newest 100 entries are kept. When the cache cannot be used, the modules go to
 * a temporary directory that lives as long as the run.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { createHash } from "node:crypto"
import { homedir, tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { WorkflowExports } from "../emit/module.js"
import type { DocumentIR } from "../lower/ir.js"
import { ModuleLoadFailed } from "./module-load-failed.js"
import { buildId } from "./package-info.js"

/** Bumped when the layout of an entry changes. */
const FORMAT = 3
const KEEP = 100

/** The part of a document's IR that `run` uses. */
export type RunnableIR = Pick<DocumentIR, "file" | "title" | "sources" | "workflows">

/** A compiled document as `run` needs it. */
export interface RunnableDocument {
  readonly ir: RunnableIR
  /** The export names of each workflow in the document's module. */
  readonly exports: ReadonlyArray<WorkflowExports>
  /** Imports the document's module. */
  readonly load: Effect.Effect<Record<string, unknown>, ModuleLoadFailed>
  /** Whether this came out of the cache. */
  readonly cached: boolean
}

/** What compiling a document gives: its IR first, then those of the documents it imports; its module first. */
export interface Compiled {
  readonly documents: ReadonlyArray<DocumentIR>
  readonly files: ReadonlyArray<
    { readonly name: string; readonly text: string; readonly workflows?: ReadonlyArray<WorkflowExports> }
  >
}

const Entry = Schema.parseJson(Schema.Struct({
  format: Schema.Literal(FORMAT),
  module: Schema.String,
  ir: Schema.Struct({
    file: Schema.String,
    title: Schema.optional(Schema.String),
    sources: Schema.Array(Schema.Struct({
      name: Schema.String,
      url: Schema.String,
      serverUrl: Schema.String,
      securitySchemes: Schema.Record({ key: Schema.String, value: Schema.Unknown })
    })),
    // Plain data written by this code from the IR; checked for shape at the top only.
    workflows: Schema.Array(Schema.Struct({ workflowId: Schema.String }, { key: Schema.String, value: Schema.Unknown }))
  }),
  exports: Schema.Array(Schema.Struct({ workflowId: Schema.String, run: Schema.String, inputs: Schema.String })),
  dependencies: Schema.Array(Schema.Struct({ file: Schema.String, sha256: Schema.NullOr(Schema.String) }))
}))
type Entry = typeof Entry.Type

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex")

const cacheLocation = (): string | undefined => {
  const env = process.env
  if (env["ARAZZO_EFFECT_NO_CACHE"] !== undefined && env["ARAZZO_EFFECT_NO_CACHE"] !== "") return undefined
  if (env["ARAZZO_EFFECT_CACHE_DIR"]) return path.join(env["ARAZZO_EFFECT_CACHE_DIR"], "run")
  if (env["XDG_CACHE_HOME"]) return path.join(env["XDG_CACHE_HOME"], "arazzo-effect", "run")
  const home = homedir()
  if (home !== "") return path.join(home, ".cache", "arazzo-effect", "run")
  return path.join(tmpdir(), `arazzo-effect-${process.getuid?.() ?? "user"}`, "run")
}

/**
 * The cache directory, created private when missing; undefined when it is not this user's or
 * others may write to it (a directory under a shared temp dir could have been planted).
 */
const cacheRoot = (fs: FileSystem.FileSystem) =>
  Effect.gen(function*() {
    const root = cacheLocation()
    if (root === undefined) return undefined
    yield* fs.makeDirectory(root, { recursive: true, mode: 0o700 })
    const uid = process.getuid?.()
    for (const dir of [root, path.dirname(root)]) {
      const info = yield* fs.stat(dir)
      const owner = info.uid._tag === "Some" ? info.uid.value : undefined
      if ((uid !== undefined && owner !== uid) || (info.mode & 0o022) !== 0) return undefined
    }
    return root
  }).pipe(Effect.orElseSucceed(() => undefined))

/** A source description's URL as a local file, as the loader resolves it; remote URLs are not files. */
const localFile = (document: string, url: string): string | undefined => {
  if (/^file:/i.test(url)) return new URL(url).pathname
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined
  return path.resolve(path.dirname(document), decodeURI(url.split("#")[0] ?? url))
}

/** The files a compilation read besides the document (which is in the key). */
const dependenciesOf = (compiled: Compiled, document: string, sources: Readonly<Record<string, string>>) => {
  const files = new Set<string>()
  for (const ir of compiled.documents) {
    const file = path.resolve(ir.file)
    files.add(file)
    for (const source of ir.sources) {
      const given = sources[source.name]
      const local = given !== undefined ? path.resolve(given) : localFile(file, source.url)
      if (local !== undefined) files.add(local)
    }
  }
  files.delete(document)
  return [...files].sort()
}

const hashOf = (fs: FileSystem.FileSystem, file: string) =>
  fs.readFile(file).pipe(Effect.map(sha256), Effect.orElseSucceed(() => null))

export const importModule = (file: string): Effect.Effect<Record<string, unknown>, ModuleLoadFailed> =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
    catch: (cause) =>
      new ModuleLoadFailed({ module: file, reason: cause instanceof Error ? cause.message : String(cause) })
  })

/** The entry under `dir`, if it is there, readable and every file it depends on is as it was. */
const lookup = (fs: FileSystem.FileSystem, dir: string) =>
  Effect.gen(function*() {
    const entry = yield* fs.readFileString(path.join(dir, "entry.json")).pipe(
      Effect.flatMap(Schema.decodeUnknown(Entry)),
      Effect.option
    )
    if (entry._tag === "None") return undefined
    for (const dependency of entry.value.dependencies) {
      if ((yield* hashOf(fs, dependency.file)) !== dependency.sha256) return undefined
    }
    return entry.value
  })

/** Keeps the newest entries; older ones go (best effort: another run may be using or removing them). */
const prune = (fs: FileSystem.FileSystem, root: string) =>
  Effect.gen(function*() {
    const names = (yield* fs.readDirectory(root)).filter((n) => !n.startsWith("."))
    if (names.length <= KEEP) return
    const dated = yield* Effect.forEach(names, (name) =>
      fs.stat(path.join(root, name)).pipe(
        Effect.map((info) => ({ name, time: info.mtime._tag === "Some" ? info.mtime.value.getTime() : 0 }))
      ))
    const old = dated.sort((a, b) => b.time - a.time).slice(KEEP)
    yield* Effect.forEach(old, ({ name }) => fs.remove(path.join(root, name), { recursive: true }), { discard: true })
  }).pipe(Effect.ignore)

/** Writes the modules and the entry into `dir` whole: into a fresh directory first, then renamed. */
const store = (
  fs: FileSystem.FileSystem,
  root: string,
  dir: string,
  modules: ReadonlyArray<{ name: string; javascript: string }>,
  entry: Entry
) =>
  Effect.gen(function*() {
    const work = yield* fs.makeTempDirectory({ directory: root, prefix: ".new-" })
    for (const m of modules) yield* fs.writeFileString(path.join(work, m.name), m.javascript)
    yield* fs.writeFileString(path.join(work, "entry.json"), JSON.stringify(entry))
    yield* fs.remove(dir, { recursive: true, force: true })
    // Fails when another run stored the same entry meanwhile: this run then uses a temporary directory.
    yield* fs.rename(work, dir).pipe(
      Effect.catchAll((error) => fs.remove(work, { recursive: true }).pipe(Effect.zipRight(Effect.fail(error))))
    )
    yield* prune(fs, root)
  })

/**
 * The document ready to run: from the cache when an entry is valid, else compiled by `compile`
 * (which reports the document's errors itself), prepared and stored.
 */
export const runnableDocument = <E, R>(
  document: string,
  sources: Readonly<Record<string, string>>,
  compile: Effect.Effect<Compiled, E, R>,
  /** Other options that change what compiling reads or produces (allowed roots, limits): part of the key. */
  options: unknown = {}
): Effect.Effect<RunnableDocument, E | ModuleLoadFailed, R | FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const absolute = path.resolve(document)
    const root = yield* cacheRoot(fs)
    const text = yield* fs.readFile(absolute).pipe(Effect.orElseSucceed(() => undefined))
    const key = sha256(JSON.stringify([
      FORMAT,
      buildId(),
      process.cwd(),
      absolute,
      Object.entries(sources).map(([name, file]) => [name, path.resolve(file)]).sort(),
      text === undefined ? null : sha256(text),
      options
    ]))
    const dir = root === undefined ? undefined : path.join(root, key)
    const hit = dir === undefined || text === undefined ? undefined : yield* lookup(fs, dir)
    if (hit !== undefined && dir !== undefined) {
      return {
        ir: hit.ir as unknown as RunnableIR,
        exports: hit.exports,
        load: importModule(path.join(dir, hit.module)),
        cached: true
      }
    }

    const compiled = yield* compile
    const [ir] = compiled.documents
    const [main] = compiled.files
    if (ir === undefined || main === undefined) {
      return yield* new ModuleLoadFailed({ module: document, reason: "the compiler produced no module" })
    }
    // The compiler (ts-morph) only now: a cache hit never loads it.
    const { javascriptName, prepareModules } = yield* Effect.promise(() => import("./module-loader.js"))
    const modules = yield* prepareModules(compiled.files)
    const dependencies = yield* Effect.forEach(
      dependenciesOf(compiled, absolute, sources),
      (file) => hashOf(fs, file).pipe(Effect.map((hash) => ({ file, sha256: hash })))
    )
    const entry: Entry = {
      format: FORMAT,
      module: javascriptName(main.name),
      ir: {
        file: ir.file,
        title: ir.title,
        sources: ir.sources,
        workflows: ir.workflows as unknown as Entry["ir"]["workflows"]
      },
      exports: main.workflows ?? [],
      dependencies
    }
    const stored = dir === undefined || root === undefined || text === undefined
      ? false
      : yield* store(fs, root, dir, modules, entry).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
    const where = stored && dir !== undefined
      ? dir
      : yield* fs.makeTempDirectoryScoped({ prefix: "arazzo-effect-run-" }).pipe(
        Effect.tap((temp) =>
          Effect.forEach(modules, (m) => fs.writeFileString(path.join(temp, m.name), m.javascript), { discard: true })
        ),
        Effect.mapError((error) => new ModuleLoadFailed({ module: document, reason: error.message }))
      )
    return { ir, exports: entry.exports, load: importModule(path.join(where, entry.module)), cached: false }
  })
