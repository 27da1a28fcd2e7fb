/**
 * Loading an Arazzo document: the YAML/JSON with positions, and the OpenAPI descriptions its
 * `sourceDescriptions` name (relative files, or files given per source name with `--source`).
 */
import { readFile, stat } from "node:fs/promises"
import * as path from "node:path"
import type { Diagnostic } from "../diagnostics.js"
import { type ApiDescription, dereference, indexDescription } from "./openapi.js"
import { parseYaml, type SourceText } from "./yaml.js"

export interface LoadOptions {
  /** Files to use for source descriptions by name, overriding their `url`. */
  readonly sources?: Readonly<Record<string, string>>
  /** Directory that file names in diagnostics and generated headers are relative to. */
  readonly cwd?: string
}

export interface LoadedSource {
  readonly name: string
  readonly url: string
  readonly type: string
  /** The index into `sourceDescriptions`, for diagnostics. */
  readonly index: number
  readonly description: ApiDescription | undefined
  /** For a source of type `arazzo`: the document it names, parsed, whose workflows steps may run. */
  readonly arazzo?: { readonly absolutePath: string; readonly root: Record<string, unknown> } | undefined
}

export interface LoadedDocument {
  readonly file: string
  readonly absolutePath: string
  readonly text: string
  readonly source: SourceText
  readonly sources: ReadonlyArray<LoadedSource>
}

/**
 * Dereferenced descriptions by absolute path, each with the file's modification time and size
 * when it was read: a file changed since (a long-running `--watch`) is read again. Files its
 * `$ref`s reach are not checked; a change there needs a new process.
 */
const descriptionCache = new Map<string, {
  readonly mtimeMs: number
  readonly size: number
  readonly description: Promise<ApiDescription | Error>
}>()

const loadDescription = async (file: string): Promise<ApiDescription | Error> => {
  let stats: { readonly mtimeMs: number; readonly size: number }
  try {
    stats = await stat(file)
  } catch (cause) {
    descriptionCache.delete(file)
    return cause instanceof Error ? cause : new Error(String(cause))
  }
  const cached = descriptionCache.get(file)
  if (cached !== undefined && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.description
  const description = readFile(file, "utf8")
    .then(async (text) => {
      const { source, errors } = parseYaml(file, text)
      if (errors.some((e) => e.severity === "error")) throw new Error(errors[0]?.message ?? "unparseable")
      const { value, broken } = await dereference(file, source.value)
      return indexDescription(file, value, broken)
    })
    .catch((cause: unknown) => (cause instanceof Error ? cause : new Error(String(cause))))
  descriptionCache.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, description })
  return description
}

export const loadDocument = async (
  absolutePath: string,
  options: LoadOptions = {}
): Promise<{ readonly document: LoadedDocument | undefined; readonly diagnostics: Array<Diagnostic> }> => {
  const cwd = options.cwd ?? process.cwd()
  const file = path.relative(cwd, absolutePath) || absolutePath
  let text: string
  try {
    text = await readFile(absolutePath, "utf8")
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause)
    return {
      document: undefined,
      diagnostics: [{ file, line: 1, column: 1, severity: "error", code: "file-unreadable", message }]
    }
  }
  const { source, errors } = parseYaml(file, text)
  const diagnostics: Array<Diagnostic> = [...errors]
  if (errors.some((e) => e.severity === "error")) return { document: undefined, diagnostics }
  const root = source.value
  const list = typeof root === "object" && root !== null
    ? (root as Record<string, unknown>)["sourceDescriptions"]
    : undefined
  const sources: Array<LoadedSource> = []
  for (const [index, entry] of (Array.isArray(list) ? list : []).entries()) {
    if (typeof entry !== "object" || entry === null) continue
    const { name, url, type = "openapi" } = entry as Record<string, unknown>
    if (typeof name !== "string" || typeof url !== "string") continue
    const where = ["sourceDescriptions", index, "url"]
    const given = options.sources?.[name]
    if (type !== "openapi" && type !== "arazzo") {
      diagnostics.push(
        source.diagnostic(
          ["sourceDescriptions", index, "type"],
          "error",
          "unsupported-source-type",
          `source description \`${name}\` has type \`${
            String(type)
          }\`; only \`openapi\` and \`arazzo\` sources are supported so far`
        )
      )
      sources.push({ name, url, type: String(type), index, description: undefined })
      continue
    }
    const target = given !== undefined ? path.resolve(cwd, given) : resolveUrl(absolutePath, url)
    if (type === "arazzo" && target !== undefined) {
      const arazzo = await loadArazzo(target)
      if (arazzo instanceof Error) {
        diagnostics.push(
          source.diagnostic(
            where,
            "error",
            "source-unresolved",
            `source description \`${name}\` cannot be loaded from ${path.relative(cwd, target)}: ${arazzo.message}`
          )
        )
      }
      sources.push({
        name,
        url,
        type,
        index,
        description: undefined,
        arazzo: arazzo instanceof Error ? undefined : arazzo
      })
      continue
    }
    if (target === undefined) {
      diagnostics.push(
        source.diagnostic(
          where,
          "error",
          "source-remote",
          `source description \`${name}\` points at ${url}, which is not fetched; give a local copy with --source ${name}=<file>`
        )
      )
      sources.push({ name, url, type, index, description: undefined })
      continue
    }
    const description = await loadDescription(target)
    if (description instanceof Error) {
      diagnostics.push(
        source.diagnostic(
          where,
          "error",
          "source-unresolved",
          `source description \`${name}\` cannot be loaded from ${path.relative(cwd, target)}: ${description.message}`
        )
      )
      sources.push({ name, url, type, index, description: undefined })
    } else {
      if (description.brokenRefs.length > 0) {
        diagnostics.push(
          source.diagnostic(
            where,
            "warning",
            "source-broken-refs",
            `${description.brokenRefs.length} $ref(s) in ${
              path.relative(cwd, target)
            } cannot be resolved; what they describe is typed unknown (first: ${description.brokenRefs[0]})`
          )
        )
      }
      sources.push({ name, url, type, index, description })
    }
  }
  return { document: { file, absolutePath, text, source, sources }, diagnostics }
}

/** Another Arazzo document, parsed (it is checked and compiled as a document of its own). */
const loadArazzo = async (file: string): Promise<{ absolutePath: string; root: Record<string, unknown> } | Error> => {
  try {
    const { source, errors } = parseYaml(file, await readFile(file, "utf8"))
    if (errors.some((e) => e.severity === "error")) return new Error(errors[0]?.message ?? "unparseable")
    const root = source.value
    if (typeof root !== "object" || root === null || !("arazzo" in root)) return new Error("not an Arazzo document")
    return { absolutePath: file, root: root as Record<string, unknown> }
  } catch (cause) {
    return cause instanceof Error ? cause : new Error(String(cause))
  }
}

/** A relative URL or `file:` URL resolved against the document; remote URLs are not fetched. */
const resolveUrl = (documentPath: string, url: string): string | undefined => {
  if (/^file:/i.test(url)) return new URL(url).pathname
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined
  return path.resolve(path.dirname(documentPath), decodeURI(url.split("#")[0] ?? url))
}
