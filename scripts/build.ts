/**
 * `npm run build` (also `prepare`): dist/ as the package ships it.
 *
 * 1. tsc: the generator library (`import { generate } from "arazzo-effect"`, no Effect inside),
 *    the pure runtime core and the Effect 3 runtime, unbundled, importing the app's `effect`.
 * 2. tsc again for the Effect 4 runtime (runtime/effect4/, once it exists), type-checked against
 *    the Effect 4 of the nested project test/effect4/ (installed first when it is not).
 * 3. The JSON Schemas the validator reads at run time.
 * 4. esbuild: the CLI with its own Effect 3 (scripts/bundle-cli.ts).
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, rmSync } from "node:fs"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { bundleCli } from "./bundle-cli.js"
import { ensureEffect4Project } from "./effect4-project.js"
import { ensureNode22 } from "./node22.js"

const root = path.resolve(import.meta.dirname, "..")
const tsc = path.join(root, "node_modules/typescript/bin/tsc")

const timed = async <A>(label: string, run: () => A | Promise<A>): Promise<A> => {
  const started = performance.now()
  const result = await run()
  console.log(`build: ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  return result
}

rmSync(path.join(root, "dist"), { recursive: true, force: true })
await timed(
  "tsc: generator, runtime core, Effect 3 runtime",
  () => execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" })
)
if (existsSync(path.join(root, "runtime/effect4"))) {
  const project = await timed("test/effect4 dependencies", () => ensureEffect4Project({ node: ensureNode22() }))
  await timed(
    "tsc: Effect 4 runtime",
    () =>
      execFileSync(process.execPath, [project.tsc, "-p", "test/effect4/tsconfig.build.json"], {
        cwd: root,
        stdio: "inherit"
      })
  )
}
cpSync(path.join(root, "generator/validate/schema"), path.join(root, "dist/generator/validate/schema"), {
  recursive: true
})
const bundle = await timed("esbuild: CLI bundle", () => bundleCli())
console.log(
  `build: dist/cli/ ${bundle.files} files, ${(bundle.bytes / 1024 / 1024).toFixed(2)} MiB, build ${bundle.id}`
)
