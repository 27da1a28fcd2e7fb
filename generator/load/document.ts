/**
 * Loading an Arazzo document: the YAML/JSON with positions, and the OpenAPI descriptions its
 * `sourceDescriptions` name (relative files, or files given per source name with `--source`).
 * Every read follows the read policy (docs/security.md): files inside the allowed roots only
 * (./roots.ts), regular files within the byte limits only (./files.ts), parsed within the node
 * and depth limits (./yaml.ts); what is refused is a positioned diagnostic, never a read.
 */
import { stat } from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Diagnostic } from "../diagnostics.js"
import { type AsyncApiDescription, indexAsyncApi } from "./asyncapi.js"
import { parseDescription } from "./description.js"
import { readRegularFile, type Refusal } from "./files.js"
import { howToRaise, type Limits, limitsFrom } from "./limits.js"
import { type ApiDescription, indexDescription } from "./openapi.js"
import { dereference, descriptionBounds, display, type ReadPolicy } from "./references.js"
import { defaultRootOf, describeRoots, isAllowed, makeRoots } from "./roots.js"
import { relocateSource, unresolvedHint } from "./source-fallback.js"
import { parseYaml, type SourceText, type YamlBounds } from "./yaml.js"

export interface LoadOptions {
  /** Files to use for source descriptions by name, overriding their `url`. */
  readonly sources?: Readonly<Record<string, string>>
  /** Directory that file names in diagnostics and generated headers are relative to. */
  readonly cwd?: string
  /**
   * Directories that source descriptions and `$ref`s may read from, besides the document's own
   * project (see docs/security.md).
   */
  readonly allowRoots?: ReadonlyArray<string>
  /** Size limits over the defaults (./limits.ts). */
  readonly limits?: Partial<Limits>
}

/** The read policy for one document: its roots, the explicit `--source` files, the limits. */
export const readPolicyFor = (absolutePath: string, options: LoadOptions): ReadPolicy => {
  const cwd = options.cwd ?? process.cwd()
  const explicit = Object.values(options.sources ?? {}).map((f) => path.resolve(cwd, f))
  return {
    cwd,
    limits: limitsFrom(options.limits),
    roots: makeRoots(
      [
        defaultRootOf(absolutePath, cwd),
        ...(options.allowRoots ?? []).map((d) => path.resolve(cwd, d)),
        ...explicit.map((f) => defaultRootOf(f, cwd))
      ],
      explicit
    )
  }
}

const documentBoundsOf = (limits: Limits): YamlBounds => ({
  nodes: limits.documentNodes,
  nodesLimit: "documentNodes",
  depth: limits.depth
})

/** A refused read as a sentence, with how to raise the limit it hit. */
const refusalText = (refused: Refusal): string =>
  refused.code === "limit-bytes" ? `${refused.message}; ${howToRaise(refused.limit)}` : refused.message

export interface LoadedSource {
  readonly name: string
  readonly url: string
  readonly type: string
  /** The index into `sourceDescriptions`, for diagnostics. */
  readonly index: number
  readonly description: ApiDescription | undefined
  /** For a source of type `arazzo`: the document it names, parsed, whose workflows steps may run. */
  readonly arazzo?: { readonly absolutePath: string; readonly root: Record<string, unknown> } | undefined
  /** For a source of type `asyncapi`: its channels, operations, messages and servers. */
  readonly asyncapi?: AsyncApiDescription | undefined
}

export interface LoadedDocument {
  readonly file: string
  readonly absolutePath: string
  readonly text: string
  readonly source: SourceText
  readonly sources: ReadonlyArray<LoadedSource>
}

