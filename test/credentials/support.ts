/**
 * Generates test/fixtures/credentials/vault.arazzo.yaml for this line into
 * test/.generated/credentials[-effect4]/ and imports it: the document passes no credential, the
 * runtime applies them from `Credentials`.
 */
import { major } from "#line"
import type * as Effect from "effect/Effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { formatDiagnostic, generate, writeFiles } from "../../generator/index.js"

const root = path.resolve(import.meta.dirname, "../..")
export const fixtures = path.join(root, "test/fixtures/credentials")
const out = path.join(root, "test/.generated", (major as number) === 3 ? "credentials" : `credentials-effect${major}`)

/** A generated workflow function, as the tests call it. */
export type WorkflowFn = (input: unknown) => Effect.Effect<any, any, any>

let loaded: Promise<Record<string, WorkflowFn>> | undefined

/** The vault module's workflows by workflowId (generated once per test file). */
export const vaultModule = (): Promise<Record<string, WorkflowFn>> =>
  loaded ??= (async () => {
    const result = await generate([path.join(fixtures, "vault.arazzo.yaml")], { outDir: out, cwd: root, effect: major })
    const errors = result.diagnostics.filter((d) => d.severity === "error")
    if (errors.length > 0) throw new Error(errors.map(formatDiagnostic).join("\n"))
    await writeFiles(out, result.files)
    const module = await import(pathToFileURL(path.join(out, "vault.ts")).href)
    return module.workflows as Record<string, WorkflowFn>
  })()
