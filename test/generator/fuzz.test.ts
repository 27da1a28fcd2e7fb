/**
 * Seeded property test: valid Civitai documents mutated in hostile ways (fields dropped or
 * renamed, wrong types, odd strings, colliding and reserved names, regex criteria of every kind,
 * source URLs and `$ref`s that leave the document's tree or name special files, documents too
 * deep or too large). For every mutant the generator either reports errors and emits nothing, or
 * emits code that typechecks under the strict tsconfig; no string from a document ever becomes
 * code; no case takes more than 10 s; hostile references and sizes are refused with their code;
 * and nothing read from outside the tree shows up in any output.
 */
import fc from "fast-check"
import { execFile } from "node:child_process"
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { promisify } from "node:util"
import { Project, SyntaxKind } from "ts-morph"
import { describe, expect, it } from "vitest"
import { parse, stringify } from "yaml"
import { hasErrors } from "../../generator/diagnostics.js"
import { generate } from "../../generator/index.js"

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, "../..")
const work = path.join(root, "test/.generated/fuzz")
const RUNS = 1000
const SEED = 20261124

/** Would be an identifier in emitted code only if a document string broke out of its literal. */
const MARKER = "__pwned"

const oddStrings = [
  `*/ ${MARKER}() /*`,
  `\`+${MARKER}+\``,
  `\${${MARKER}}`,
  `"); ${MARKER}(); ("`,
  `'); ${MARKER}(); ('`,
  `\n${MARKER}()\n`,
  `\u2028${MARKER}()`,
  `\\\`; ${MARKER}; //`,
  "constructor",
  "__proto__",
  "class",
  "default",
  "await",
  "inputs",
  "run",
  "Effect",
  "Schema",
  "Arazzo",
  "日本語のステップ",
  "emoji-😀",
  "",
  " ",
  "a".repeat(300),
  "$inputs.nope",
  "$steps.ghost.outputs.x",
  "{$inputs.apiKey}",
  "$response.body#/",
  "$statusCode == ",
  "1e309",
  "-0"
]

type Json = unknown
type Path = ReadonlyArray<string | number>

const paths = (value: Json, at: Path = []): Array<Path> => {
  const here = [at]
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => paths(v, [...at, i]))]
  if (value !== null && typeof value === "object") {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))]
  }
  return here
}

const parentOf = (doc: Json, at: Path): { parent: Record<string | number, Json>; key: string | number } | undefined => {
  if (at.length === 0) return undefined
  let node: Json = doc
  for (const key of at.slice(0, -1)) node = (node as Record<string | number, Json>)[key]
  return { parent: node as Record<string | number, Json>, key: at[at.length - 1]! }
}

/** Regex criteria: ordinary, catastrophic for a backtracking engine, beyond a linear-time engine, invalid. */
const patterns = [
  "^application/json",
  "^2\\d\\d$",
  "^(a+)+$",
  "(a|a)*$",
  "^(\\w+\\s?)*$",
  "(a)\\1",
  "a(?=b)",
  "(?<=v)\\d",
  "(?<name>x)\\k<name>",
  "[",
  "(",
  "\\u0041",
  `"); ${MARKER}(); ("`,
  `*/ ${MARKER} /*`
]

/** Source description URLs that leave the tree or name what is not a regular file. */
const hostileUrls = [
  "/etc/passwd",
  "file:///proc/self/environ",
  "../../../../../../../etc/hostname",
  "/dev/zero",
  "/dev/urandom",
  "../openapi/leaky-absolute.yml",
  "../openapi/leaky-escape.yml",
  "../openapi/leaky-file-url.yml"
]

/** What reading any of those would bring in (a line of /etc/passwd, of the environment). */
const LEAKED = /root:x:0:0|PATH=\/|HOME=\//

type Mutation =
  | { readonly kind: "drop"; readonly pick: number }
  | { readonly kind: "rename"; readonly pick: number; readonly to: string }
  | { readonly kind: "retype"; readonly pick: number; readonly to: Json }
  | { readonly kind: "string"; readonly pick: number; readonly to: string }
  | { readonly kind: "duplicateStep"; readonly pick: number }
  | { readonly kind: "renameId"; readonly pick: number; readonly to: string }
  | { readonly kind: "regex"; readonly pick: number; readonly pattern: string }
  | { readonly kind: "reference"; readonly pick: number; readonly url: string }
  | { readonly kind: "size"; readonly pick: number; readonly what: "deep" | "wide" }

