/**
 * `generate --watch`: regenerate when a document, or an OpenAPI file a document names in its
 * `sourceDescriptions`, changes. Changes are debounced; each regeneration prints one line (when,
 * what changed, how long it took, what the generator said) and its diagnostics.
 *
 * Each regeneration runs `generate` in a fresh process: the generator caches OpenAPI descriptions
 * per process (generator/load/document.ts), so regenerating in this process would not see an
 * edited OpenAPI file. A fresh process also keeps a crash in one round from ending the watch.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as PlatformCommand from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { readFile, stat } from "node:fs/promises"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { parse } from "yaml"
import { exitOnInterruptWith, ExitCode, type UsageError } from "./exit.js"
import type { GenerateOptions } from "./generate-command.js"
import { documentsFrom, sourcesFrom } from "./options.js"

/** What to watch: directories searched for documents, and single files. */
export interface WatchSet {
  /** Directories given on the command line: any document appearing or changing in them counts. */
  readonly trees: ReadonlyArray<string>
  /** Documents and the OpenAPI files they reference, absolute. */
  readonly files: ReadonlyArray<string>
}

const DOCUMENT_FILE = /\.(ya?ml|json)$/i
const DEBOUNCE = "150 millis"

/** Where a source description's file is, as the loader resolves it; remote URLs are not watched. */
const resolveSource = (document: string, url: string, override: string | undefined): string | undefined => {
  if (override !== undefined) return path.resolve(override)
  if (/^file:/i.test(url)) return new URL(url).pathname
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined
  return path.resolve(path.dirname(document), decodeURI(url.split("#")[0] ?? url))
}

/** The local files a document's `sourceDescriptions` point at (read leniently: a broken document still gets watched). */
const referencedFiles = async (document: string, sources: Readonly<Record<string, string>>): Promise<Array<string>> => {
  try {
    const root: unknown = parse(await readFile(document, "utf8"), { uniqueKeys: false })
    const list = typeof root === "object" && root !== null ? (root as Record<string, unknown>)["sourceDescriptions"] : undefined
    if (!Array.isArray(list)) return []
    return list.flatMap((entry: unknown) => {
      const { name, url } = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>
      if (typeof name !== "string" || typeof url !== "string") return []
      const file = resolveSource(document, url, sources[name])
      return file === undefined ? [] : [file]
    })
  } catch {
    return []
  }
}

export const watchSet = (options: GenerateOptions): Effect.Effect<WatchSet, UsageError> =>
  Effect.gen(function*() {
    const sources = yield* sourcesFrom(options.source)
    const documents = yield* documentsFrom(options.documents)
    return yield* Effect.promise(async () => {
      const trees: Array<string> = []
      for (const input of options.documents) {
        if ((await stat(input).catch(() => undefined))?.isDirectory()) trees.push(path.resolve(input))
      }
      const files = new Set(documents)
      for (const document of documents) for (const file of await referencedFiles(document, sources)) files.add(file)
      return { trees: trees.sort(), files: [...files].sort() }
    })
  })

const sameSet = (a: WatchSet, b: WatchSet) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Paths that changed, absolute. Directories are watched rather than files: editors save by
 * replacing a file, which ends a watch on the file itself.
 */
const changes = (set: WatchSet): Stream.Stream<string, never, FileSystem.FileSystem> => {
  const files = new Set(set.files)
  const inTree = (file: string) => set.trees.some((tree) => file.startsWith(tree + path.sep))
  const relevant = (file: string) => files.has(file) || (DOCUMENT_FILE.test(file) && inTree(file))
  const single = [...new Set(set.files.map((f) => path.dirname(f)))].filter((dir) => !inTree(dir + path.sep) && !set.trees.includes(dir))
  const watchDir = (dir: string, recursive: boolean) =>
    Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.watch(dir, { recursive }))).pipe(
      Stream.map((event) => path.resolve(dir, event.path)),
      Stream.filter(relevant),
      // A directory that disappears ends its watch; the next round of the watch set decides again.
      Stream.catchAll(() => Stream.empty)
    )
  return Stream.mergeAll(
    [...set.trees.map((dir) => watchDir(dir, true)), ...single.map((dir) => watchDir(dir, false))],
    { concurrency: "unbounded" }
  )
}

const clock = () => new Date().toTimeString().slice(0, 8)

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`)

/** `generate` without `--watch`, in a fresh process of this same CLI (same Node flags, so it works under tsx too). */
const generateInChild = (options: GenerateOptions) => {
  const script = process.argv[1] ?? ""
  const args = [
    ...process.execArgv,
    script,
    "generate",
    ...options.documents,
    "--out",
    options.out,
    ...options.source.flatMap((s) => ["--source", s])
  ]
  const collect = <E>(stream: Stream.Stream<Uint8Array, E>) =>
    stream.pipe(Stream.decodeText(), Stream.runFold("", (all, chunk) => all + chunk))
  return Effect.scoped(Effect.gen(function*() {
    const child = yield* PlatformCommand.start(PlatformCommand.make(process.execPath, ...args))
    const [stdout, stderr, code] = yield* Effect.all([collect(child.stdout), collect(child.stderr), child.exitCode], {
      concurrency: "unbounded"
    })
    return { stdout, stderr, code: Number(code) }
  }))
}

/** One regeneration: the summary line, then the diagnostics the generator printed. */
const regenerate = (options: GenerateOptions, trigger: string | undefined) =>
  Effect.gen(function*() {
    const started = performance.now()
    const result = yield* generateInChild(options).pipe(
      Effect.catchAll((error) => Effect.succeed({ stdout: "", stderr: `cannot run the generator: ${String(error)}\n`, code: -1 }))
    )
    const took = seconds(performance.now() - started)
    const summary = result.stdout.trim().split("\n").filter((l) => l !== "").join("; ")
    const why = trigger === undefined ? "" : ` after ${path.relative(process.cwd(), trigger) || trigger} changed`
    const status = result.code === ExitCode.Ok ? "" : ` (exit ${result.code})`
    yield* Console.log(`[${clock()}] regenerated in ${took}${why}${status}: ${summary || "no summary"}`)
    for (const line of result.stderr.split("\n")) if (line.trim() !== "") yield* Console.log(`  ${line}`)
  })

export const watch = (
  options: GenerateOptions
): Effect.Effect<never, UsageError, FileSystem.FileSystem | CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    yield* exitOnInterruptWith(ExitCode.Ok)
    const initial = yield* watchSet(options)
    yield* regenerate(options, undefined)
    const current = yield* SubscriptionRef.make(initial)
    yield* Console.log(
      `watching ${initial.files.length} file(s)${initial.trees.length > 0 ? ` and ${initial.trees.length} director(ies)` : ""}; Ctrl-C to stop`
    )
    yield* current.changes.pipe(
      Stream.flatMap(changes, { switch: true }),
      Stream.debounce(DEBOUNCE),
      Stream.runForEach((trigger) =>
        Effect.gen(function*() {
          yield* regenerate(options, trigger)
          // A document may now reference other files, or a new document may have appeared.
          const next = yield* watchSet(options).pipe(Effect.orElse(() => SubscriptionRef.get(current)))
          if (!sameSet(next, yield* SubscriptionRef.get(current))) yield* SubscriptionRef.set(current, next)
        })
      )
    )
    return yield* Effect.never
  }).pipe(Effect.onInterrupt(() => Console.log("stopped watching")))
