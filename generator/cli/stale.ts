/**
 * What `generate --check` reports: how an output directory differs from what generation would
 * write — files whose content would change, files that would be added, and generated files that
 * would no longer be generated (removed).
 */
import * as Effect from "effect/Effect"
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import type { EmittedFile } from "../emit/module.js"

export interface Staleness {
  readonly changed: ReadonlyArray<string>
  readonly added: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
}

export const isStale = (s: Staleness): boolean => s.changed.length + s.added.length + s.removed.length > 0

/**
 * How `outDir` differs from `files`; `obsolete` are the generated modules there whose document
 * is gone (modules of other documents, not in this batch, are no concern of it).
 */
export const compareWith = (
  outDir: string,
  files: ReadonlyArray<EmittedFile>,
  obsolete: ReadonlyArray<string>
): Effect.Effect<Staleness> =>
  Effect.promise(async () => {
    const changed: Array<string> = []
    const added: Array<string> = []
    for (const file of files) {
      const current = await readFile(path.join(outDir, file.name), "utf8").catch(() => undefined)
      if (current === undefined) added.push(file.name)
      else if (current !== file.text) changed.push(file.name)
    }
    return { changed, added, removed: [...obsolete] }
  })

/** The summary printed by `--check`: one line per file, then the counts. */
export const formatStaleness = (outDir: string, s: Staleness): Array<string> => [
  `${outDir} is stale:`,
  ...s.changed.map((name) => `  changed  ${name}`),
  ...s.added.map((name) => `  added    ${name}`),
  ...s.removed.map((name) => `  removed  ${name} (no longer generated)`),
  `${s.changed.length} to change, ${s.added.length} to add, ${s.removed.length} to remove; run \`arazzo-effect generate\` without --check to update`
]