const odd = fc.oneof(
  fc.constantFrom(...oddStrings),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 })
)
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("rename" as const), pick: fc.nat(), to: odd }),
  fc.record({
    kind: fc.constant("retype" as const),
    pick: fc.nat(),
    to: fc.constantFrom<Json>(null, 0, -1.5, true, [], {}, ["x"], { a: 1 }, "")
  }),
  fc.record({ kind: fc.constant("string" as const), pick: fc.nat(), to: odd }),
  fc.record({ kind: fc.constant("duplicateStep" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("renameId" as const), pick: fc.nat(), to: odd }),
  fc.record({
    kind: fc.constant("regex" as const),
    pick: fc.nat(),
    pattern: fc.oneof(fc.constantFrom(...patterns), fc.string({ maxLength: 12 }))
  }),
  fc.record({ kind: fc.constant("reference" as const), pick: fc.nat(), url: fc.constantFrom(...hostileUrls) }),
  fc.record({
    kind: fc.constant("size" as const),
    pick: fc.nat(),
    what: fc.constantFrom("deep" as const, "wide" as const)
  })
)

/** The error code a hostile reference or size mutation must be refused with. */
const refusalOf = (m: Mutation): Array<string> => {
  if (m.kind === "reference") {
    return m.url.startsWith("../openapi/leaky") ? ["ref-outside-roots"] : ["source-outside-roots"]
  }
  if (m.kind === "size") return m.what === "deep" ? ["limit-depth"] : ["limit-nodes"]
  return []
}

/** The fuzz runs with a lower node limit, so that "wide" documents are refused at once. */
const DOCUMENT_NODES = 10_000

/** The objects in a value that should be an array of objects (mutations may have broken it). */
const objects = (value: Json): Array<Record<string, Json>> =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v))
    : []

const apply = (doc: Json, m: Mutation): Json => {
  const copy = structuredClone(doc) as Record<string, Json>
  const all = paths(copy).filter((p) => p.length > 0)
  const target = all[m.pick % all.length]!
  const place = parentOf(copy, target)!
  switch (m.kind) {
    case "drop":
      if (Array.isArray(place.parent)) place.parent.splice(Number(place.key), 1)
      else delete place.parent[place.key]
      break
    case "rename":
      if (!Array.isArray(place.parent)) {
        const value = place.parent[place.key]
        delete place.parent[place.key]
        place.parent[m.to] = value
      }
      break
    case "retype":
      place.parent[place.key] = m.to
      break
    case "string": {
      const strings = all.filter((p) => typeof parentOf(copy, p)!.parent[p[p.length - 1]!] === "string")
      const chosen = strings[m.pick % strings.length]
      if (chosen) {
        const at = parentOf(copy, chosen)!
        at.parent[at.key] = m.to
      }
      break
    }
    case "duplicateStep": {
      const steps = objects(objects(copy["workflows"])[0]?.["steps"])
      if (steps.length > 0) {
        ;(objects(copy["workflows"])[0]!["steps"] as Array<Json>).push(structuredClone(steps[m.pick % steps.length]))
      }
      break
    }
    case "renameId": {
      const workflows = objects(copy["workflows"])
      const holders = workflows.flatMap((w) => [w, ...objects(w["steps"])])
      const holder = holders[m.pick % holders.length]
      if (holder) holder["stepId" in holder ? "stepId" : "workflowId"] = m.to
      break
    }
    case "regex": {
      const steps = objects(copy["workflows"]).flatMap((w) => objects(w["steps"]))
      const step = steps[m.pick % Math.max(steps.length, 1)]
      if (step) {
        const criteria = Array.isArray(step["successCriteria"]) ? step["successCriteria"] : []
        step["successCriteria"] = [
          ...criteria,
          { context: "$response.header.Content-Type", condition: m.pattern, type: "regex" }
        ]
      }
      break
    }
    case "reference": {
      const [first, ...rest] = objects(copy["sourceDescriptions"])
      const name = typeof first?.["name"] === "string" ? first["name"] : "api"
      copy["sourceDescriptions"] = [{ name, url: m.url, type: "openapi" }, ...rest]
      break
    }
    case "size": {
      if (m.what === "deep") {
        let deep: Json = "bottom"
        for (let i = 0; i < 200; i++) deep = [deep]
        copy["x-deep"] = deep
      } else {
        copy["x-wide"] = Array.from({ length: DOCUMENT_NODES }, (_, i) => ({ n: i }))
      }
      break
    }
  }
  return copy
}

