/**
 * `npm run format` rewrites, `npm run format:check` lists (and exits 1 on) the TypeScript files
 * of this repository that the project's formatter would change. `generated/` is left out: the
 * emitter formats it with the same formatter, and `generate:check` compares it byte for byte.
 */
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { formatTypeScript } from "../generator/format/index.js"

const check = process.argv.includes("--check")
const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.mts"], {
  encoding: "utf8"
})
const files = listed.split("\n").filter((f) => f !== "" && !f.startsWith("generated/"))

const unformatted: Array<string> = []
const failed: Array<string> = []
for (const file of files) {
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    continue // listed but deleted in the working tree
  }
  let formatted: string
  try {
    formatted = formatTypeScript(text, file)
  } catch (cause) {
    failed.push(`${file}: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`)
    continue
  }
  if (formatted === text) continue
  unformatted.push(file)
  if (!check) writeFileSync(file, formatted)
}

for (const line of failed) console.error(`format: cannot parse ${line}`)
if (check) {
  for (const file of unformatted) console.error(`format: ${file} is not formatted (npm run format)`)
  console.log(`format: ${files.length - unformatted.length - failed.length} of ${files.length} files formatted`)
  process.exit(unformatted.length > 0 || failed.length > 0 ? 1 : 0)
}
console.log(`format: ${unformatted.length} of ${files.length} files rewritten`)
process.exit(failed.length > 0 ? 1 : 0)
