/**
 * The command line of a benchmark entry. Every benchmark runs with `--expose-gc` (a full GC
 * before each measurement is part of the method): started without it, as `npx tsx bench/x.ts`,
 * the entry runs itself again with the flag and exits with that run's code.
 */
import { spawnSync } from "node:child_process"
import { benchArgs, emit, isMain } from "./stats.js"

/** Re-runs this process with `--expose-gc` when it lacks it (never returns then). */
export const ensureExposedGc = (): void => {
  if (typeof (globalThis as { gc?: unknown }).gc === "function") return
  const result = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit"
  })
  process.exit(result.status ?? 1)
}

/**
 * When `moduleUrl` is the entry point: runs `task` with `--quick` and `--out` read, writes its
 * result as JSON (to `--out`, else stdout), and exits 1 on failure.
 */
export const entry = (
  moduleUrl: string,
  task: (args: { readonly quick: boolean; readonly out: string | undefined }) => Promise<unknown>
): void => {
  if (!isMain(moduleUrl)) return
  ensureExposedGc()
  const args = benchArgs()
  task({ quick: args.quick === true, out: args.out }).then(
    (result) => emit(result, args.out),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