describe("the generator on hostile documents", () => {
  it(`emits nothing with errors, or code that typechecks with no injected code (${RUNS} seeded cases)`, async () => {
    await rm(work, { recursive: true, force: true })
    await mkdir(path.join(work, "arazzo"), { recursive: true })
    await cp(path.join(root, "specs/civitai/openapi"), path.join(work, "openapi"), { recursive: true })
    // Descriptions that reach outside the tree through a $ref (the reference mutation points at them).
    const api = await readFile(path.join(work, "openapi/civitai-orchestration-api-openapi.yml"), "utf8")
    for (
      const [name, ref] of [
        ["absolute", "/etc/passwd"],
        ["escape", "../../../../../../../etc/hostname"],
        ["file-url", "file:///proc/self/environ"]
      ]
    ) {
      await writeFile(
        path.join(work, `openapi/leaky-${name}.yml`),
        api.replace("\n  schemas:\n", `\n  schemas:\n    Leak: { $ref: ${JSON.stringify(ref)} }\n`)
      )
    }
    const seeds = await Promise.all(
      (await readdir(path.join(root, "specs/civitai/arazzo"))).sort().map(async (f) =>
        parse(await readFile(path.join(root, "specs/civitai/arazzo", f), "utf8")) as Json
      )
    )
    const project = new Project({ useInMemoryFileSystem: true })
    let emitted = 0
    let rejected = 0
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (seed, mutations) => {
        const doc = mutations.reduce(apply, seeds[seed % seeds.length])
        const file = path.join(work, "arazzo", "case.yml")
        await writeFile(file, stringify(doc))
        const started = performance.now()
        const result = await generate([file], { outDir: work, cwd: work, limits: { documentNodes: DOCUMENT_NODES } })
        expect(performance.now() - started).toBeLessThan(10_000)
        expect(
          [...result.diagnostics.map((d) => d.message), ...result.files.map((f) => f.text)].join("\n")
        ).not.toMatch(LEAKED)
        const codes = new Set(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code))
        // Validation says everything wrong with a document: lowering never fails on one it accepted.
        expect(codes.has("internal-lowering"), JSON.stringify(mutations)).toBe(false)
        // A hostile reference or size applied last must be refused with its code (a too-deep or
        // too-large document is refused before its sources are looked at).
        const last = mutations[mutations.length - 1]!
        const sized = mutations.some((m) => m.kind === "size")
        // With several size mutations, whichever limit the parse meets first is reported.
        const expected = last.kind === "size"
          ? mutations.flatMap(refusalOf)
          : last.kind === "reference" && !sized
          ? refusalOf(last)
          : []
        if (expected.length > 0) {
          expect(expected.some((code) => codes.has(code)), `${JSON.stringify(mutations)}: ${[...codes]}`).toBe(true)
        }
        if (hasErrors(result.diagnostics)) {
          expect(result.files).toEqual([])
          rejected++
          return
        }
        const [module] = result.files
        expect(module).toBeDefined()
        const source = project.createSourceFile("case.ts", module!.text, { overwrite: true })
        const injected = source.getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => id.getText() === MARKER)
        const lines = module!.text.split("\n")
        if (injected.length > 0) await writeFile(path.join(work, "injected.ts"), module!.text)
        expect(injected.map((id) => `${id.getStartLineNumber()}: ${lines[id.getStartLineNumber() - 1]}`)).toEqual([])
        emitted++
        await writeFile(path.join(work, `case-${emitted}.ts`), module!.text)
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true }
    )
    expect(emitted + rejected).toBe(RUNS)
    expect(emitted).toBeGreaterThan(50)
    expect(rejected).toBeGreaterThan(50)
    await writeFile(
      path.join(work, "tsconfig.json"),
      JSON.stringify({ extends: "../../../tsconfig.json", include: ["*.ts"] })
    )
    const tsc = await run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", work], {
      cwd: root,
      maxBuffer: 1 << 26
    })
      .catch((e: { stdout: string; stderr: string }) => e)
    expect((tsc.stdout + tsc.stderr).split("\n").slice(0, 20).join("\n")).toBe("")
    console.log(
      `fuzz: ${RUNS} cases (seed ${SEED}): ${emitted} emitted code that typechecks, ${rejected} rejected with errors`
    )
  }, 600_000)
})
