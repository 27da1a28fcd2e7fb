/**
 * Bundles the `arazzo-effect` command into dist/cli/ with esbuild: the CLI with its own Effect 3,
 * @effect/cli and @effect/platform-node inside, so the CLI's Effect never meets the app's.
 *
 * - Entry points: the command (dist/cli/arazzo-effect.js) and one module per specifier `run` serves
 *   to generated code (generator/cli/run-modules.ts); with code splitting they share chunks, so a
 *   loaded module gets the CLI's own copies.
 * - The compiler (generator/, except cli/) stays outside: it imports no Effect, and the package
 *   ships it already (tsc output, the library API). The bundle reaches it through the package's
 *   private import map (`#dist/*` → ./dist/*), which resolves from any chunk. The runtime is
 *   bundled whole, its pure core included: esbuild cannot list the names an external module
 *   re-exports (`export * from`), and the modules `run` serves must export every name.
 * - The durable engine (@effect/workflow, @effect/cluster, @effect/sql and its drivers' Effect
 *   layers) is bundled, in chunks loaded only by `worker`, `run --durable` and `status`: it must run
 *   on the CLI's own Effect. The native SQLite driver (`better-sqlite3`) cannot be bundled: it stays
 *   external, found where arazzo-effect is installed (the CLI says how to install it when absent);
 *   so does `pg-native`, which `pg` only tries.
 * - The package's own dependencies (yaml, ts-morph, ajv, …) stay external: they are installed with
 *   the package anyway, and ts-morph alone is larger than everything bundled.
 * - Except in the compiler worker (dist/cli/compiler/, a build of its own): there the compiler and
 *   what `check` needs of its dependencies (yaml, js-yaml, json-p3, re2js, …) are bundled, so the
 *   worker loads a few files instead of ~150 modules and packages (0.6 s of CPU down to 0.25 s,
 *   most of `check`'s time). The emitter's dependencies (ts-morph, dprint) stay external, imported
 *   only by the chunk `generate` loads; the compiled schema validators are copied beside the
 *   chunks, which find them as ./schema/ (generator/validate/schema-validator.ts).
 */
import * as esbuild from "esbuild"
import { createHash } from "node:crypto"
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { runModuleFile, runModuleSpecifiers } from "../generator/cli/run-modules.js"

const root = path.resolve(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  readonly name: string
  readonly dependencies: Record<string, string>
  readonly exports: Record<string, string | { readonly default: string }>
}

/** Source files that are bundled; any other file of ours is taken from dist/. */
const bundled = (file: string) => {
  const relative = path.relative(root, file).split(path.sep).join("/")
  return relative === "generator/cli.ts" || relative.startsWith("generator/cli/") ||
    relative.startsWith("runtime/") || relative.includes("/node_modules/") || relative.startsWith("node_modules/")
}

/** `arazzo-effect/runtime` → the TypeScript source its `exports` entry is compiled from. */
const ownSource = (specifier: string): string | undefined => {
  const key = specifier === pkg.name ? "." : `./${specifier.slice(pkg.name.length + 1)}`
  const target = pkg.exports[key]
  const file = typeof target === "string" ? target : target?.default
  if (file === undefined) return undefined
  return path.join(root, file.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"))
}

const layout: esbuild.Plugin = {
  name: "arazzo-effect-layout",
  setup(build) {
    // One virtual module per served specifier: it re-exports what the specifier names.
    build.onResolve({ filter: /^run-module:/ }, (args) => ({ path: args.path.slice(11), namespace: "run-module" }))
    build.onLoad({ filter: /.*/, namespace: "run-module" }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)}\n`,
      resolveDir: path.join(root, "generator/cli"),
      loader: "js"
    }))
    build.onResolve({ filter: /^arazzo-effect(\/|$)/ }, (args) => {
      const source = ownSource(args.path)
      if (source === undefined) return { errors: [{ text: `${args.path} is not an entry point of the package` }] }
      return bundled(source)
        ? { path: source }
        : { path: `#dist/${path.relative(root, source).replace(/\.ts$/, ".js")}`, external: true }
    })
    // Relative imports that leave the bundled part (generator/cli → generator/index.ts, …).
    build.onResolve({ filter: /^\./ }, (args) => {
      if (args.namespace !== "file") return undefined
      const target = path.resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"))
      if (bundled(target)) return undefined
      const relative = path.relative(root, target).split(path.sep).join("/")
      return { path: `#dist/${relative.replace(/\.ts$/, ".js")}`, external: true }
    })
  }
}