/** A description as loaded: the index, or why it could not be, and positioned findings in its files. */
interface DescriptionLoad {
  readonly description: ApiDescription | undefined
  /** Why there is no description: a refused read (its code), or errors listed in `diagnostics`. */
  readonly failure: { readonly code: string; readonly message: string } | undefined
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

/**
 * Loaded descriptions by absolute path and read policy, each with the file's modification time and
 * size when it was read: a file changed since (a long-running `--watch`) is read again. Files its
 * `$ref`s reach are not checked; a change there needs a new process.
 */
const descriptionCache = new Map<string, {
  readonly mtimeMs: number
  readonly size: number
  readonly load: Promise<DescriptionLoad>
}>()

const loadDescription = async (file: string, policy: ReadPolicy): Promise<DescriptionLoad> => {
  const key = JSON.stringify([file, policy])
  const stats = await stat(file).catch(() => undefined)
  const cached = descriptionCache.get(key)
  if (stats !== undefined && cached !== undefined && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) {
    return cached.load
  }
  const load = (async (): Promise<DescriptionLoad> => {
    const read = await readRegularFile(file, policy.limits.descriptionBytes, "descriptionBytes")
    if ("refused" in read) {
      const { refused } = read
      return {
        description: undefined,
        diagnostics: [],
        failure: {
          code: refused.code === "file-unreadable" ? "source-unresolved" : refused.code,
          message: refusalText(refused)
        }
      }
    }
    const shown = path.relative(policy.cwd, file) || file
    const { source, errors } = parseDescription(shown, read.text, descriptionBounds(policy.limits))
    if (errors.some((e) => e.severity === "error")) {
      return {
        description: undefined,
        diagnostics: errors.filter((e) => e.severity === "error"),
        failure: {
          code: "source-unresolved",
          message: `it has errors (${errors[0]!.code} at ${shown}:${errors[0]!.line}:${errors[0]!.column})`
        }
      }
    }
    const { value, resolve, broken, brokenAt, diagnostics } = await dereference(file, source, policy)
    return { description: indexDescription(file, value, broken, resolve, brokenAt), failure: undefined, diagnostics }
  })().catch((cause: unknown): DescriptionLoad => ({
    description: undefined,
    diagnostics: [],
    failure: { code: "source-unresolved", message: cause instanceof Error ? cause.message : String(cause) }
  }))
  if (stats !== undefined) descriptionCache.set(key, { mtimeMs: stats.mtimeMs, size: stats.size, load })
  return load
}

export const loadDocument = async (
  absolutePath: string,
  options: LoadOptions = {}
): Promise<{ readonly document: LoadedDocument | undefined; readonly diagnostics: Array<Diagnostic> }> => {
  const cwd = options.cwd ?? process.cwd()
  const policy = readPolicyFor(absolutePath, options)
  const file = path.relative(cwd, absolutePath) || absolutePath
  // The document itself was named (or found under a named directory): no root check, the rest holds.
  const read = await readRegularFile(absolutePath, policy.limits.documentBytes, "documentBytes")
  if ("refused" in read) {
    const { code } = read.refused
    return {
      document: undefined,
      diagnostics: [{ file, line: 1, column: 1, severity: "error", code, message: refusalText(read.refused) }]
    }
  }
  const text = read.text
  const { source, errors } = parseYaml(file, text, documentBoundsOf(policy.limits))
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
    const unloaded = { name, url, type: String(type), index, description: undefined }
    if (type !== "openapi" && type !== "arazzo" && type !== "asyncapi") {
      diagnostics.push(
        source.diagnostic(
          ["sourceDescriptions", index, "type"],
          "error",
          "unsupported-source-type",
          `source description \`${name}\` has type \`${
            String(type)
          }\`; only \`openapi\`, \`asyncapi\` and \`arazzo\` sources are supported so far`
        )
      )
      sources.push(unloaded)
      continue
    }
    const named = given !== undefined ? path.resolve(cwd, given) : resolveUrl(absolutePath, url)
    if (named === undefined) {
      diagnostics.push(
        source.diagnostic(
          where,
          "error",
          "source-remote",
          `source description \`${name}\` points at ${url}, which is not fetched; give a local copy with --source ${name}=<file>`
        )
      )
      sources.push(unloaded)
      continue
    }
    // A relative URL that does not resolve, read as the one plausible file nearby (./source-fallback.ts).
    const relocated = given !== undefined
      ? { target: named }
      : await relocateSource({
        documentPath: absolutePath,
        name,
        url,
        target: named,
        roots: policy.roots,
        show: (f) => display(cwd, f)
      })
    if ("error" in relocated) {
      diagnostics.push(source.diagnostic(where, "error", "source-ambiguous", relocated.error))
      sources.push(unloaded)
      continue
    }
    if (relocated.warning !== undefined) {
      diagnostics.push(source.diagnostic(where, "warning", "source-relocated", relocated.warning))
    }
    const target = relocated.target
    const shown = display(cwd, target)
    if (given === undefined && !isAllowed(policy.roots, target)) {
      diagnostics.push(
        source.diagnostic(
          where,
          "error",
          "source-outside-roots",
          `source description \`${name}\` points at ${shown}, outside the allowed roots (${
            describeRoots(policy.roots, cwd)
          }); it was not read. Name the file with --source ${name}=<file>, or allow its directory with --allow-root <dir> (library: allowRoots), if it is trusted`
        )
      )
      sources.push(unloaded)
      continue
    }
    if (type === "asyncapi") {
      const loaded = await loadAsyncApiFile(target, policy)
      diagnostics.push(...loaded.diagnostics)
      if ("failure" in loaded) {
        diagnostics.push(
          source.diagnostic(
            where,
            "error",
            loaded.failure.code,
            `source description \`${name}\` cannot be loaded from ${shown}: ${loaded.failure.message}${
              unresolvedHint(loaded.failure.code, name, given)
            }`
          )
        )
        sources.push(unloaded)
      } else {
        sources.push({ ...unloaded, type, asyncapi: loaded.asyncapi })
      }
      continue
    }
    if (type === "arazzo") {
      const arazzo = await loadArazzo(target, policy)
      if ("failure" in arazzo) {
        diagnostics.push(
          source.diagnostic(
            where,
            "error",
            arazzo.failure.code,
            `source description \`${name}\` cannot be loaded from ${shown}: ${arazzo.failure.message}${
              unresolvedHint(arazzo.failure.code, name, given)
            }`
          )
        )
        sources.push(unloaded)
      } else {
        sources.push({ ...unloaded, type, arazzo })
      }
      continue
    }
    const loaded = await loadDescription(target, policy)
    diagnostics.push(...loaded.diagnostics)
    if (loaded.description === undefined) {
      const failure = loaded.failure ?? { code: "source-unresolved", message: "unreadable" }
      diagnostics.push(
        source.diagnostic(
          where,
          "error",
          failure.code,
          `source description \`${name}\` cannot be loaded from ${shown}: ${failure.message}${
            unresolvedHint(failure.code, name, given)
          }`
        )
      )
      sources.push(unloaded)
      continue
    }
    const { description } = loaded
    if (description.brokenRefs.length > 0) {
      diagnostics.push(
        source.diagnostic(
          where,
          "warning",
          "source-broken-refs",
          `${description.brokenRefs.length} $ref(s) in ${shown} cannot be resolved; what they describe is typed unknown (first: ${
            description.brokenRefs[0]
          })`
        )
      )
    }
    sources.push({ ...unloaded, type, description })
  }
  return { document: { file, absolutePath, text, source, sources }, diagnostics }
}

