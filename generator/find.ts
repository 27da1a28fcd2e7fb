/**
 * Finding Arazzo documents: files as given, and under directories every `.yaml`/`.yml`/`.json`
 * file that declares `arazzo:`. Apart from the compiler, so `check` can search without loading it.
 */
import { open, readdir, realpath, stat } from "node:fs/promises"
import * as path from "node:path"
import type { LoadOptions } from "./load/document.js"
import { readRegularFile } from "./load/files.js"
import { limitsFrom } from "./load/limits.js"
import { parseYaml } from "./load/yaml.js"

const ARAZZO_FILE = /\.(ya?ml|json)$/i

/** Whether a file is an Arazzo document: its top level has an `arazzo` field (OpenAPI files and schemas do not). */
const declaresArazzo = (text: string): boolean => {
  if (!/["']?arazzo["']?\s*:/.test(text)) return false
  const { source, errors } = parseYaml("", text)
  if (errors.some((e) => e.severity === "error")) {
    return /^["']?arazzo["']?\s*:/m.test(text) // unparseable (or over a limit): let loading report it if it looks like one
  }
  return typeof source.value === "object" && source.value !== null && "arazzo" in source.value
}

/**
 * Files as given, and every `.yaml`/`.yml`/`.json` file under given directories that declares
 * `arazzo:`. Under a directory only regular files within the document byte limit are read
 * (a FIFO, a device or a huge file is passed over unread), and each directory is visited once
 * (a symbolic link back to a parent does not loop). A file named explicitly is kept whatever it
 * is: loading it reports what is wrong with it.
 */
export const findDocuments = async (
  inputs: ReadonlyArray<string>,
  options: Pick<LoadOptions, "limits"> = {}
): Promise<Array<string>> => {
  const maxBytes = limitsFrom(options.limits).documentBytes
  const found: Array<string> = []
  const visited = new Set<string>()
  const visit = async (entry: string, explicit: boolean): Promise<void> => {
    const info = explicit ? await stat(entry) : await stat(entry).catch(() => undefined)
    if (info === undefined) return
    if (info.isDirectory()) {
      const real = await realpath(entry)
      if (visited.has(real)) return
      visited.add(real)
      const children = (await readdir(entry)).sort()
      for (const child of children) {
        if (!child.startsWith(".") && child !== "node_modules") await visit(path.join(entry, child), false)
      }
    } else if (explicit) {
      found.push(path.resolve(entry))
    } else if (ARAZZO_FILE.test(entry) && info.isFile()) {
      const read = await readRegularFile(entry, maxBytes, "documentBytes")
      // Too large to read: kept when it says `arazzo:` early on, so that loading reports the limit.
      if (
        "refused" in read
          ? read.refused.code === "limit-bytes" && await startsAsArazzo(entry)
          : declaresArazzo(read.text)
      ) {
        found.push(path.resolve(entry))
      }
    }
  }
  for (const input of inputs) await visit(input, true)
  return [...new Set(found)].sort()
}

/** Whether the first kilobytes of a file mention a top-level `arazzo` field. */
const startsAsArazzo = async (file: string): Promise<boolean> => {
  const handle = await open(file, "r")
  try {
    const buffer = Buffer.alloc(4096)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return /^\s*\{?\s*["']?arazzo["']?\s*:/m.test(buffer.subarray(0, bytesRead).toString("utf8"))
  } finally {
    await handle.close()
  }
}