export interface BundleReport {
  readonly bytes: number
  readonly files: number
  readonly id: string
}

/** Package directories (…/node_modules/<name>) of the bundled inputs. */
const bundledPackages = (inputs: ReadonlyArray<string>): Array<string> => {
  const dirs = new Set<string>()
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (match?.[1] !== undefined) dirs.add(path.resolve(root, match[1]))
  }
  return [...dirs].sort()
}

/** The name, version, license and license text of every package inside the bundle. */
const thirdPartyLicenses = (packages: ReadonlyArray<string>): string =>
  packages.map((dir) => {
    const { name, version, license } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
      name: string
      version: string
      license?: string
    }
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
    const text = file === undefined
      ? "(no license file in the package)"
      : readFileSync(path.join(dir, file), "utf8").trim()
    return `${name}@${version} (${license ?? "see text"})\n\n${text}\n`
  }).join(`\n${"-".repeat(72)}\n\n`)

/** Packages the compiler worker leaves external: the emitter's (large, `generate` only) and XPath's (loaded lazily). */
const workerExternal = ["ts-morph", "@dprint/formatter", "@dprint/typescript", "fontoxpath", "slimdom"]

/** The compiler's worker thread, into `<outdir>/compiler/` (generator/cli/compiler-start.ts starts it by this file name). */
const bundleWorker = (outdir: string) =>
  esbuild.build({
    entryPoints: { worker: path.join(root, "generator/cli/compiler-worker.ts") },
    outdir: path.join(outdir, "compiler"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "[name]-[hash]",
    external: workerExternal,
    banner: {
      js:
        `import { createRequire as __arazzoRequire } from "node:module"; const require = __arazzoRequire(import.meta.url);`
    },
    define: { __ARAZZO_BUNDLE__: "true" },
    legalComments: "none",
    metafile: true,
    logLevel: "warning"
  })

export const bundleCli = async (outdir = path.join(root, "dist/cli")): Promise<BundleReport> => {
  if (existsSync(outdir)) rmSync(outdir, { recursive: true })
  const entryPoints: Record<string, string> = {
    "arazzo-effect": path.join(root, "generator/cli.ts")
  }
  for (const specifier of runModuleSpecifiers) {
    entryPoints[runModuleFile(specifier).replace(/\.js$/, "")] = `run-module:${specifier}`
  }
  const result = await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "chunks/[name]-[hash]",
    external: [...Object.keys(pkg.dependencies), "better-sqlite3", "pg-native"],
    plugins: [layout],
    // CommonJS inside the bundle (undici, ws, …) calls `require` for Node built-ins.
    banner: {
      js:
        `import { createRequire as __arazzoRequire } from "node:module"; const require = __arazzoRequire(import.meta.url);`
    },
    define: { __ARAZZO_BUNDLE__: "true" },
    // Licenses go whole into THIRD-PARTY-LICENSES.txt instead.
    legalComments: "none",
    metafile: true,
    logLevel: "warning"
  })
  const worker = await bundleWorker(outdir)
  cpSync(path.join(root, "generator/validate/schema"), path.join(outdir, "compiler/schema"), {
    recursive: true,
    filter: (file) => !file.endsWith(".yaml")
  })
  const outputs = [...Object.entries(result.metafile.outputs), ...Object.entries(worker.metafile.outputs)].sort((
    [a],
    [b]
  ) => a.localeCompare(b))
  const hash = createHash("sha256")
  let bytes = 0
  for (const [file, output] of outputs) {
    hash.update(file).update(readFileSync(path.resolve(root, file)))
    bytes += output.bytes
  }
  const id = hash.digest("hex").slice(0, 32)
  writeFileSync(
    path.join(outdir, "THIRD-PARTY-LICENSES.txt"),
    `Packages bundled into dist/cli/ (the arazzo-effect command):\n\n${
      thirdPartyLicenses(
        bundledPackages([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs)])
      )
    }`
  )
  // What the cache of `run` keys on: a new build never reuses a module another build prepared.
  writeFileSync(path.join(outdir, "build.json"), JSON.stringify({ id }) + "\n")
  return { bytes, files: outputs.length, id }
}
