/**
 * What the CLI knows about its own package: the version (`--version`) and where the runtime
 * entry points (`arazzo-effect/runtime`, …) live, so a generated module loaded by `run` imports
 * the very runtime this CLI runs with, from source under tsx or from dist/ once built.
 */
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const PackageJson = Schema.parseJson(Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  exports: Schema.Record({
    key: Schema.String,
    value: Schema.Union(Schema.String, Schema.Struct({ default: Schema.String }))
  })
}))

/** package.json, found through the package's own name (Node resolves a package's self-reference). */
const packageJsonPath = (): string => fileURLToPath(import.meta.resolve("arazzo-effect/package.json"))

const readPackage = () => Schema.decodeUnknownSync(PackageJson)(readFileSync(packageJsonPath(), "utf8"))

export const version = (): string => readPackage().version

/** Whether this module runs from TypeScript source (tsx) rather than from dist/. */
const fromSource = import.meta.url.endsWith(".ts")

/**
 * File URLs of the package's own entry points by specifier (`arazzo-effect/runtime` → …/runtime/index.ts
 * under tsx, …/dist/runtime/index.js when built), read from package.json `exports`.
 */
export const ownEntryPoints = (): ReadonlyMap<string, string> => {
  const pkg = readPackage()
  const root = path.dirname(packageJsonPath())
  const entries = new Map<string, string>()
  for (const [key, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.default
    if (!file.endsWith(".js")) continue
    const specifier = key === "." ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, "")}`
    const built = path.resolve(root, file)
    const source = path.resolve(root, file.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts"))
    entries.set(specifier, pathToFileURL(fromSource ? source : built).href)
  }
  return entries
}
