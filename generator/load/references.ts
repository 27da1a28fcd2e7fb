/**
 * Resolving the `$ref`s of an OpenAPI description with json-schema-ref-parser, under the read
 * policy: its file resolver and its parsers are replaced by ours. A referenced file is read only
 * when it lies inside the allowed roots, is a regular file and is within the byte limit; it is
 * parsed with the node and depth limits; anything else (HTTP, other schemes, text and binary
 * "parsers" that would turn any file into a string) is never read. A refused reference is an
 * error at the `$ref` itself (`file:line:col` in the file that holds it); a reference that is
 * merely broken (a missing file or pointer) is typed `unknown` and counted in a warning.
 */
import $RefParser, { ParserError, ResolverError } from "@apidevtools/json-schema-ref-parser"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { Diagnostic } from "../diagnostics.js"
import { parseDescription } from "./description.js"
import { readRegularFile } from "./files.js"
import { howToRaise, type Limits } from "./limits.js"
import { localResolver, surveyRefs } from "./local-refs.js"
import { describeRoots, isAllowed, type Roots } from "./roots.js"
import type { SourceText } from "./yaml.js"

/** What the loader may read, and how much. */
export interface ReadPolicy {
  readonly roots: Roots
  readonly limits: Limits
  /** For file names in diagnostics. */
  readonly cwd: string
}

export interface Dereferenced {
  readonly value: unknown
  /** Resolves the `$ref`s left in a part of `value` (the identity when `value` is fully dereferenced). */
  readonly resolve: (node: unknown) => unknown
  /** References that could not be resolved (what they describe is typed `unknown`). */
  readonly broken: ReadonlyArray<string>
  /** Where in the description each of `broken` is, when known (a path of keys), and why. */
  readonly brokenAt?: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly reason: string }>
  /** Positioned errors: references refused by the policy, referenced files that do not parse. */
  readonly diagnostics: ReadonlyArray<Diagnostic>
}

type Json = Record<string, unknown>

const identity = (node: unknown) => node

/** Codes of references the policy refuses (errors); other failures only leave a reference broken. */
const REFUSED: ReadonlySet<string> = new Set(["ref-outside-roots", "file-not-regular", "limit-bytes"])

/** A resolver URL (a path, or a `file:` URL) as a filesystem path. */
const toPath = (url: string): string => {
  if (/^file:/i.test(url)) return fileURLToPath(url)
  try {
    return path.resolve(decodeURI(url))
  } catch {
    return path.resolve(url)
  }
}

/** A file for messages: relative to the working directory inside it, absolute outside. */
export const display = (cwd: string, file: string): string => {
  const relative = path.relative(cwd, file)
  return relative === "" ? file : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative
}

/** The OpenAPI file bounds: description limits for nodes, the shared depth limit. */
export const descriptionBounds = (limits: Limits) => ({
  nodes: limits.descriptionNodes,
  nodesLimit: "descriptionNodes" as const,
  depth: limits.depth,
  uniqueKeys: false
})

/**
 * Resolves every `$ref` of `root` (the parsed text of `file`), reading only what the policy
 * allows. Circular references are left as `$ref` (typed `unknown` downstream).
 */
export const dereference = async (file: string, root: SourceText, policy: ReadPolicy): Promise<Dereferenced> => {
  const sources = new Map<string, SourceText>([[path.resolve(file), root]])
  const diagnostics: Array<Diagnostic> = []
  // References within the file only: resolved lazily, per part used (local-refs.ts).
  const survey = surveyRefs(root.value)
  if (!survey.external) {
    return { value: root.value, resolve: localResolver(root.value), broken: survey.broken, diagnostics }
  }

  const resolver = {
    order: 1,
    canRead: true,
    read: async (info: { url: string }): Promise<string> => {
      const target = toPath(info.url)
      const refuse = (code: string | undefined, reason: string): never => {
        throw new ResolverError(code === undefined ? { message: reason } : { message: reason, code }, info.url)
      }
      if (!/^file:/i.test(info.url) && /^[a-z][a-z0-9+.-]*:/i.test(info.url) && !/^[a-z]:[\\/]/i.test(info.url)) {
        refuse(undefined, `${info.url} is not fetched: only local files are read`)
      }
      if (!isAllowed(policy.roots, target)) {
        refuse(
          "ref-outside-roots",
          `${display(policy.cwd, target)} is outside the allowed roots (${
            describeRoots(policy.roots, policy.cwd)
          }); it was not read. Allow its directory with --allow-root <dir> (library: allowRoots) if it is trusted`
        )
      }
      const read = await readRegularFile(target, policy.limits.descriptionBytes, "descriptionBytes")
      if ("refused" in read) {
        const { refused } = read
        refuse(
          refused.code === "file-unreadable" ? undefined : refused.code,
          `${display(policy.cwd, target)}: ${refused.message}${
            refused.code === "limit-bytes" ? `; ${howToRaise("descriptionBytes")}` : ""
          }`
        )
      }
      return (read as { text: string }).text
    }
  }

  const parser = {
    order: 1,
    canParse: true,
    allowEmpty: true,
    parse: (info: { url: string; data: unknown }): unknown => {
      const target = toPath(info.url)
      const text = typeof info.data === "string"
        ? info.data
        : Buffer.isBuffer(info.data)
        ? info.data.toString("utf8")
        : ""
      const { source, errors } = parseDescription(display(policy.cwd, target), text, descriptionBounds(policy.limits))
      const fatal = errors.filter((e) => e.severity === "error")
      if (fatal.length > 0) {
        diagnostics.push(...fatal)
        throw new ParserError(fatal[0]!.message, info.url)
      }
      sources.set(target, source)
      return source.value
    }
  }

  const options = {
    resolve: { file: resolver, http: false },
    parse: { yaml: parser, json: false, text: false, binary: false },
    dereference: { circular: "ignore" as const },
    continueOnError: true
  }
  try {
    const value = await $RefParser.dereference(file, root.value as Json, options)
    return { value, resolve: identity, broken: [], diagnostics }
  } catch (cause) {
    const group = cause as {
      errors?: Array<
        { name?: string; message: string; path?: Array<string | number> | null; source?: string; ioErrorCode?: string }
      >
      files?: { schema?: unknown }
    }
    if (!Array.isArray(group.errors) || group.files?.schema === undefined) throw cause
    const broken: Array<string> = []
    const brokenAt: Array<{ path: ReadonlyArray<string | number>; reason: string }> = []
    for (const error of group.errors) {
      const message = error.message.split("\n")[0] ?? error.message
      if (error.ioErrorCode !== undefined && REFUSED.has(error.ioErrorCode)) {
        // At the `$ref` in the file that holds it (every file read is parsed by us, with positions).
        const holder = error.source === undefined ? undefined : sources.get(toPath(error.source))
        const where = holder === undefined ? [] : [...(error.path ?? []), "$ref"]
        diagnostics.push((holder ?? root).diagnostic(where, "error", error.ioErrorCode, `$ref refused: ${message}`))
      } else if (error.name !== "ParserError") {
        broken.push(`${error.path ? `/${error.path.join("/")}: ` : ""}${message}`)
        if (error.path) brokenAt.push({ path: error.path, reason: message })
      }
    }
    return { value: group.files.schema, resolve: identity, broken, brokenAt, diagnostics }
  }
}
