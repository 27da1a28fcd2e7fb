/**
 * The install a user makes, per Effect line: `npm pack` the project, install the tarball in an
 * empty app with plain `npm i` of the latest packages of the line, then check there is one
 * `effect`, that the command works, generate the Civitai img2img module, type-check it under
 * strict with the app's own tsc, and run it against the Civitai mock to the output URL; and run
 * the workflow with `npx arazzo-effect run`, whose own Effect 3 must not meet the app's.
 *
 * The Effect 4 app runs on Node 22 (scripts/node22.ts) and generates with `--effect 4`; a
 * `generate --check` without `--effect` then finds the module up to date, so the default (the
 * line of the effect the app has installed) chose 4 too.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureNode22 } from "../../scripts/node22.js"
import { OUTPUT_IMAGE_PNG, startCivitaiMock } from "../mock/civitai-orchestration.js"
import { mainModule, TOKEN, tsconfig } from "./app-files.js"
import { explain, installedCopies, makeApp, type Packed, packProject, root, run, shellEnv } from "./support.js"

const DOCUMENT = "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml"
const MODULE = "src/generated/civitai-blob-upload-img2img-workflow.ts"
const version = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version

interface Line {
  readonly major: 3 | 4
  readonly node: () => string
  /** What a user of the line installs next to arazzo-effect (README's table). */
  readonly packages: ReadonlyArray<string>
  readonly runtime: string
  readonly generate: ReadonlyArray<string>
}

const lines: ReadonlyArray<Line> = [
  {
    major: 3,
    node: () => process.execPath,
    packages: ["effect@3", "@effect/platform", "@effect/platform-node@0"],
    runtime: "arazzo-effect/runtime",
    generate: []
  },
  {
    major: 4,
    node: ensureNode22,
    packages: ["effect@4", "@effect/platform-node@4"],
    runtime: "arazzo-effect/effect4",
    generate: ["--effect", "4"]
  }
]

const work = mkdtempSync(path.join(tmpdir(), "arazzo-effect-pack-"))
let packed: Packed | undefined
const apps: Array<string> = []

beforeAll(async () => {
  packed = await packProject(work)
  const bundle = packed.files.filter((f) => f.startsWith("dist/cli/"))
  console.log(
    `npm pack: ${(packed.bytes / 1024).toFixed(0)} KiB packed, ${
      (packed.unpackedBytes / 1024).toFixed(0)
    } KiB unpacked, ${packed.files.length} files (${bundle.length} in dist/cli), ${packed.seconds.toFixed(1)} s`
  )
}, 600_000)

// Two apps of ~150 MB each: removing them takes a while on a busy machine.
afterAll(async () => {
  await Promise.all([work, ...apps].map((dir) => rm(dir, { recursive: true, force: true })))
}, 120_000)

describe("the packed tarball", () => {
  it("holds the bundled CLI, the library API and the runtimes as built JavaScript, no sources", () => {
    const files = packed!.files
    for (
      const file of [
        "dist/cli/arazzo-effect.js",
        "dist/cli/THIRD-PARTY-LICENSES.txt",
        "dist/cli/modules/effect/Effect.js",
        "dist/cli/modules/arazzo-effect/runtime.js",
        "dist/generator/index.js",
        "dist/generator/index.d.ts",
        "dist/generator/validate/schema/arazzo-1.0.schema.yaml",
        "dist/generator/validate/schema/arazzo-1.0.validate.cjs",
        "dist/generator/validate/schema/arazzo-1.1.validate.cjs",
        "dist/runtime/effect3/index.js",
        "dist/runtime/effect3/testing.d.ts",
        "dist/runtime/effect4/index.js",
        "dist/runtime/effect4/index.d.ts",
        "dist/runtime/effect4/testing.js",
        "dist/runtime/core/xml.js",
        "package.json"
      ]
    ) expect(files).toContain(file)
    expect(files.filter((f) => !f.startsWith("dist/") && !/^(package\.json|README\.md|LICENSE)$/.test(f))).toEqual([])
    // The CLI is the bundle: no unbundled copy that would import @effect/cli from the app.
    expect(files.filter((f) => f.startsWith("dist/generator/cli"))).toEqual([])
  })
})

