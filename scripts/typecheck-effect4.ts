/** `npm run typecheck:effect4`: the Effect 4 line (test/effect4/tsconfig.json) against its own Effect 4. */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { ensureEffect4Project } from "./effect4-project.js"
import { ensureNode22 } from "./node22.js"

const project = ensureEffect4Project({ node: ensureNode22() })
try {
  execFileSync(process.execPath, [project.tsc, "--noEmit", "-p", path.join(project.dir, "tsconfig.json")], {
    stdio: "inherit"
  })
} catch {
  process.exitCode = 1
}
