/**
 * Which directories the loader may read from. A document's `sourceDescriptions` URLs and the
 * `$ref`s of its OpenAPI descriptions are resolved to files; each must lie, after symbolic links
 * are followed, inside an allowed root:
 *
 * - the document's tree: the working directory when the document is inside it (the directory the
 *   user works in, where real documents reach siblings such as `../openapi/x.yml`); otherwise the
 *   nearest ancestor of the document that holds `package.json` or `.git` (its project); otherwise
 *   the document's own directory. The filesystem root and the home directory never count as
 *   either: a document there, or run from there, is confined to its own directory;
 * - the same for each file named explicitly with `--source` (the file itself is always allowed);
 * - directories named with `allowRoots` / `--allow-root`.
 */
import { existsSync, realpathSync } from "node:fs"
import { homedir } from "node:os"
import * as path from "node:path"

const MARKERS = ["package.json", ".git"]

/** Too wide to be a default root: the filesystem root and the home directory. */
const tooWide = (dir: string): boolean => path.dirname(dir) === dir || dir === path.resolve(homedir())

/** The default root of a document (or an explicitly named file), as described above. */
export const defaultRootOf = (file: string, cwd: string): string => {
  const start = path.dirname(path.resolve(file))
  const work = path.resolve(cwd)
  if (!tooWide(work) && within(work, start)) return work
  for (let dir = start; !tooWide(dir); dir = path.dirname(dir)) {
    if (MARKERS.some((m) => existsSync(path.join(dir, m)))) return dir
  }
  return start
}

/** A path with symbolic links followed as far as it exists (the missing rest appended). */
const real = (p: string): string => {
  const absolute = path.resolve(p)
  try {
    return realpathSync.native(absolute)
  } catch {
    const parent = path.dirname(absolute)
    return parent === absolute ? absolute : path.join(real(parent), path.basename(absolute))
  }
}

const within = (root: string, target: string): boolean => {
  const relative = path.relative(root, target)
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
}

/** The directories reads are confined to, and single files allowed besides. */
export interface Roots {
  readonly directories: ReadonlyArray<string>
  readonly files: ReadonlyArray<string>
}

export const makeRoots = (directories: ReadonlyArray<string>, files: ReadonlyArray<string> = []): Roots => ({
  directories: [...new Set(directories.map(real))],
  files: [...new Set(files.map(real))]
})

/** Whether `file` (symbolic links followed) may be read. */
export const isAllowed = (roots: Roots, file: string): boolean => {
  const target = real(file)
  return roots.files.includes(target) || roots.directories.some((root) => within(root, target))
}

/** The roots as a short list for messages, relative to `cwd` where that is shorter. */
export const describeRoots = (roots: Roots, cwd: string): string =>
  roots.directories.map((d) => {
    const relative = path.relative(cwd, d)
    return relative === "" ? "." : relative.length < d.length ? relative : d
  }).join(", ")
