/** `--version`, `--help` (with examples and exit codes for every command) and usage errors, from the real process. */
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { root, runCli } from "./support.js"

describe("arazzo-effect --version and --help", () => {
  it("--version prints the version from package.json", async () => {
    const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string }
    const { code, stdout } = await runCli(["--version"])
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(version)
  }, 60_000)

  it("--help lists the commands, examples for each, and the exit codes, without colour codes when piped", async () => {
    const { code, stdout } = await runCli(["--help"])
    expect(code).toBe(0)
    for (const command of ["generate", "check", "run"]) expect(stdout).toMatch(new RegExp(`^ {2}- ${command} `, "m"))
    expect(stdout).toMatch(/^\$ arazzo-effect generate specs --out generated --check$/m)
    expect(stdout).toMatch(/^EXIT CODES$/m)
    expect(stdout).toMatch(/^130$/m)
    expect(stdout).not.toContain("\x1b[")
  }, 60_000)

  it.each([
    ["generate", ["--out dir", "--check", "--watch", "$ arazzo-effect generate specs --out generated --watch"]],
    ["check", ["--format text | json", "$ arazzo-effect check specs --format json"]],
    ["run", [
      "--workflow id",
      "--input name=value",
      "--inputs file.json",
      "--server source=url",
      "--trace-json",
      "--input file=@cat.png"
    ]]
  ])("%s --help documents its options with examples", async (command, expected) => {
    const { code, stdout } = await runCli([command, "--help"])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^EXAMPLES$/m)
    for (const text of expected) expect(stdout).toContain(text)
  }, 60_000)

  it("usage errors exit 2: no command, an unknown command, an unknown option, a missing argument", async () => {
    const results = await Promise.all([
      runCli([]),
      runCli(["compile", "specs"]),
      runCli(["check", "specs", "--colour"]),
      runCli(["run"])
    ])
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2])
    expect(results[0]!.stderr).toContain("no command given")
  }, 120_000)
})
