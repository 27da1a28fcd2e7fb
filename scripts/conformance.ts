/**
 * `npm run conformance -- <dir> [--source name=file]...`: generates every Arazzo document under
 * <dir> on its own, typechecks what was emitted with the project's strict tsconfig, and prints
 * one line per document and a last line `conformance: N passed, M failed`. A document passes
 * when it generates without errors and its module typechecks. Not part of `npm test`: it runs
 * on corpora written by others.
 *
 * A failing document whose every error is a source absent from the corpus (a source file that is
 * not there, one outside the corpus, an operation whose `$ref` names a missing file) cannot be
 * compiled by any tool offline: it is listed as not evaluable, and the figures are printed over
 * all documents and over the evaluable ones. It is still a FAIL line with its first diagnostic.
 */
import { execFile } from "node:child_process"
import { mkdir, rm, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { promisify } from "node:util"
import { analyzeDocument } from "../generator/check.js"
import { type Diagnostic, hasErrors } from "../generator/diagnostics.js"
import { emitModule } from "../generator/emit/module.js"
import { analyzeWithImports, findDocuments } from "../generator/index.js"

/** Errors that say a source (or part of one) is absent from the corpus, not that the document is wrong. */
const absentSource = (d: Diagnostic): boolean =>
  (d.code === "source-unresolved" && /: no such file(;|$)/.test(d.message)) || d.code === "source-outside-roots" ||
  d.code === "operation-unresolved"

const root = path.resolve(import.meta.dirname, "..")
const out = path.join(root, "test/.generated/conformance")

const main = async () => {
  const [dir] = process.argv.slice(2).filter((a) => !a.startsWith("--"))
  if (dir === undefined) {
    console.error("usage: npm run conformance -- <dir>")
    return 2
  }
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  const files = await findDocuments([dir])
  const results = new Map<string, { ok: boolean; reason: string; module?: string; absent?: boolean }>()
  const reasons = new Map<string, number>()
  const started = performance.now()
  let relocated = 0
  for (const [i, file] of files.entries()) {
    const shown = path.relative(process.cwd(), file)
    try {
      // The document, then the documents its arazzo sources name. Sources that are not where their
      // URL says are found by the loader's own rule (generator/load/source-fallback.ts), as in the CLI.
      const [main, ...imported] = await analyzeWithImports(
        [file],
        // The corpus is trusted, and its documents reach across its tree: allow all of it.
        async (f) => analyzeDocument(f, { allowRoots: [path.resolve(dir)] })
      )
      const { document, diagnostics } = main!.analysis
      if (diagnostics.some((d) => d.code === "source-relocated")) relocated++
      if (document === undefined || hasErrors(diagnostics)) {
        const codes = [...new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.code))]
        for (const code of codes) reasons.set(code, (reasons.get(code) ?? 0) + 1)
        const errors = diagnostics.filter((d) => d.severity === "error")
        const first = errors[0]
        results.set(shown, {
          ok: false,
          reason: first ? `${first.code}: ${first.message}` : "no document",
          absent: errors.length > 0 && errors.every(absentSource)
        })
        continue
      }
      const broken = imported.find(({ analysis }) => analysis.document === undefined || hasErrors(analysis.diagnostics))
      if (broken !== undefined) {
        const errors = broken.analysis.diagnostics.filter((d) => d.severity === "error")
        const first = errors[0]
        reasons.set("imported-document", (reasons.get("imported-document") ?? 0) + 1)
        results.set(shown, {
          ok: false,
          reason: `imported-document: ${path.relative(process.cwd(), broken.file)}: ${
            first ? `${first.code}: ${first.message}` : "no document"
          }`,
          absent: errors.length > 0 && errors.every(absentSource)
        })
        continue
      }
      // Each document in a folder of its own, with the modules of the arazzo sources it runs.
      const module = `doc${i}`
      await mkdir(path.join(out, module), { recursive: true })
      await writeFile(path.join(out, module, "main.ts"), emitModule(document, path.relative(out, file)).text)
      for (const { file: other, analysis } of imported) {
        const emitted = emitModule(analysis.document!, path.relative(path.join(out, module), other))
        await writeFile(path.join(out, module, emitted.name), emitted.text)
      }
      results.set(shown, { ok: true, reason: "", module })
    } catch (cause) {
      reasons.set("crash", (reasons.get("crash") ?? 0) + 1)
      results.set(shown, { ok: false, reason: `crash: ${cause instanceof Error ? cause.stack : String(cause)}` })
    }
  }
  const generated = performance.now() - started
  await writeFile(
    path.join(out, "tsconfig.json"),
    JSON.stringify({ extends: "../../../tsconfig.json", include: ["**/*.ts"] })
  )
  const tsc = await promisify(execFile)(process.execPath, [
    path.join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    out
  ], {
    cwd: root,
    maxBuffer: 1 << 28
  }).then(({ stdout }) => stdout, (e: { stdout: string }) => e.stdout)
  const typeErrors = new Map<string, string>()
  for (const line of tsc.split("\n")) {
    const match = /(doc\d+)\/[^(]+\(\d+,\d+\): (error .*)/.exec(line)
    if (match && !typeErrors.has(match[1]!)) typeErrors.set(match[1]!, match[2]!)
  }
  let passed = 0
  const absent: Array<string> = []
  for (const [file, result] of results) {
    const typeError = result.module ? typeErrors.get(result.module) : undefined
    if (typeError) {
      reasons.set("typecheck", (reasons.get("typecheck") ?? 0) + 1)
      console.log(`FAIL ${file}: generated code does not typecheck: ${typeError}`)
    } else if (result.ok) {
      passed++
      console.log(`PASS ${file}`)
    } else {
      if (result.absent) absent.push(file)
      console.log(`FAIL ${file}: ${result.absent ? "(not evaluable) " : ""}${result.reason.split("\n")[0]}`)
    }
  }
  console.log(
    `\nfailure reasons (documents): ${[...reasons].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ")}`
  )
  console.log(
    `generated ${files.length} documents in ${
      (generated / 1000).toFixed(1)
    } s (${relocated} with a source read from where it plausibly is, source-relocated)`
  )
  if (absent.length > 0) {
    console.log(`not evaluable: source absent from the corpus (${absent.length}):`)
    for (const file of absent) console.log(`  ${file}`)
  }
  const percent = (n: number, of: number) => `${of === 0 ? "0.0" : ((100 * n) / of).toFixed(1)}%`
  const evaluable = results.size - absent.length
  console.log(
    `over evaluable documents: ${passed} passed, ${evaluable - passed} failed (${
      percent(passed, evaluable)
    } of ${evaluable}; ${absent.length} not evaluable: source absent from the corpus)`
  )
  console.log(
    `conformance: ${passed} passed, ${results.size - passed} failed (${
      percent(passed, results.size)
    } of ${results.size})`
  )
  return 0
}

main().then((code) => process.exit(code), (cause: unknown) => {
  console.error(cause)
  process.exit(70)
})
