/**
 * `generate --watch`: regenerate when a document, or an OpenAPI file a document names in its
 * `sourceDescriptions`, changes. Changes are debounced; each regeneration prints one line (when,
 * what changed, how long it took, what the generator said, how many errors and warnings) and the errors.
 *
 * Each regeneration runs `generate` in a fresh process: the generator caches OpenAPI descriptions
 * per process (generator/load/document.ts), so regenerating in this process would not see an
 * edited OpenAPI file. A fresh process also keeps a crash in one round from ending the watch.
 */
import * as PlatformCommand from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import { stat } from "node:fs/promises"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { readRegularFile } from "../load/files.js"
import { type Limits, limitsFrom as limitsOf } from "../load/limits.js"
import { ExitCode, exitOnInterruptWith, type UsageError } from "./exit.js"
import { documentsFrom, effectLineFrom, type GenerateOptions, readOptionsFrom, sourcesFrom } from "./options.js"

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
  if (/^file:/i.test(url)) return URL.canParse(url) ? fileURLToPath(url) : undefined
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined
  return path.resolve(path.dirname(document), decodeURI(url.split("#")[0] ?? url))
}

/** The local files a document's `sourceDescriptions` point at (read leniently: a broken document still gets watched). */
const referencedFiles = async (
  document: string,
  sources: Readonly<Record<string, string>>,
  limits: Partial<Limits>
): Promise<Array<string>> => {
  try {
    // Read as the loader reads: a FIFO or a huge file in the watch set must not hang the watch.
    const read = await readRegularFile(document, limitsOf(limits).documentBytes, "documentBytes")
    if ("refused" in read) return []
    // Loaded here, not at the top: every command imports this module, and only `--watch` reads YAML here.
    const { parseYaml } = await import("../load/yaml.js")
    const root: unknown = parseYaml(document, read.text).source.value
    const list = typeof root === "object" && root !== null
      ? (root as Record<string, unknown>)["sourceDescriptions"]
      : undefined
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
    const { limits } = yield* readOptionsFrom(options)
    const documents = yield* documentsFrom(options.documents, limits)
    return yield* Effect.promise(async () => {
      const trees: Array<string> = []
      for (const input of options.documents) {
        if ((await stat(input).catch(() => undefined))?.isDirectory()) trees.push(path.resolve(input))
      }
      const files = new Set(documents)
      for (const document of documents) {
        for (const file of await referencedFiles(document, sources, limits)) files.add(file)
      }
      return { trees: trees.sort(), files: [...files].sort() }
    })
  })

const sameSet = (a: WatchSet, b: WatchSet) => JSON.stringify(a) === JSON.stringify(b)

/** Whether a changed path concerns the set: one of its files, or a document-like file in one of its trees. */
const relevantTo = (set: WatchSet) => {
  const files = new Set(set.files)
  return (file: string) =>
    files.has(file) || (DOCUMENT_FILE.test(file) && set.trees.some((tree) => file.startsWith(tree + path.sep)))
}

/**
 * Watches the set's directories (recursively for trees) until the scope closes, offering every
 * changed path to `queue`. Directories rather than files: editors save by replacing a file, which
 * ends a watch on the file itself. The watchers exist once this returns, so no change after it is
 * missed.
 */
const openWatchers = (set: WatchSet, queue: Queue.Queue<string>): Effect.Effect<void, never, Scope.Scope> => {
  const underTree = (dir: string) => set.trees.some((tree) => dir === tree || dir.startsWith(tree + path.sep))
  const dirs = [
    ...set.trees.map((dir) => ({ dir, recursive: true })),
    ...[...new Set(set.files.map((f) => path.dirname(f)))].filter((dir) => !underTree(dir)).map((dir) => ({
      dir,
      recursive: false
    }))
  ]
  return Effect.forEach(dirs, ({ dir, recursive }) =>
    Effect.acquireRelease(
      Effect.try(() => {
        const watcher = fs.watch(dir, { recursive }, (_event, name) => {
          if (name !== null) queue.unsafeOffer(path.resolve(dir, name.toString()))
        })
        // A directory removed while watched: the next round of the watch set decides again.
        watcher.on("error", () => watcher.close())
        return watcher
      }),
      (watcher) => Effect.sync(() => watcher.close())
    ).pipe(Effect.orElse(() => Effect.void)), { discard: true })
}

