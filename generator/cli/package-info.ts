/**
 * What the CLI knows about itself: its version (`--version`), whether it runs bundled (dist/cli/,
 * as installed) or from source (tsx), which build it is, and where the modules it serves to
 * generated code for `run` live (generator/cli/run-modules.ts).
 */
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { packageJsonPath, packageRoot } from "./package-root.js"
import { runModuleFile, runModuleSpecifiers } from "./run-modules.js"

import { bundled } from "./bundled.js"

export { bundled }

const PackageJson = Schema.parseJson(Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  exports: Schema.Record({
    key: Schema.String,
    value: Schema.Union(Schema.String, Schema.Struct({ default: Schema.String }))
  })
}))

const readPackage = () => Schema.decodeUnknownSync(PackageJson)(readFileSync(packageJsonPath(), "utf8"))

export const version = (): string => readPackage().version

/** Every .ts file under a directory, sorted, for hashing the sources a run from source uses. */
const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort()

let build: string | undefined

/**
 * Identifies the code that compiles and serves modules: the bundle's id (written by the build) when
 * bundled, a hash of generator/ and runtime/ when run from source, where edits are frequent.
 */
export const buildId = (): string => {
  if (build !== undefined) return build
  const root = packageRoot()
  if (bundled) {
    const { id } = JSON.parse(readFileSync(path.join(root, "dist/cli/build.json"), "utf8")) as { id: string }
    return build = `${version()}+${id}`
  }
  const hash = createHash("sha256")
  for (const file of [...sourceFiles(path.join(root, "generator")), ...sourceFiles(path.join(root, "runtime"))]) {
    hash.update(path.relative(root, file)).update(readFileSync(file))
  }
  return build = `${version()}+source.${hash.digest("hex").slice(0, 32)}`
}

/** `arazzo-effect/runtime` → the TypeScript source its `exports` entry is built from (runs from source). */
const ownSource = (specifier: string): string | undefined => {
  const pkg = readPackage()
  const key = specifier === pkg.name ? "." : `./${specifier.slice(pkg.name.length + 1)}`
  const target = pkg.exports[key]
  const file = typeof target === "string" ? target : target?.default
  if (file === undefined) return undefined
  return path.resolve(packageRoot(), file.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts"))
}

/**
 * The file URL a generated module's import of `specifier` loads under `run`, or undefined when
 * `run` does not serve it. Bundled: the bundle's entry point for it, which shares the CLI's
 * chunks. From source: the runtime's source, or the package the CLI itself resolves.
 */
export const runModuleUrl = (specifier: string): string | undefined => {
  if (!(runModuleSpecifiers as ReadonlyArray<string>).includes(specifier)) return undefined
  if (bundled) return pathToFileURL(path.join(packageRoot(), "dist/cli", runModuleFile(specifier))).href
  if (specifier.startsWith("arazzo-effect/")) {
    const source = ownSource(specifier)
    return source === undefined ? undefined : pathToFileURL(source).href
  }
  return resolveImport(specifier)
}

/**
 * ESM resolution of a package specifier from here. `import.meta.resolve` where the host has it
 * (Node, tsx); vitest 3 does not, so there: the package's `exports` entry for `import`, enough for
 * the few specifiers `run` serves.
 */
const resolveImport = (specifier: string): string => {
  if (typeof import.meta.resolve === "function") return import.meta.resolve(specifier)
  const [, name = specifier, subpath = ""] = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(specifier) ?? []
  for (let dir = packageRoot();; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name)
    if (existsSync(path.join(candidate, "package.json"))) {
      const { exports } = JSON.parse(readFileSync(path.join(candidate, "package.json"), "utf8")) as {
        exports: Record<string, string | { readonly import?: string; readonly default?: string }>
      }
      const entry = exports[`.${subpath}`]
      const target = typeof entry === "string" ? entry : entry?.import ?? entry?.default
      if (target === undefined) throw new Error(`${name} does not export .${subpath}`)
      return pathToFileURL(path.join(candidate, target)).href
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot resolve ${specifier}`)
  }
}