for (const line of lines) {
  describe.sequential(`an Effect ${line.major} app`, () => {
    let app = ""
    let node = ""
    const state = { installed: false, generated: false, compiled: false }
    const env = (extra: NodeJS.ProcessEnv = {}) => shellEnv(node, extra)
    const npx = (args: ReadonlyArray<string>, extra: NodeJS.ProcessEnv = {}) =>
      run("npx", args, { cwd: app, env: env(extra) })
    const needs = (ready: boolean, what: string) => {
      if (!ready) throw new Error(`an earlier step failed: ${what}`)
    }

    it("installs the tarball with plain `npm i` of the line's latest packages, and has one effect", async () => {
      node = line.node()
      app = makeApp(`effect${line.major}`)
      apps.push(app)
      const installed = await run("npm", ["i", packed!.tarball, ...line.packages, "typescript", "@types/node"], {
        cwd: app,
        env: env(),
        timeoutMs: 600_000
      })
      expect(installed.code, explain(installed)).toBe(0)
      const nodeVersion = (await run(node, ["--version"], { cwd: app, env: env() })).stdout.trim()
      console.log(
        `Effect ${line.major} app, Node ${nodeVersion}: npm i <tarball> ${
          [...line.packages, "typescript", "@types/node"].join(" ")
        } took ${installed.seconds.toFixed(1)} s`
      )

      const listed = await run("npm", ["ls", "effect", "--all", "--parseable"], { cwd: app, env: env() })
      expect(listed.code, explain(listed)).toBe(0)
      expect(installedCopies(listed.stdout, "effect")).toEqual([path.join(app, "node_modules/effect")])
      const effect = JSON.parse(readFileSync(path.join(app, "node_modules/effect/package.json"), "utf8")) as {
        version: string
      }
      expect(effect.version.split(".")[0]).toBe(String(line.major))
      // The package brings no platform or Effect of its own.
      expect(existsSync(path.join(app, "node_modules/arazzo-effect/node_modules"))).toBe(false)
      state.installed = true
    }, 600_000)

    it("runs `npx arazzo-effect --version`", async () => {
      needs(state.installed, "install")
      const ran = await npx(["arazzo-effect", "--version"])
      expect(ran.code, explain(ran)).toBe(0)
      expect(ran.stdout.trim()).toBe(version)
    }, 60_000)

    it("generates the img2img module with `npx arazzo-effect generate`", async () => {
      needs(state.installed, "install")
      const ran = await npx(["arazzo-effect", "generate", DOCUMENT, "--out", "src/generated", ...line.generate])
      expect(ran.code, explain(ran)).toBe(0)
      expect(ran.stdout).toContain(`for Effect ${line.major}`)
      const text = readFileSync(path.join(app, MODULE), "utf8")
      expect(text).toContain("blobUploadImg2img")
      expect(text).toContain(`from "arazzo-effect/effect${line.major}"`)
      if (line.major === 4) expect(text).not.toContain("@effect/platform")
      state.generated = true
    }, 120_000)

    it("without --effect, generates for the line of the effect the app has installed", async () => {
      needs(state.generated, "generate")
      const ran = await npx(["arazzo-effect", "generate", DOCUMENT, "--out", "src/generated", "--check"])
      expect(ran.code, explain(ran)).toBe(0)
      expect(ran.stdout).toContain(`Effect ${line.major}`)
    }, 120_000)

    it("type-checks the generated module and an app using it under strict, with the app's own tsc", async () => {
      needs(state.generated, "generate")
      writeFileSync(path.join(app, "tsconfig.json"), tsconfig)
      mkdirSync(path.join(app, "src"), { recursive: true })
      writeFileSync(path.join(app, "src/main.ts"), mainModule(line.runtime))
      const ran = await npx(["tsc", "-p", "."])
      expect(ran.code, explain(ran)).toBe(0)
      expect(ran.stdout + ran.stderr).toBe("")
      state.compiled = true
    }, 180_000)

    it("runs the compiled app against the Civitai mock to the output URL", async () => {
      needs(state.compiled, "type-check")
      const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 2 })
      try {
        const ran = await run(node, ["out/main.js"], { cwd: app, env: env({ MOCK_URL: mock.url }), timeoutMs: 60_000 })
        expect(ran.code, explain(ran)).toBe(0)
        const result = JSON.parse(ran.stdout) as { tag: string; outputs: { outputBlobUrl: string } }
        expect(result.tag).toBe("Completed")
        expect(result.outputs.outputBlobUrl.startsWith(`${mock.url}/`)).toBe(true)
        const image = new Uint8Array(await (await fetch(result.outputs.outputBlobUrl)).arrayBuffer())
        expect(image).toEqual(OUTPUT_IMAGE_PNG)
        expect(mock.calls("getWorkflow")).toBe(4)
      } finally {
        await mock.close()
      }
    }, 120_000)

    it("runs the workflow with `npx arazzo-effect run`, on the CLI's own Effect 3 whatever the app has", async () => {
      needs(state.installed, "install")
      const mock = await startCivitaiMock({ token: TOKEN, pollsUntilDone: 2 })
      const image = path.join(app, "source.png")
      writeFileSync(image, new Uint8Array([137, 80, 78, 71, 9, 9, 9]))
      try {
        const ran = await npx([
          "arazzo-effect",
          "run",
          DOCUMENT,
          "--input",
          `apiKey=${TOKEN}`,
          "--input",
          `file=@${image}`,
          "--input",
          "engine=flux2",
          "--input",
          "prompt=a lighthouse",
          "--server",
          `civitaiOrchestrationApi=${mock.url}`
        ], { ARAZZO_EFFECT_CACHE_DIR: path.join(app, ".run-cache") })
        expect(ran.code, explain(ran)).toBe(0)
        const outputs = JSON.parse(ran.stdout) as { outputBlobUrl: string; sourceBlobId: string }
        expect([...mock.blobs.get(outputs.sourceBlobId)!.bytes]).toEqual([137, 80, 78, 71, 9, 9, 9])
        const served = new Uint8Array(await (await fetch(outputs.outputBlobUrl)).arrayBuffer())
        expect(served).toEqual(OUTPUT_IMAGE_PNG)
        expect(ran.stderr).not.toContain(TOKEN)
      } finally {
        await mock.close()
      }
    }, 120_000)
  })
}
