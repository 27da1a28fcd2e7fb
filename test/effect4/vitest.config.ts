/**
 * vitest for the Effect 4 line: this directory's tests and the shared suites (./suites.ts), with
 * `effect`, `@effect/*` and `vitest` taken from this project even when the importing file lives
 * outside it (a file under runtime/ or test/ would otherwise find the repository's Effect 3), and
 * the line-neutral names (`#line`, `#runtime`, `#generated/…`) pointing at the Effect 4 side.
 * Run through `npm test` (scripts/test.ts), which installs this project and provides Node 22.
 */
import * as path from "node:path"
import { defineConfig, type Plugin } from "vitest/config"
import { sharedSuites } from "./suites.js"

const here = import.meta.dirname
const repository = path.resolve(here, "../..")
const inRepository = (file: string) => path.join(repository, file)

/** Packages that exist once per line: never resolved from the repository's node_modules. */
const LINE_PACKAGE = /^(effect|@effect\/[^/]+|vitest|@vitest\/[^/]+)(\/|$)/

/** The runtime and the shared names, for the Effect 4 line. */
const ownModules: Record<string, string> = {
  "arazzo-effect/effect4": inRepository("runtime/effect4/index.ts"),
  "arazzo-effect/effect4/testing": inRepository("runtime/effect4/testing.ts"),
  "arazzo-effect/xml": inRepository("runtime/core/xml.ts"),
  "#runtime": inRepository("runtime/effect4/index.ts"),
  "#runtime/testing": inRepository("runtime/effect4/testing.ts"),
  "#line": path.join(here, "line-effect4.ts")
}

const effect4: Plugin = {
  name: "arazzo-effect:effect4-line",
  enforce: "pre",
  async resolveId(source, importer, options) {
    const own = ownModules[source]
    if (own !== undefined) return own
    if (source.startsWith("#generated/")) {
      return inRepository(`generated/effect4/${source.slice(11).replace(/\.js$/, ".ts")}`)
    }
    if (source.startsWith("arazzo-effect/")) {
      this.error(`${source} (imported by ${importer}) is an Effect 3 entry point; this is the Effect 4 line`)
    }
    if (!LINE_PACKAGE.test(source) || importer === undefined || importer.startsWith(here + path.sep)) return null
    // Resolved as if imported from this directory: this project's node_modules, exports honoured.
    const resolved = await this.resolve(source, path.join(here, "vitest.config.ts"), { ...options, skipSelf: true })
    if (resolved === null) {
      this.error(`${source} (imported by ${importer}) is not installed in test/effect4: add it to its package.json`)
    }
    return resolved
  }
}

export default defineConfig({
  root: repository,
  cacheDir: path.join(here, "node_modules/.vite"),
  plugins: [effect4],
  test: {
    include: ["test/effect4/**/*.test.ts", ...sharedSuites],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000
  }
})
