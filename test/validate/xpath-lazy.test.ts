/**
 * The checks load fontoxpath only for a document with an XPath expression: most have none, and
 * loading it was a measurable part of `check`'s start. In a child process, whose module cache
 * starts empty (this one's is shared with other suites).
 */
import { execFile } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../..")
const tsx = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href

const script = `
import { createRequire } from "node:module"
const { checkDocument } = await import(${JSON.stringify(pathToFileURL(path.join(root, "generator/check.ts")).href)})
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes("/fontoxpath/"))
const without = await checkDocument("specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml")
const before = loaded()
const withXpath = await checkDocument("specs/behaviour/order-control-flow.arazzo.yaml")
console.log(JSON.stringify({ before, after: loaded(), errors: [...without, ...withXpath].filter((d) => d.severity === "error").length }))
`

describe("fontoxpath loads lazily", () => {
  it("not for a document without XPath, and then for one with an xpath criterion", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      "--import",
      tsx,
      "--input-type=module",
      "-e",
      script
    ], {
      cwd: root
    })
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true, errors: 0 })
  })
})
