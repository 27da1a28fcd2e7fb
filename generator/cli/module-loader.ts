/**
 * Turns generated modules into JavaScript this process can import for `run`: TypeScript transpiled
 * with the compiler ts-morph ships; bare imports pointed at the copies the CLI serves
 * (package-info.ts `runModuleUrl`: inside the bundle when installed, so the module shares the
 * CLI's `effect` and its spans reach the CLI's tracer, never the app's node_modules); imports of
 * sibling generated modules (`./other.js`) pointed at their `.mjs`.
 */
import * as Effect from "effect/Effect"
import { ts } from "ts-morph"
import { ModuleLoadFailed } from "./module-load-failed.js"
import { runModuleUrl } from "./package-info.js"

const isBare = (specifier: string) =>
  !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z]+:/i.test(specifier)

/** JavaScript with every import and export specifier passed through `resolve` (bare ones and relative ones alike). */
const mapSpecifiers = (javascript: string, resolve: (specifier: string) => string): string => {
  const file = ts.createSourceFile("module.mjs", javascript, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
  const replacements: Array<{ start: number; end: number; text: string }> = []
  for (const statement of file.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))
      ? statement.moduleSpecifier
      : undefined
    if (specifier === undefined || !ts.isStringLiteral(specifier)) continue
    const replaced = resolve(specifier.text)
    if (replaced === specifier.text) continue
    replacements.push({ start: specifier.getStart(file), end: specifier.getEnd(), text: JSON.stringify(replaced) })
  }
  let result = javascript
  for (const r of replacements.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, r.start) + r.text + result.slice(r.end)
  }
  return result
}

/** JavaScript with every bare import and export specifier replaced by an absolute URL. */
export const rewriteImports = (javascript: string, resolve: (specifier: string) => string): string =>
  mapSpecifiers(javascript, (specifier) => (isBare(specifier) ? resolve(specifier) : specifier))

export const transpile = (typescript: string, fileName: string): string =>
  ts.transpileModule(typescript, {
    fileName,
    // verbatimModuleSyntax: keep every value import as written (type-only ones go), so nothing is elided by guesswork.
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false
    }
  }).outputText

/** `flow.ts` → `flow.mjs`: the name a generated module is written under for `run`. */
export const javascriptName = (name: string): string => name.replace(/\.ts$/, ".mjs")

/** A generated module as `run` imports it. */
export interface PreparedModule {
  readonly name: string
  readonly javascript: string
}

/** Transpiles generated modules (TypeScript text by file name) and points their imports where `run` serves them. */
export const prepareModules = (
  files: ReadonlyArray<{ readonly name: string; readonly text: string }>
): Effect.Effect<Array<PreparedModule>, ModuleLoadFailed> =>
  Effect.forEach(files, (file) =>
    Effect.try({
      try: () => {
        const javascript = mapSpecifiers(transpile(file.text, file.name), (specifier) => {
          if (!isBare(specifier)) return specifier.replace(/^(\.\/[^/]+)\.js$/, "$1.mjs")
          const url = runModuleUrl(specifier)
          if (url === undefined) {
            throw new Error(
              `it imports ${specifier}, which \`arazzo-effect run\` does not provide (generator/cli/run-modules.ts)`
            )
          }
          return url
        })
        return { name: javascriptName(file.name), javascript }
      },
      catch: (cause) =>
        new ModuleLoadFailed({ module: file.name, reason: cause instanceof Error ? cause.message : String(cause) })
    }))
