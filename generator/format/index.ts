/**
 * The one formatter of this repository and of the code it generates: dprint's TypeScript plugin,
 * run in process from its WASM build, configured as Effect's own packages are (indent 2, width
 * 120, no semicolons, double quotes, no trailing commas, parenthesised arrow parameters).
 */
import { createFromBuffer, type Formatter } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import { readFileSync } from "node:fs"

/** The settings `scripts/format.ts` and the emitter share. */
export const GLOBAL_CONFIG = { indentWidth: 2, lineWidth: 120, newLineKind: "lf" } as const
export const TYPESCRIPT_CONFIG = {
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force"
} as const

let formatter: Formatter | undefined

/** Made on first use: instantiating the plugin takes tens of milliseconds, formatting a module a few. */
const instance = (): Formatter => {
  if (formatter === undefined) {
    formatter = createFromBuffer(readFileSync(getPath()))
    formatter.setConfig(GLOBAL_CONFIG, TYPESCRIPT_CONFIG)
  }
  return formatter
}

/**
 * `text` formatted; `fileName` decides the syntax (`.ts`, `.tsx`, `.mts`). Throws on a syntax error.
 * A WASM trap (`unreachable`, an out-of-bounds offset) leaves the instance's memory broken, and
 * every later call would fail too: after any exception the instance is dropped, and the text is
 * tried once more on a fresh one (a syntax error then throws again, as it should).
 */
export const formatTypeScript = (text: string, fileName = "module.ts"): string => {
  try {
    return instance().formatText({ filePath: fileName, fileText: text })
  } catch {
    formatter = undefined
  }
  try {
    return instance().formatText({ filePath: fileName, fileText: text })
  } catch (cause) {
    formatter = undefined
    throw cause
  }
}

/** For tests: replaces the instance the next call uses (a broken one, to show recovery). */
export const useFormatterForTesting = (replacement: Formatter | undefined): void => {
  formatter = replacement
}

/** Where a generated module's top-level declarations start: a line at column 0 after a blank line. */
const TOP_LEVEL_BREAK = /\n\n(?=[^\s})\]])/

/**
 * Modules up to this many characters are formatted in one call: one call is cheaper than one per
 * declaration (each call pays a parse and a copy across the WASM boundary), and every module of
 * specs/ is under a third of it. The trap below was seen only far above it.
 */
export const WHOLE_MODULE_CHARS = 96 * 1024

/**
 * A generated module formatted. Above `WHOLE_MODULE_CHARS`, declaration by declaration, each
 * alone, joined with one blank line: the same text as formatting the whole file, but dprint's
 * WASM build takes minutes on (and then traps on) some whole modules of a few hundred kilobytes
 * whose declarations it formats in well under a second each.
 */
export const formatGeneratedModule = (text: string, fileName = "module.ts"): string =>
  text.length <= WHOLE_MODULE_CHARS ? formatTypeScript(text, fileName) : formatByDeclaration(text, fileName)

/** `text` formatted one top-level declaration at a time (exported for the test that both ways agree). */
export const formatByDeclaration = (text: string, fileName = "module.ts"): string =>
  text.split(TOP_LEVEL_BREAK).map((piece) => formatTypeScript(piece, fileName)).join("\n")
