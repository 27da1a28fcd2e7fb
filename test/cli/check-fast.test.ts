/**
 * `check` without the rest of the CLI (generator/cli/check-fast.ts): the command lines it takes
 * must mean to it what they mean to @effect/cli with `check`'s own options, it must leave every
 * other one to the full CLI, and its output and exit code must be the full CLI's.
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import { checkConfig } from "../../generator/cli/check-command.js"
import { type CheckLine, readCheckLine } from "../../generator/cli/check-fast.js"
import { readOptionsFrom, sourcesFrom } from "../../generator/cli/options.js"
import { type CliResult, root, runCli } from "./support.js"

const doc = "specs/civitai/arazzo/civitai-blob-upload-img2img-workflow.yml"
const other = "specs/civitai/arazzo/civitai-workflow-query-cancel-workflow.yml"
const openapi = "specs/civitai/openapi/civitai-orchestration-api-openapi.yml"

/** What @effect/cli makes of `arazzo-effect check …args`, read as check-command.ts reads it; `undefined` if it refuses. */
const fullCli = async (args: ReadonlyArray<string>): Promise<CheckLine | undefined> => {
  let read: CheckLine | undefined
  const check = Command.make("check", checkConfig, (options) =>
    Effect.gen(function*() {
      const sources = yield* sourcesFrom(options.source)
      const { allowRoots, limits } = yield* readOptionsFrom(options)
      read = { documents: options.documents, format: options.format, sources, allowRoots, limits }
    }))
  const cli = Command.run(Command.make("arazzo-effect").pipe(Command.withSubcommands([check])), {
    name: "arazzo-effect",
    version: "0"
  })
  const exit = await Effect.runPromiseExit(
    cli(["node", "arazzo-effect", "check", ...args]).pipe(Effect.provide(NodeContext.layer))
  )
  return Exit.isSuccess(exit) ? read : undefined
}

describe("the command lines check-fast takes", () => {
  const taken: ReadonlyArray<ReadonlyArray<string>> = [
    [doc],
    [doc, other],
    ["specs"],
    ["--format", "json", doc],
    [doc, "--format", "json"],
    [doc, "--format=text"],
    [doc, "--source", `civitai=${openapi}`, other],
    ["--source", "a=x.yaml", "--source", "a=y.yaml", "--source", "b=z=1", doc],
    [doc, "--allow-root", "test", "--allow-root", "specs"],
    [doc, "--limit", "documentBytes=64KiB", "--limit", "depth=10", "--limit", "depth=20"],
    ["--format", "json", "--source", `civitai=${openapi}`, "--allow-root", "specs", "--limit", "documentNodes=5", doc]
  ]
  it.each(taken)("%j means to it what it means to @effect/cli", async (...args) => {
    const fast = readCheckLine(args)
    expect(fast).toBeDefined()
    expect(fast).toEqual(await fullCli(args))
  })

  const left: ReadonlyArray<ReadonlyArray<string>> = [
    [],
    ["--help"],
    [doc, "-h"],
    ["missing.yaml"],
    [doc, ""],
    [doc, "--"],
    [doc, "-"],
    [doc, "--source"],
    [doc, "--format", "xml"],
    [doc, "--format=json", "--format", "text"],
    [doc, "--format", "--source"],
    [doc, "--source", "=x.yaml"],
    [doc, "--source", "a="],
    [doc, "--allow-root", "missing-dir"],
    [doc, "--allow-root", doc],
    [doc, "--limit", "steps=10"],
    [doc, "--limit", "depth=0"],
    [doc, "--limit", "depth"],
    [doc, "--log-level", "debug"],
    [doc, "--bogus"],
    // @effect/cli reads `--name=value` for `--format` only, not for the repeatable options.
    [doc, "--source=a=x.yaml"],
    [doc, "--allow-root=specs"],
    [doc, "--limit=depth=10"]
  ]
  it.each(left)("%j is left to the full CLI", (...args) => {
    expect(readCheckLine(args)).toBeUndefined()
  })
})

describe("check-fast prints what the full CLI prints", () => {
  const tsx = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href
  /** The full CLI only: generator/cli/main.ts, which the entry imports when check-fast does not answer. */
  const runFull = (args: ReadonlyArray<string>) =>
    new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        ["--import", tsx, path.join(root, "generator/cli/main.ts"), ...args],
        { cwd: root, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
      )
    })

  it.each([
    ["warnings, as text", [doc, other]],
    ["errors, as JSON", [
      "test/fixtures/oai/schema/fail/not-an-object.yaml",
      "--format",
      "json",
      "test/fixtures/oai/schema/fail/invalid-arazzo-version.yaml"
    ]],
    ["a limit hit", [doc, "--format=text", "--limit", "documentBytes=100"]]
  ])("%s", async (_, args) => {
    const [fast, full] = await Promise.all([runCli(["check", ...args]), runFull(["check", ...args])])
    expect(fast.stdout).not.toBe("")
    expect(fast).toEqual(full)
  }, 120_000)
})
