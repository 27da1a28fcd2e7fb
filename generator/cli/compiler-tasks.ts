/**
 * What the CLI's compiler worker does (./compiler.ts): finding documents, checking them,
 * generating modules. Everything here is plain data in and out, so it crosses the thread
 * boundary by structured clone.
 */
import { checkDocument } from "../check.js"
import { type Diagnostic, uniqueDiagnostics } from "../diagnostics.js"
import { findDocuments } from "../find.js"
import type { GenerateOptions, GenerateResult } from "../index.js"
import type { LoadOptions } from "../load/document.js"

/** The inputs could not be searched (a usage error: the message says why). */
export interface Unsearchable {
  readonly _tag: "Unsearchable"
  readonly message: string
}

const search = async (inputs: ReadonlyArray<string>, options: LoadOptions): Promise<Array<string> | Unsearchable> => {
  try {
    return await findDocuments(inputs, options)
  } catch (cause) {
    return { _tag: "Unsearchable", message: cause instanceof Error ? cause.message : String(cause) }
  }
}

export const tasks = {
  /** `check`: the documents found, and their findings (each once). */
  check: async (
    inputs: ReadonlyArray<string>,
    options: LoadOptions
  ): Promise<
    { readonly files: ReadonlyArray<string>; readonly diagnostics: ReadonlyArray<Diagnostic> } | Unsearchable
  > => {
    const files = await search(inputs, options)
    if (!Array.isArray(files)) return files
    const diagnostics: Array<Diagnostic> = []
    for (const file of files) diagnostics.push(...(await checkDocument(file, options)))
    return { files, diagnostics: uniqueDiagnostics(diagnostics) }
  },
  /** `generate` (and `run`'s compile): the documents found, and what generating them gave. */
  generate: async (
    inputs: ReadonlyArray<string>,
    options: GenerateOptions
  ): Promise<{ readonly files: ReadonlyArray<string>; readonly result: GenerateResult } | Unsearchable> => {
    const files = await search(inputs, options)
    if (!Array.isArray(files)) return files
    // The emitter (ts-morph, TypeScript itself) loads only for commands that emit: `check` never does.
    const { generate } = await import("../index.js")
    return { files, result: await generate(files, options) }
  }
}

/** What each task loads beyond this module, for a worker started before its task is known. */
export const preload: Record<TaskName, () => Promise<unknown>> = {
  check: () => Promise.resolve(),
  generate: () => import("../index.js")
}

export type Tasks = typeof tasks
export type TaskName = keyof Tasks