/** The next relevant change, then any more within the debounce window (one save is often several events). */
const nextChange = (queue: Queue.Queue<string>, relevant: (file: string) => boolean) =>
  Effect.gen(function*() {
    let trigger = yield* Queue.take(queue)
    while (!relevant(trigger)) trigger = yield* Queue.take(queue)
    while (true) {
      const more = yield* Queue.take(queue).pipe(Effect.timeoutOption(DEBOUNCE))
      if (Option.isNone(more)) return trigger
      if (relevant(more.value)) trigger = more.value
    }
  })

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
    // Decided once for the whole watch, so a round never changes line halfway.
    "--effect",
    String(effectLineFrom(options).line),
    ...options.source.flatMap((s) => ["--source", s]),
    ...options.allowRoot.flatMap((d) => ["--allow-root", d]),
    ...options.limit.flatMap((l) => ["--limit", l])
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

const DIAGNOSTIC = /^\S.*:\d+:\d+: (error|warning) /

/**
 * One regeneration: a line saying when, why, how long and what the generator reported, with the
 * counts of errors and warnings; then each error (warnings repeat every round, `check` lists them).
 */
const regenerate = (options: GenerateOptions, trigger: string | undefined) =>
  Effect.gen(function*() {
    const started = performance.now()
    const result = yield* generateInChild(options).pipe(
      Effect.catchAll((error) =>
        Effect.succeed({ stdout: "", stderr: `cannot run the generator: ${String(error)}\n`, code: -1 })
      )
    )
    const took = seconds(performance.now() - started)
    const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "")
    const reported = lines(result.stderr)
    const warnings = reported.filter((l) => DIAGNOSTIC.exec(l)?.[1] === "warning").length
    const errors = reported.filter((l) => DIAGNOSTIC.exec(l)?.[1] === "error").length
    const why = trigger === undefined
      ? "generated"
      : `regenerated after ${path.relative(process.cwd(), trigger) || trigger} changed`
    const status = result.code === ExitCode.Ok || result.code === ExitCode.Failed ? "" : ` (exit ${result.code})`
    yield* Console.log(
      `[${clock()}] ${why} in ${took}${status}: ${
        lines(result.stdout).join("; ") || "no summary"
      }; ${errors} error(s), ${warnings} warning(s)`
    )
    for (const line of reported) if (DIAGNOSTIC.exec(line)?.[1] !== "warning") yield* Console.log(`  ${line}`)
  })

/**
 * Watches one watch set: regenerates on each change until a change alters the set itself (a new
 * document, a new OpenAPI reference); then returns the new set for the next round. The watchers
 * open before the first generation, so an edit made while it runs is not missed.
 */
const watchRound = (options: GenerateOptions, set: WatchSet, first: boolean, queue: Queue.Queue<string>) =>
  Effect.scoped(Effect.gen(function*() {
    yield* openWatchers(set, queue)
    if (first) yield* regenerate(options, undefined)
    yield* Console.log(
      `watching ${set.files.length} file(s)${
        set.trees.length > 0 ? ` and ${set.trees.length} director(ies)` : ""
      }; Ctrl-C to stop`
    )
    const relevant = relevantTo(set)
    while (true) {
      yield* regenerate(options, yield* nextChange(queue, relevant))
      const next = yield* watchSet(options).pipe(Effect.orElseSucceed(() => set))
      if (!sameSet(next, set)) return next
    }
  }))

export const watch = (
  options: GenerateOptions
): Effect.Effect<never, UsageError, CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    yield* exitOnInterruptWith(ExitCode.Ok)
    const effect = effectLineFrom(options)
    if (!effect.detected) yield* Console.error(`arazzo-effect: generating for Effect 3: ${effect.reason}`)
    // One queue for every round: a change made while a round ends (its watchers still open) is
    // kept for the next round instead of being lost with the round's queue.
    const queue = yield* Queue.unbounded<string>()
    let set = yield* watchRound(options, yield* watchSet(options), true, queue)
    while (true) set = yield* watchRound(options, set, false, queue)
  }).pipe(Effect.onInterrupt(() => Console.log("stopped watching")))