/** An AsyncAPI description, parsed with positions (they are small) and indexed (./asyncapi.ts). */
const loadAsyncApiFile = async (
  file: string,
  policy: ReadPolicy
): Promise<
  | { readonly asyncapi: AsyncApiDescription; readonly diagnostics: ReadonlyArray<Diagnostic> }
  | {
    readonly failure: { readonly code: string; readonly message: string }
    readonly diagnostics: ReadonlyArray<Diagnostic>
  }
> => {
  const read = await readRegularFile(file, policy.limits.descriptionBytes, "descriptionBytes")
  if ("refused" in read) {
    const { refused } = read
    const code = refused.code === "file-unreadable" ? "source-unresolved" : refused.code
    return { failure: { code, message: refusalText(refused) }, diagnostics: [] }
  }
  const shown = display(policy.cwd, file)
  const { source, errors } = parseYaml(shown, read.text, descriptionBounds(policy.limits))
  const found = errors.filter((e) => e.severity === "error")
  const indexed = found.length > 0 ? { description: undefined, diagnostics: found } : indexAsyncApi(source)
  if (indexed.description === undefined) {
    const first = indexed.diagnostics[0]
    return {
      failure: {
        code: "source-unresolved",
        message: first === undefined
          ? "unreadable"
          : `it has errors (${first.code} at ${shown}:${first.line}:${first.column})`
      },
      diagnostics: indexed.diagnostics
    }
  }
  return { asyncapi: indexed.description, diagnostics: indexed.diagnostics }
}

/** Another Arazzo document, parsed (it is checked and compiled as a document of its own). */
const loadArazzo = async (
  file: string,
  policy: ReadPolicy
): Promise<
  | { readonly absolutePath: string; readonly root: Record<string, unknown> }
  | { readonly failure: { readonly code: string; readonly message: string } }
> => {
  const read = await readRegularFile(file, policy.limits.documentBytes, "documentBytes")
  if ("refused" in read) {
    const { refused } = read
    return {
      failure: {
        code: refused.code === "file-unreadable" ? "source-unresolved" : refused.code,
        message: refusalText(refused)
      }
    }
  }
  const { source, errors } = parseYaml(file, read.text, documentBoundsOf(policy.limits))
  const error = errors.find((e) => e.severity === "error")
  if (error !== undefined) {
    const code = error.code.startsWith("limit-") ? error.code : "source-unresolved"
    return { failure: { code, message: `${error.message} (at ${error.line}:${error.column})` } }
  }
  const root = source.value
  if (typeof root !== "object" || root === null || !("arazzo" in root)) {
    return { failure: { code: "source-unresolved", message: "not an Arazzo document" } }
  }
  return { absolutePath: file, root: root as Record<string, unknown> }
}

/** A relative URL or `file:` URL resolved against the document; remote URLs are not fetched. */
const resolveUrl = (documentPath: string, url: string): string | undefined => {
  const withoutFragment = url.split("#")[0] ?? url
  if (/^file:/i.test(url)) {
    try {
      return fileURLToPath(withoutFragment)
    } catch {
      return undefined
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined
  try {
    // Each segment decoded in full: `%2B` is a `+` in the file name (decodeURI keeps reserved escapes).
    return path.resolve(path.dirname(documentPath), withoutFragment.split("/").map(decodeURIComponent).join("/"))
  } catch {
    return path.resolve(path.dirname(documentPath), withoutFragment)
  }
}
