/** Where the package is: found from this file (source or bundle chunk), without loading anything else. */
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The package's directory: the nearest one up from this file with its package.json. */
export const packageRoot = (): string => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url));; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json")
    if (existsSync(file) && /"name":\s*"arazzo-effect"/.test(readFileSync(file, "utf8"))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no arazzo-effect package.json above ${import.meta.url}`)
  }
}

export const packageJsonPath = (): string => path.join(packageRoot(), "package.json")
