/**
 * `arazzo-effect upgrade`, run as users run it, on copies of test/fixtures/upgrade: 1.0 documents
 * with comments and the shorthands real documents use. The rewritten files must equal
 * test/fixtures/upgrade/upgraded byte for byte, check clean, and not change when upgraded again.
 */
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import { root, runCli } from "./support.js"

const fixtures = path.join(root, "test/fixtures/upgrade")
const documents = ["shorthands.arazzo.yaml", "flow.arazzo.json"]
let dir = ""

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "arazzo-upgrade-"))
  for (const name of [...documents, "api.openapi.yaml"]) await cp(path.join(fixtures, name), path.join(dir, name))
})

const upgrade = (...args: Array<string>) => runCli(["upgrade", ...args], { cwd: dir })
const text = (file: string) => readFile(file, "utf8")

// Each test starts the CLI up to four times, on a machine that may be busy.
describe("arazzo-effect upgrade", { timeout: 180_000 }, () => {
  it("--check lists every change, exits 1 and writes nothing", async () => {
    const result = await upgrade(...documents, "--check")
    expect(result.code).toBe(1)
    expect(result.stdout.split("\n").filter((l) => l !== "")).toEqual([
      "flow.arazzo.json:2:15: arazzo-version \"1.0.1\" → \"1.1.0\"",
      "flow.arazzo.json:15:40: expression-shorthand \"$response.body.id\" → \"$response.body#/id\"",
      "shorthands.arazzo.yaml:2:9: arazzo-version \"1.0.1\" → \"1.1.0\"",
      "shorthands.arazzo.yaml:20:22: operation-id-shorthand \"echo.getItem\" → \"$sourceDescriptions.echo.getItem\"",
      "shorthands.arazzo.yaml:27:20: bare-expression \"Bearer $inputs.token\" → \"Bearer {$inputs.token}\"",
      "shorthands.arazzo.yaml:32:24: jsonpath-comparison \"$.owner.name == 'Ada'\" → \"$[?@.owner.name == 'Ada']\"",
      "shorthands.arazzo.yaml:34:15: expression-shorthand \"$response.body.id\" → \"$response.body#/id\"",
      "shorthands.arazzo.yaml:35:18: expression-shorthand \"$response.headers.x-owner\" → \"$response.header.x-owner\"",
      "shorthands.arazzo.yaml:40:17: expression-identifier \"$steps.get.outputs.tags[0]\" → \"$steps.get.outputs.tags#/0\"",
      "2 document(s): 9 change(s) to make"
    ])
    for (const name of documents) expect(await text(path.join(dir, name))).toBe(await text(path.join(fixtures, name)))
  })

  it("rewrites the documents as 1.1, keeping comments, layout and JSON indentation", async () => {
    const result = await upgrade(...documents)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("upgraded 2 document(s): 9 change(s)")
    for (const name of documents) {
      expect(await text(path.join(dir, name))).toBe(await text(path.join(fixtures, "upgraded", name)))
    }
  })

  it("is idempotent: an upgraded document has nothing left to change, and checks clean", async () => {
    expect((await upgrade(...documents)).code).toBe(0)
    const again = await upgrade(dir, "--check")
    expect(again.code).toBe(0)
    expect(again.stdout.trim()).toBe("2 document(s): 0 change(s) to make")
    const rewritten = await upgrade(...documents)
    expect(rewritten.stdout.trim()).toBe("upgraded 2 document(s): 0 change(s)")
    for (const name of documents) {
      expect(await text(path.join(dir, name))).toBe(await text(path.join(fixtures, "upgraded", name)))
    }
    const check = await runCli(["check", ...documents], { cwd: dir })
    expect(check.code).toBe(0)
    expect(check.stdout.trim()).toBe("checked 2 document(s): 0 error(s), 0 warning(s)")
  })

  it("leaves a document that is not Arazzo 1.0 or 1.1 alone, and exits 1", async () => {
    await cp(path.join(fixtures, "shorthands.arazzo.yaml"), path.join(dir, "future.arazzo.yaml"))
    const future = path.join(dir, "future.arazzo.yaml")
    await writeFile(future, (await text(future)).replace("arazzo: 1.0.1", "arazzo: 2.0.0"))
    const before = await text(future)
    const result = await upgrade("future.arazzo.yaml")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("future.arazzo.yaml: left alone: `arazzo: 2.0.0` is not a 1.0 version")
    expect(await text(future)).toBe(before)
  })
})
