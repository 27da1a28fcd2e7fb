/** The shared suites this line runs are the ones its tsconfig type-checks (two lists, kept in step). */
import { globSync } from "node:fs"
import * as path from "node:path"
import ts from "typescript"
import { expect, it } from "vitest"
import { sharedSuites } from "./suites.js"

const here = import.meta.dirname
const repository = path.resolve(here, "../..")

it("type-checks every shared suite it runs", () => {
  const file = path.join(here, "tsconfig.json")
  const { config } = ts.readConfigFile(file, ts.sys.readFile)
  const checked = new Set(ts.parseJsonConfigFileContent(config, ts.sys, here).fileNames.map((f) => path.resolve(f)))
  const suites = sharedSuites.flatMap((glob) => globSync(glob, { cwd: repository })).map((f) =>
    path.resolve(repository, f)
  )
  expect(suites.length).toBeGreaterThan(0)
  expect(suites.filter((f) => !checked.has(f))).toEqual([])
})
