/** Arguments and options shared by several commands. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type DetectedLine, detectEffectLine } from "../effect-line.js"
import {
  defaultLimits,
  isLimitName,
  type LimitName,
  limitNames,
  type Limits,
  parseLimitValue,
  showLimit
} from "../load/limits.js"
import { UsageError } from "./exit.js"
import { parsePairs } from "./pairs.js"

/** What `generate` (and each regeneration of `--watch`) works from. */
export interface GenerateOptions extends ReadOptions {
  readonly documents: ReadonlyArray<string>
  readonly out: string
  readonly source: ReadonlyArray<string>
  /** `--effect 3|4`; none: the line installed (or declared) where `--out` is. */
  readonly effect: Option.Option<"3" | "4">
}

export const effectOption = Options.choice("effect", ["3", "4"]).pipe(
  Options.optional,
  Options.withDescription(
    "the Effect line the modules are written for; default: the effect installed (or declared) " +
      "nearest to --out, else 3"
  )
)

/** The Effect line `generate` writes for: `--effect`, else what `--out`'s project has. */
export const effectLineFrom = (options: Pick<GenerateOptions, "effect" | "out">): DetectedLine =>
  Option.match(options.effect, {
    onNone: () => detectEffectLine(options.out),
    onSome: (line) => ({ line: line === "4" ? 4 : 3, reason: "--effect", detected: true })
  })

/** `--allow-root` and `--limit` as given: what the loader may read, and how much. */
export interface ReadOptions {
  readonly allowRoot: ReadonlyArray<string>
  readonly limit: ReadonlyArray<string>
}

/** One or more Arazzo documents or directories to search for them. */
export const documentsArg = Args.path({ name: "files or dirs", exists: "yes" }).pipe(
  Args.withDescription("Arazzo documents, or directories searched for files that declare `arazzo:`"),
  Args.atLeast(1)
)

/** `--server source=url`: where a source description's requests go (run and worker). */
export const serverOption = Options.text("server").pipe(
  Options.withPseudoName("source=url"),
  Options.withDescription(
    "the base URL for a source description (repeatable); default: ARAZZO_SERVER_<SOURCE> from the environment, else the OpenAPI `servers` URL"
  ),
  Options.repeated
)

export const sourceOption = Options.text("source").pipe(
  Options.withPseudoName("name=file"),
  Options.withDescription("use a local file for the source description `name` (repeatable)"),
  Options.repeated
)

export const allowRootOption = Options.directory("allow-root", { exists: "yes" }).pipe(
  Options.withPseudoName("dir"),
  Options.withDescription(
    "also let source descriptions and $refs read files under this directory (repeatable); by default only the working directory (or the document's project) is read, see docs/security.md"
  ),
  Options.repeated
)

export const limitOption = Options.text("limit").pipe(
  Options.withPseudoName("name=n"),
  Options.withDescription(
    `raise or lower a size limit (repeatable): ${
      limitNames.map((n) => `${n} (default ${showLimit(n, defaultLimits[n])})`).join(", ")
    }; bytes take KiB/MiB/GiB`
  ),
  Options.repeated
)

/** `--limit name=n` values as the loader's `limits` option. */
export const limitsFrom = (texts: ReadonlyArray<string>): Effect.Effect<Partial<Limits>, UsageError> =>
  Effect.flatMap(parsePairs({ option: "limit", shape: "name=n" }, texts), (pairs) => {
    const limits: Partial<Record<LimitName, number>> = {}
    for (const [name, text] of Object.entries(pairs)) {
      if (!isLimitName(name)) {
        return Effect.fail(
          new UsageError({ message: `--limit ${name}=…: no such limit; the limits: ${limitNames.join(", ")}` })
        )
      }
      const value = parseLimitValue(text)
      if (value === undefined) {
        return Effect.fail(
          new UsageError({
            message: `--limit ${name}=${text}: not a positive whole number (bytes may end in KiB, MiB or GiB)`
          })
        )
      }
      limits[name] = value
    }
    return Effect.succeed(limits)
  })

/** The loader options `--allow-root` and `--limit` stand for. */
export const readOptionsFrom = (options: ReadOptions) =>
  Effect.map(limitsFrom(options.limit), (limits) => ({ allowRoots: options.allowRoot, limits }))

/** `--source name=file` values as the generator's `sources` option. */
export const sourcesFrom = (texts: ReadonlyArray<string>) => parsePairs({ option: "source", shape: "name=file" }, texts)

/** The documents named on the command line, directories searched. */
export const documentsFrom = (
  inputs: ReadonlyArray<string>,
  limits: Partial<Limits> = {}
): Effect.Effect<Array<string>, UsageError> =>
  Effect.tryPromise({
    try: () => import("../index.js").then(({ findDocuments }) => findDocuments(inputs, { limits })),
    catch: (cause) => new UsageError({ message: cause instanceof Error ? cause.message : String(cause) })
  })
