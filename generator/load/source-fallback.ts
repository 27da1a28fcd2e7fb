/**
 * Where a source description is when its relative `url` does not resolve. Published documents
 * often name OpenAPI files that are not where their URL says, in one of two ways a reader sees
 * at a glance:
 *
 * - the publisher keeps the file in an `_original/` folder beside the name (`x/_original/api.json`);
 * - the URL is written relative to an ancestor of the document (a repository root), not to the
 *   document's own directory.
 *
 * Only places inside the allowed roots are looked at. Exactly one existing file is the reading a
 * reader would agree with; several are ambiguous and named, and none leaves the URL unresolved.
 */
import { stat } from "node:fs/promises"
import * as path from "node:path"
import { isAllowed, type Roots } from "./roots.js"

export type SourceFallback =
  | { readonly kind: "none" }
  | { readonly kind: "one"; readonly file: string; readonly how: string }
  | { readonly kind: "several"; readonly files: ReadonlyArray<string> }

const isFile = (file: string) => stat(file).then((s) => s.isFile(), () => false)

/** The places a relative `url` (already decoded, without fragment) may mean, with how each reads it. */
const candidatesFor = (
  documentPath: string,
  relative: string,
  roots: Roots
): Array<{ readonly file: string; readonly how: string }> => {
  const named = path.resolve(path.dirname(documentPath), relative)
  const found = [{
    file: path.join(path.dirname(named), "_original", path.basename(named)),
    how: "in the publisher's `_original/` folder beside it"
  }]
  // Each ancestor of the document's directory that is still inside an allowed root.
  for (let dir = path.dirname(path.dirname(documentPath)); isAllowed(roots, dir); dir = path.dirname(dir)) {
    found.push({ file: path.resolve(dir, relative), how: `relative to the ancestor directory ${dir}` })
    if (path.dirname(dir) === dir) break
  }
  return found
}

/** The one file a relative source URL that does not resolve plausibly means, or why there is none. */
export const findSourceFallback = async (
  documentPath: string,
  relative: string,
  roots: Roots
): Promise<SourceFallback> => {
  const existing: Array<{ readonly file: string; readonly how: string }> = []
  for (const candidate of candidatesFor(documentPath, relative, roots)) {
    if (!isAllowed(roots, candidate.file)) continue
    if (existing.some((e) => e.file === candidate.file)) continue
    if (await isFile(candidate.file)) existing.push(candidate)
  }
  if (existing.length === 0) return { kind: "none" }
  if (existing.length === 1) return { kind: "one", ...existing[0]! }
  return { kind: "several", files: existing.map((e) => e.file) }
}

/**
 * The file a source's URL names, as the loader reads it: `target` itself when it exists (or was
 * given with `--source`, or is not a relative URL), else the one plausible file found nearby,
 * with a warning that shows the URL that would name it. Several plausible files are an error
 * that names them.
 */
export const relocateSource = async (
  input: {
    readonly documentPath: string
    readonly name: string
    readonly url: string
    readonly target: string
    readonly roots: Roots
    readonly show: (file: string) => string
  }
): Promise<
  { readonly target: string; readonly warning?: string } | { readonly error: string }
> => {
  const { documentPath, name, url, target, roots, show } = input
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || (await isFile(target))) return { target }
  const fragment = url.includes("#") ? url.slice(url.indexOf("#")) : ""
  const relative = path.relative(path.dirname(documentPath), target)
  const found = await findSourceFallback(documentPath, relative, roots)
  if (found.kind === "none") return { target }
  if (found.kind === "several") {
    return {
      error: `source description \`${name}\` points at ${url}, which does not exist; ${
        found.files.map(show).join(" and ")
      } both fit. Name the one meant with --source ${name}=<file>, or correct the url`
    }
  }
  const spec = path.relative(path.dirname(documentPath), found.file).split(path.sep).join("/")
  return {
    target: found.file,
    warning: `source description \`${name}\` points at ${url}, which does not exist; read as ${
      show(found.file)
    } (${found.how}). Spec form: \`url: ${spec.startsWith(".") ? spec : `./${spec}`}${fragment}\``
  }
}

/** What to do about a source that cannot be read: name the file (unless it was named already). */
export const unresolvedHint = (code: string, name: string, given: string | undefined): string =>
  code === "source-unresolved" && given === undefined ? `; give the file with --source ${name}=<file>` : ""
