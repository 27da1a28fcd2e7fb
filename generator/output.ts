/**
 * Writing generated modules, apart from the compiler so that the CLI's main thread can write what
 * its compiler worker produced without loading the compiler itself.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import * as path from "node:path"
import type { EmittedFile } from "./emit/module.js"

/** Writes files into a directory; returns the names whose content changed. */
export const writeFiles = async (outDir: string, files: ReadonlyArray<EmittedFile>): Promise<Array<string>> => {
  await mkdir(outDir, { recursive: true })
  const changed: Array<string> = []
  for (const file of files) {
    const target = path.join(outDir, file.name)
    const current = await readFile(target, "utf8").catch(() => undefined)
    if (current !== file.text) {
      await writeFile(target, file.text)
      changed.push(file.name)
    }
  }
  return changed
}
