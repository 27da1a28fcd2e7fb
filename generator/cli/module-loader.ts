/**
 * Loads a generated module into this process for `run`: TypeScript transpiled to JavaScript with
 * the compiler ts-morph ships, bare imports rewritten to absolute file URLs (the package's own
 * `arazzo-effect/runtime` to the runtime this CLI runs with, `effect/…` and `@effect/…` to the copies
 * this CLI resolves), written as .mjs into a temporary directory and imported from there.
 * Resolving from here makes the module share the CLI's `effect`, so its spans reach the CLI's tracer.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { ts } from "ts-morph"
import { ownEntryPoints } from "./package-info.js"

/** The generated module could not be turned into something this process can run: a bug, not the user's doing. */
export class ModuleLoadFailed extends Data.TaggedError("ModuleLoadFailed")<{
  readonly module: string
  readonly reason: string
}> {
  override get message() {
    return `cannot load the module generated for ${this.module}: ${this.reason}`
  }
}

const isBare = (specifier: string) =>
  !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z]+:/i.test(specifier)

/** Where a bare specifier points, as a file URL. */
const resolveSpecifier = (specifier: string, own: ReadonlyMap<string, string>): string =>
  own.get(specifier) ?? import.meta.resolve(specifier)

/** JavaScript with every bare import and export specifier replaced by an absolute URL. */
export const rewriteImports = (javascript: string, resolve: (specifier: string) => string): string => {
  const file = ts.createSourceFile("module.mjs", javascript, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
  const replacements: Array<{ start: number; end: number; text: string }> = []
  for (const statement of file.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))
      ? statement.moduleSpecifier
      : undefined
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !isBare(specifier.text)) continue
    replacements.push({
      start: specifier.getStart(file),
      end: specifier.getEnd(),
      text: JSON.stringify(resolve(specifier.text))
    })
  }
  let result = javascript
  for (const r of replacements.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, r.start) + r.text + result.slice(r.end)
  }
  return result
}

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

/** Imports a generated module (its TypeScript text); the temporary file lives as long as the scope. */
export const loadModule = (
  name: string,
  typescript: string
): Effect.Effect<Record<string, unknown>, ModuleLoadFailed, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const fail = (reason: unknown) =>
      new ModuleLoadFailed({ module: name, reason: reason instanceof Error ? reason.message : String(reason) })
    const own = ownEntryPoints()
    const javascript = yield* Effect.try({
      try: () => rewriteImports(transpile(typescript, name), (specifier) => resolveSpecifier(specifier, own)),
      catch: fail
    })
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "arazzo-effect-run-" }).pipe(Effect.mapError(fail))
    const file = path.join(dir, name.replace(/\.ts$/, ".mjs"))
    yield* fs.writeFileString(file, javascript).pipe(Effect.mapError(fail))
    return yield* Effect.tryPromise({
      try: () => import(pathToFileURL(file).href) as Promise<Record<string, unknown>>,
      catch: fail
    })
  })
