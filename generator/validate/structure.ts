/**
 * Structural validation: the document against the JSON Schema of its Arazzo line (the OAI's
 * maintained v1.0-dev and v1.1-dev schemas, draft 2020-12; `arazzo: 1.1.x` picks 1.1, anything
 * else 1.0, whose version pattern then says what is wrong), each problem reported where it is,
 * in document terms.
 *
 * Ajv with `allErrors` reports every failing branch of every `oneOf`/`anyOf`, so the raw error
 * list is rebuilt into a tree first: the errors a failed `oneOf`/`anyOf` reported for its
 * branches are the ones just before it, at or below its value, whose schema is reachable from
 * one of its branches (ajv emits branch errors contiguously, right before the combinator's own).
 * A failed combinator then becomes either one message ("needs one of `operationId`,
 * `operationPath` or `workflowId`") or the findings of the branch that got furthest.
 */
import type { ErrorObject } from "ajv/dist/2020.js"
import { decodePointerToken, isObject } from "../../runtime/core/json.js"
import { type Diagnostic, sortDiagnostics } from "../diagnostics.js"
import type { Path, SourceText } from "../load/yaml.js"
import { closest } from "../suggest.js"
import type { SchemaLine } from "./schema-source.js"
import { type CompiledSchema, loadCompiledSchema, metaSchemas } from "./schema-validator.js"
import { unknownKeySeverity } from "./unknown-keys.js"

/** Every structural problem in the document; none when it has no value (it did not parse). */
export const validateStructure = (source: SourceText): Array<Diagnostic> => {
  try {
    if (source.value === undefined) return []
    const engine = getEngine(schemaLineOf(source.value))
    if (engine.validate(source.value)) return []
    const findings = findingsOf(engine, source.value, engine.validate.errors ?? [])
    const seen = new Set<string>()
    const diagnostics: Array<Diagnostic> = []
    for (const finding of findings) {
      const { severity, code, message } = unknownKeySeverity(finding) // metadata keys warn: unknown-keys.ts
      const d = source.diagnostic(finding.path, severity, code, message)
      const key = `${d.line}:${d.column}:${d.code}:${d.message}`
      if (seen.has(key)) continue
      seen.add(key)
      diagnostics.push(d)
    }
    return sortDiagnostics(diagnostics)
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    return [{
      file: source.file,
      line: 1,
      column: 1,
      severity: "error",
      code: "structure-internal",
      message: `the document could not be checked against the Arazzo schema: ${detail}`
    }]
  }
}

// ---------------------------------------------------------------------------------------------
// The schema's compiled validator (./schema-validator.ts), and what is known about its nodes.

type JsonObject = Record<string, unknown>

interface Engine {
  readonly line: SchemaLine
  readonly validate: CompiledSchema["validate"]
  /** The `$defs` name of the definition a schema node belongs to; `""` for the document root. */
  readonly defOf: (node: unknown) => string | undefined
  /** Every schema node evaluation of `node` can reach, through `$ref`s. */
  readonly reach: (node: unknown) => ReadonlySet<object>
  /** The property names (and property patterns) `node` declares, through `$ref`s and applicators. */
  readonly declared: (
    node: unknown
  ) => { readonly names: ReadonlyArray<string>; readonly patterns: ReadonlyArray<string> }
  /** The schema nodes a `$ref` in `from` points at. */
  readonly resolve: (from: object, ref: string, dynamic: boolean) => ReadonlyArray<object>
}

export type { SchemaLine } from "./schema-source.js"

/** The schema a document is checked against: its `arazzo` version's line; 1.0 when it names none. */
export const schemaLineOf = (value: unknown): SchemaLine =>
  isObject(value) && typeof value["arazzo"] === "string" && /^1\.1\./.test(value["arazzo"]) ? "1.1" : "1.0"

const engines = new Map<SchemaLine, Engine>()
const getEngine = (line: SchemaLine): Engine => {
  let built = engines.get(line)
  if (built === undefined) {
    built = buildEngine(line)
    engines.set(line, built)
  }
  return built
}

const isRecord = isObject

/** Members of a schema that hold data, not subschemas. */
const dataKeys = new Set(["enum", "const", "default", "examples", "required", "$comment", "description"])
/** Members of a schema that map names to subschemas (whose names can be `required`, `description`, …). */
const mapKeys = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"])

/** What inside `node` can hold subschemas: `[value, is a map of subschemas]`. */
const children = (node: object, isMap: boolean): Array<readonly [unknown, boolean]> =>
  Array.isArray(node)
    ? node.map((value: unknown) => [value, false] as const)
    : Object.entries(node).flatMap(([key, value]) =>
      isMap ? [[value, false] as const] : dataKeys.has(key) ? [] : [[value, mapKeys.has(key)] as const]
    )

const buildEngine = (line: SchemaLine): Engine => {
  const compiled = loadCompiledSchema(line)
  const { validate } = compiled
  const schema = compiled.documents[compiled.rootUrl] as JsonObject
  const nestedExpressionType = compiled.nested?.reduce<unknown>(
    (node, key) => (isRecord(node) || Array.isArray(node) ? (node as JsonObject)[key] : undefined),
    schema
  )

  // Which definition each node belongs to (walking without following `$ref`s).
  const defs = new WeakMap<object, string>()
  const markDef = (node: unknown, name: string): void => {
    walkNodes(node, (n) => {
      if (!defs.has(n)) defs.set(n, name)
    })
  }
  markDef(nestedExpressionType, "criterion-expression-type-object")
  for (const [name, def] of Object.entries(schema["$defs"] as JsonObject)) markDef(def, name)
  markDef(schema, "")

  // Base URIs, documents and anchors, for resolving `$ref`s inside schema and meta-schemas.
  const baseOf = new WeakMap<object, string>()
  const documents = new Map<string, object>()
  const anchors = new Map<string, Array<object>>()
  const dynamicAnchors = new Map<string, Array<object>>()
  const push = (map: Map<string, Array<object>>, key: string, node: object) => {
    const list = map.get(key)
    if (list) list.push(node)
    else map.set(key, [node])
  }
  const index = (root: object, url: string): void => {
    const visit = (node: unknown, base: string, isMap: boolean): void => {
      if (typeof node !== "object" || node === null || baseOf.has(node)) return
      if (Array.isArray(node) || isMap) {
        baseOf.set(node, base)
        for (const [child, childIsMap] of children(node, isMap)) visit(child, base, childIsMap)
        return
      }
      if (!isRecord(node)) return
      let here = base
      const id = node["$id"]
      if (typeof id === "string") {
        here = withoutFragment(new URL(id, base).href)
        if (!documents.has(here)) documents.set(here, node)
      }
      baseOf.set(node, here)
      if (typeof node["$anchor"] === "string") push(anchors, `${here}#${node["$anchor"]}`, node)
      if (typeof node["$dynamicAnchor"] === "string") {
        push(anchors, `${here}#${node["$dynamicAnchor"]}`, node)
        push(dynamicAnchors, node["$dynamicAnchor"], node)
      }
      for (const [child, childIsMap] of children(node, false)) visit(child, here, childIsMap)
    }
    if (!documents.has(url)) documents.set(url, root)
    visit(root, url, false)
  }
  const documentAt = (url: string): object | undefined => {
    const known = documents.get(url)
    if (known) return known
    const loaded = Object.hasOwn(compiled.documents, url) ? compiled.documents[url] : undefined
    if (typeof loaded !== "object" || loaded === null) return undefined
    index(loaded, url)
    return loaded
  }
  index(schema, compiled.rootUrl)
  for (const url of metaSchemas) documentAt(url)

  const resolve = (from: object, ref: string, dynamic: boolean): ReadonlyArray<object> => {
    const base = baseOf.get(from)
    if (base === undefined) return []
    let url: URL
    try {
      url = new URL(ref, base)
    } catch {
      return []
    }
    const fragment = decodeURIComponent(url.hash.slice(1))
    const document = documentAt(withoutFragment(url.href))
    if (document === undefined) return []
    if (fragment === "") return [document]
    if (fragment.startsWith("/")) {
      const target = fragment
        .slice(1)
        .split("/")
        .map(decodePointerToken)
        .reduce<unknown>(
          (node, key) => (isRecord(node) || Array.isArray(node) ? (node as JsonObject)[key] : undefined),
          document
        )
      return typeof target === "object" && target !== null ? [target] : []
    }
    if (dynamic) return dynamicAnchors.get(fragment) ?? anchors.get(`${withoutFragment(url.href)}#${fragment}`) ?? []
    return anchors.get(`${withoutFragment(url.href)}#${fragment}`) ?? []
  }

  const reaches = new Map<object, ReadonlySet<object>>()
  const reach = (start: unknown): ReadonlySet<object> => {
    if (typeof start !== "object" || start === null) return new Set()
    const cached = reaches.get(start)
    if (cached) return cached
    const seen = new Set<object>()
    const stack: Array<readonly [object, boolean]> = [[start, false]]
    while (stack.length > 0) {
      const [node, isMap] = stack.pop()!
      if (seen.has(node)) continue
      seen.add(node)
      if (!isMap && isRecord(node)) {
        for (const key of ["$ref", "$dynamicRef"] as const) {
          const ref = node[key]
          if (typeof ref === "string") {
            for (const target of resolve(node, ref, key === "$dynamicRef")) stack.push([target, false])
          }
        }
      }
      for (const [child, childIsMap] of children(node, isMap)) {
        if (typeof child === "object" && child !== null) stack.push([child, childIsMap])
      }
    }
    reaches.set(start, seen)
    return seen
  }

  const declared = (start: unknown) => {
    const names: Array<string> = []
    const patterns: Array<string> = []
    const seen = new Set<object>()
    const visit = (node: unknown): void => {
      if (!isRecord(node) || seen.has(node)) return
      seen.add(node)
      if (isRecord(node["properties"])) {
        for (const name of Object.keys(node["properties"])) if (!names.includes(name)) names.push(name)
      }
      if (isRecord(node["patternProperties"])) {
        for (const p of Object.keys(node["patternProperties"])) if (!patterns.includes(p)) patterns.push(p)
      }
      for (const key of ["$ref", "$dynamicRef"] as const) {
        const ref = node[key]
        if (typeof ref === "string") { for (const target of resolve(node, ref, key === "$dynamicRef")) visit(target) }
      }
      for (const key of ["allOf", "anyOf", "oneOf"]) {
        const list = node[key]
        if (Array.isArray(list)) { for (const branch of list) visit(branch) }
      }
      for (const key of ["if", "then", "else"]) visit(node[key])
      if (isRecord(node["dependentSchemas"])) { for (const s of Object.values(node["dependentSchemas"])) visit(s) }
    }
    visit(start)
    return { names, patterns }
  }

  return {
    line,
    validate,
    defOf: (node) => (typeof node === "object" && node !== null ? defs.get(node) : undefined),
    reach,
    declared,
    resolve
  }
}

const withoutFragment = (url: string): string => {
  const hash = url.indexOf("#")
  return hash === -1 ? url : url.slice(0, hash)
}

/** Every schema (and list or map of schemas) inside `node`, itself included, not following `$ref`s. */
const walkNodes = (node: unknown, f: (node: object) => void, isMap = false): void => {
  if (typeof node !== "object" || node === null) return
  f(node)
  for (const [child, childIsMap] of children(node, isMap)) walkNodes(child, f, childIsMap)
}

// ---------------------------------------------------------------------------------------------
// Ajv's flat error list as a tree of combinator groups.

interface Leaf {
  readonly kind: "leaf"
  readonly error: ErrorObject
  readonly path: Path
}

interface Group {
  readonly kind: "group"
  readonly error: ErrorObject
  readonly path: Path
  /** The branch schemas, and the errors each reported. */
  readonly schemas: ReadonlyArray<unknown>
  readonly branches: ReadonlyArray<ReadonlyArray<Item>>
  /** Every node the branches reach. */
  readonly reach: ReadonlySet<object>
}

type Item = Leaf | Group

interface Finding {
  readonly path: Path
  readonly code: string
  readonly message: string
}

/**
 * Which branch each error of a combinator came from. Ajv evaluates branches in order and every
 * failing branch reports at least one error, so the run splits into one non-empty, contiguous
 * segment per failing branch, each error in a branch that can reach its schema. That settles
 * errors several branches could have reported (two branches sharing a `$ref`). When no such
 * split exists (a `$ref` that could not be followed), an error goes to every branch it fits.
 */
const assignBranches = (
  run: ReadonlyArray<{ readonly item: Item; readonly hits: ReadonlyArray<number> }>,
  failing: ReadonlyArray<number>,
  count: number
): Array<Array<Item>> => {
  const branches = Array.from({ length: count }, () => [] as Array<Item>)
  const m = run.length
  const n = failing.length
  // ok[i][k]: errors i… can be split with error i in failing branch k and branches k… all used.
  const ok = Array.from({ length: m + 1 }, () => new Array<boolean>(n + 1).fill(false))
  for (let i = m - 1; i >= 0; i--) {
    for (let k = 0; k < n; k++) {
      if (!run[i]!.hits.includes(failing[k]!)) continue
      ok[i]![k] = i === m - 1 ? k === n - 1 : ok[i + 1]![k]! || ok[i + 1]![k + 1]!
    }
  }
  if (m > 0 && n > 0 && ok[0]![0]) {
    let k = 0
    for (let i = 0; i < m; i++) {
      if (i > 0 && !(run[i]!.hits.includes(failing[k]!) && ok[i]![k])) k++
      branches[failing[k]!]!.push(run[i]!.item)
    }
    return branches
  }
  for (const { item, hits } of run) for (const j of hits) branches[j]!.push(item)
  return branches
}

/** An `if` whose only test is on properties the value does not have. */
const vacuousCondition = (error: ErrorObject): boolean => {
  const condition = isRecord(error.parentSchema) ? error.parentSchema["if"] : undefined
  if (!isRecord(condition) || !isRecord(error.data)) return false
  const tested = condition["properties"]
  if (!isRecord(tested) || Object.keys(condition).some((k) => k !== "properties")) return false
  const data = error.data
  return Object.keys(tested).every((name) => !(name in data))
}

/** A JSON Pointer into `root` as a path: `~1`/`~0` decoded, array indexes as numbers (member names stay strings). */
const pointerToPath = (root: unknown, pointer: string): Path => {
  if (pointer === "") return []
  const path: Array<string | number> = []
  let value = root
  for (const raw of pointer.slice(1).split("/")) {
    const segment = decodePointerToken(raw)
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(segment)) {
      path.push(Number(segment))
      value = value[Number(segment)]
    } else {
      path.push(segment)
      value = isRecord(value) ? value[segment] : undefined
    }
  }
  return path
}

const isPrefix = (prefix: Path, path: Path): boolean =>
  prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]))

const buildTree = (engine: Engine, root: unknown, errors: ReadonlyArray<ErrorObject>): Array<Item> => {
  const stack: Array<Item> = []
  for (const error of errors) {
    const path = pointerToPath(root, error.instancePath)
    // `if` and `propertyNames` only restate the errors reported just before them.
    if (error.keyword === "propertyNames") continue
    if (error.keyword === "if") {
      if (vacuousCondition(error)) {
        // `if: { properties: { type: { const: goto } } }` holds when there is no `type` at all;
        // what its `then` asks for then is noise next to the missing `type`.
        const then = engine.reach(isRecord(error.parentSchema) ? error.parentSchema["then"] : undefined)
        for (;;) {
          const top = stack[stack.length - 1]
          if (
            top === undefined || !isPrefix(path, top.path) || top.error.parentSchema === undefined ||
            !then.has(top.error.parentSchema)
          ) break
          stack.pop()
        }
      }
      continue
    }
    if ((error.keyword === "oneOf" || error.keyword === "anyOf") && Array.isArray(error.schema)) {
      const schemas: ReadonlyArray<unknown> = error.schema
      const reaches = schemas.map((branch) => engine.reach(branch))
      const run: Array<{ readonly item: Item; readonly hits: ReadonlyArray<number> }> = []
      for (;;) {
        const top = stack[stack.length - 1]
        if (top === undefined || !isPrefix(path, top.path)) break
        const owner = top.error.parentSchema
        const hits = reaches.flatMap((r, j) => (owner !== undefined && r.has(owner) ? [j] : []))
        if (hits.length === 0) break
        stack.pop()
        run.unshift({ item: top, hits })
      }
      const passing = param(error, "passingSchemas")
      const failing = schemas.flatMap((_, j) => (Array.isArray(passing) && passing.includes(j) ? [] : [j]))
      const branches = assignBranches(run, failing, schemas.length)
      const reach = new Set<object>()
      for (const r of reaches) for (const node of r) reach.add(node)
      stack.push({ kind: "group", error, path, schemas, branches, reach })
    } else {
      stack.push({ kind: "leaf", error, path })
    }
  }
  return stack
}

// ---------------------------------------------------------------------------------------------
// From the tree to findings.

const findingsOf = (engine: Engine, root: unknown, errors: ReadonlyArray<ErrorObject>): Array<Finding> => {
  const items = buildTree(engine, root, errors)
  const groups: Array<Group> = []
  const collectGroups = (list: ReadonlyArray<Item>) => {
    for (const item of list) {
      if (item.kind !== "group") continue
      groups.push(item)
      for (const branch of item.branches) collectGroups(branch)
    }
  }
  collectGroups(items)
  const ctx: Context = { engine, root, groups }
  return items.flatMap((item) => collapse(ctx, item))
}

interface Context {
  readonly engine: Engine
  readonly root: unknown
  readonly groups: ReadonlyArray<Group>
}

const param = (error: ErrorObject, name: string): unknown => (error.params as JsonObject)[name]

const collapse = (ctx: Context, item: Item): Array<Finding> => {
  if (item.kind === "leaf") {
    const finding = leafFinding(ctx, item)
    return finding === undefined ? [] : [finding]
  }
  return groupFindings(ctx, item)
}

/**
 * A property the schema does not evaluate because a failed `oneOf`/`anyOf` branch would have
 * (the criterion `type` when its value is wrong) is a consequence, not a second problem.
 */
const isCascadeProperty = (ctx: Context, leaf: Leaf, property: string): boolean =>
  ctx.groups.some((group) =>
    group.path.length === leaf.path.length &&
    isPrefix(group.path, leaf.path) &&
    !(leaf.error.parentSchema !== undefined && group.reach.has(leaf.error.parentSchema)) &&
    group.schemas.some((branch) => ctx.engine.declared(branch).names.includes(property))
  )

const requiredOnly = (branch: unknown): string | undefined => {
  if (!isRecord(branch)) return undefined
  const required = branch["required"]
  if (!Array.isArray(required) || required.length !== 1 || typeof required[0] !== "string") return undefined
  return Object.keys(branch).every((k) => k === "required" || k === "description" || k === "$comment")
    ? required[0]
    : undefined
}

const groupFindings = (ctx: Context, group: Group): Array<Finding> => {
  const { error, path } = group
  const where = describePath(ctx.root, path)
  const code = codeOf(error.keyword)
  const passing = param(error, "passingSchemas")
  const tooMany = Array.isArray(passing) && passing.length > 1
  const properties = group.schemas.map(requiredOnly)
  if (properties.every((p): p is string => p !== undefined)) {
    const hint = requiredHint(properties, error.data)
    if (tooMany) {
      const present = passing.map((j) => properties[Number(j)]).filter((p): p is string => p !== undefined)
      return [{
        path,
        code,
        message: `${where} has ${joinAnd(present.map(tick))}; it needs exactly one of ${
          joinOr(properties.map(tick))
        }${hint}`
      }]
    }
    const amount = error.keyword === "oneOf" ? "one of" : "at least one of"
    return [{ path, code, message: `${where} needs ${amount} ${joinOr(properties.map(tick))}${hint}` }]
  }
  const special = stepKindFinding(ctx, group) ?? patternsFinding(group)
  if (special !== undefined) return [special]
  const alternatives = joinOr(group.schemas.map((s, j) => alternativeName(ctx, s, j)))
  if (tooMany) {
    return [{ path, code, message: `${where} matches more than one of ${alternatives}; it must match exactly one` }]
  }
  const scored = group.branches
    .map((items, j) => ({ items, j, score: branchScore(items, path) }))
    .filter((b) => b.items.length > 0)
    .sort((a, b) => a.score - b.score || a.j - b.j)
  const best = scored[0]
  if (best === undefined || best.score >= 100) {
    return [{ path, code, message: `${where} must be ${alternatives} (got ${describeValue(error.data)})` }]
  }
  const findings = best.items.flatMap((item) => collapse(ctx, item))
  return findings.length > 0 ? findings : [{ path, code, message: `${where} must be ${alternatives}` }]
}

/** The members that say what a 1.1 step calls; its kind (OpenAPI, AsyncAPI, workflow) follows from them. */
const stepTargets = ["operationId", "operationPath", "channelPath", "workflowId"]

/**
 * A 1.1 step is one of three kinds, told apart by what it calls: when it names none of them, the
 * branch that got furthest would only speak of OpenAPI; the step needs one of all of them.
 */
const stepKindFinding = (ctx: Context, group: Group): Finding | undefined => {
  if (group.error.keyword !== "oneOf" || !isRecord(group.error.data)) return undefined
  const kinds = group.schemas.map((s) => {
    const ref = isRecord(s) ? s["$ref"] : undefined
    return typeof ref === "string" ? ctx.engine.defOf(ctx.engine.resolve(s as object, ref, false)[0]) : undefined
  })
  if (!kinds.includes("openapi-step-object") || !kinds.includes("workflow-step-object")) return undefined
  const data = group.error.data
  if (stepTargets.some((t) => t in data)) return undefined
  return {
    path: group.path,
    code: codeOf(group.error.keyword),
    message: `${
      describePath(ctx.root, group.path)
    } needs one of \`operationId\`, \`operationPath\` or \`workflowId\` (or, for an AsyncAPI step, \`channelPath\`): a step calls exactly one operation or workflow`
  }
}

/** A string that matches none of several patterns (a 1.1 `dependsOn` entry): one message naming every form. */
const patternsFinding = (group: Group): Finding | undefined => {
  const { error } = group
  if (error.keyword !== "oneOf" || typeof error.data !== "string") return undefined
  const patterns = group.schemas.map((
    s
  ) => (isRecord(s) && typeof s["pattern"] === "string" ? s["pattern"] : undefined))
  if (patterns.some((p) => p === undefined)) return undefined
  const dependsOn = group.path.includes("dependsOn")
  const forms = dependsOn
    ? "a stepId of this workflow, `$workflows.<workflowId>.steps.<stepId>` or `$sourceDescriptions.<name>.<workflowId>.steps.<stepId>`"
    : joinOr(patterns.map((p) => tick(String(p))))
  return {
    path: group.path,
    code: "structure-pattern",
    message: `${dependsOn ? `\`dependsOn\` entry` : "the value"} ${show(error.data)} must be ${
      dependsOn ? "" : "a string matching "
    }${forms}`
  }
}

const requiredHint = (properties: ReadonlyArray<string>, data: unknown): string => {
  const set = new Set(properties)
  if (set.has("operationId") && set.has("operationPath") && set.has("workflowId")) {
    return " (a step calls exactly one operation or workflow)"
  }
  if (set.has("workflowId") && set.has("stepId") && isRecord(data) && data["type"] === "goto") {
    return " (a `goto` action says where to go)"
  }
  return ""
}

/** Lower is closer: how far a branch got before failing. */
const branchScore = (items: ReadonlyArray<Item>, at: Path): number =>
  items.reduce((sum, item) => sum + itemScore(item, at), 0)

const itemScore = (item: Item, at: Path): number => {
  const top = item.path.length === at.length
  if (item.kind === "group") {
    if (isRequiredOnly(item)) return top ? 5 : 1
    const best = Math.min(...item.branches.map((b) => (b.length === 0 ? Infinity : branchScore(b, item.path))))
    const score = Number.isFinite(best) ? best : 5
    return top ? score : Math.min(score, 3)
  }
  const { error } = item
  switch (error.keyword) {
    case "type":
      return top ? 100 : 3
    case "enum":
    case "const":
      return enumKindMismatch(error) ? (top ? 100 : 3) : top ? 50 : 1
    case "unevaluatedProperties":
    case "additionalProperties":
      return top ? 10 : 1
    case "required":
      return top ? 5 : 1
    default:
      return 1
  }
}

const isRequiredOnly = (group: Group): boolean => group.schemas.every((s) => requiredOnly(s) !== undefined)

const jsonType = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "array" : typeof value

/** An `enum`/`const` whose allowed values are all of another kind than the value: a type error really. */
const enumKindMismatch = (error: ErrorObject): boolean => {
  const allowed = error.keyword === "const" ? [param(error, "allowedValue")] : param(error, "allowedValues")
  if (!Array.isArray(allowed)) return false
  const kind = jsonType(error.data)
  return !allowed.some((a) => jsonType(a) === kind)
}

const alternativeName = (ctx: Context, schema: unknown, j: number): string => {
  if (isRecord(schema)) {
    const ref = schema["$ref"]
    if (typeof ref === "string") {
      const target = ctx.engine.resolve(schema, ref, false)[0]
      const def = ctx.engine.defOf(target)
      if (def !== undefined && def !== "") return article(kindName(def))
      if (target !== undefined && target !== schema) return alternativeName(ctx, target, j)
    }
    const type = schema["type"]
    if (typeof type === "string" || Array.isArray(type)) return joinOr(typeNames(type).map(article))
    if (Array.isArray(schema["enum"])) return `one of ${joinOr(schema["enum"].map(show))}`
  }
  return `alternative ${j + 1}`
}

// ---------------------------------------------------------------------------------------------
// One ajv error, said in document terms.

const leafFinding = (ctx: Context, leaf: Leaf): Finding | undefined => {
  const { error, path } = leaf
  const where = describePath(ctx.root, path)
  const code = codeOf(error.keyword)
  switch (error.keyword) {
    case "required": {
      const property = String(param(error, "missingProperty"))
      return { path, code, message: `${where} needs ${tick(property)}${missingHint(ctx.engine.line, path, property)}` }
    }
    case "unevaluatedProperties":
    case "additionalProperties": {
      const property = String(
        param(error, error.keyword === "unevaluatedProperties" ? "unevaluatedProperty" : "additionalProperty")
      )
      if (isCascadeProperty(ctx, leaf, property)) return undefined
      return { path: [...path, property], code, message: unexpectedProperty(ctx, error, path, property) }
    }
    case "type": {
      const expected = typeNames(param(error, "type"))
      if (path.length === 0) {
        return {
          path,
          code,
          message:
            `an Arazzo document must be an object with \`arazzo\`, \`info\`, \`sourceDescriptions\` and \`workflows\` (got ${
              describeValue(error.data)
            })`
        }
      }
      return {
        path,
        code,
        message: `${where} must be ${joinOr(expected.map(article))} (got ${describeValue(error.data)})`
      }
    }
    case "pattern": {
      const pattern = String(param(error, "pattern"))
      if (error.propertyName !== undefined) {
        return {
          path: [...path, error.propertyName],
          code: "structure-property-names",
          message: `the name ${tick(error.propertyName)} in ${where} must match ${pattern}${patternHint(pattern)}`
        }
      }
      return { path, code, message: `${where} must match ${pattern} (got ${show(error.data)})${patternHint(pattern)}` }
    }
    case "enum": {
      const allowed = param(error, "allowedValues")
      const values = Array.isArray(allowed) ? allowed : []
      const suggestion = typeof error.data === "string"
        ? suggest(error.data, values.filter((v): v is string => typeof v === "string"))
        : undefined
      const mean = suggestion === undefined ? "" : `; did you mean ${tick(suggestion)}?`
      return {
        path,
        code,
        message: `${where} must be one of ${joinOr(values.map(show))} (got ${show(error.data)}${mean})`
      }
    }
    case "const":
      return { path, code, message: `${where} must be ${show(param(error, "allowedValue"))} (got ${show(error.data)})` }
    case "minItems": {
      const limit = Number(param(error, "limit"))
      return {
        path,
        code,
        message: limit === 1 ? `${where} must not be empty` : `${where} must have at least ${limit} items`
      }
    }
    case "uniqueItems": {
      const i = Number(param(error, "i"))
      const j = Number(param(error, "j"))
      return {
        path: [...path, i],
        code,
        message: `${where} has two identical items (${Math.min(i, j) + 1} and ${
          Math.max(i, j) + 1
        }); its items must be unique`
      }
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return {
        path,
        code,
        message: `${where} must be ${String(param(error, "comparison"))} ${String(param(error, "limit"))} (got ${
          show(error.data)
        })`
      }
    case "dependentRequired": {
      const property = String(param(error, "property"))
      const missing = String(param(error, "missingProperty"))
      return { path, code, message: `${where} has ${tick(property)}, so it needs ${tick(missing)} too` }
    }
    case "format":
      return {
        path,
        code,
        message: `${where} must be a valid ${String(param(error, "format"))} (got ${show(error.data)})`
      }
    default:
      return { path, code, message: `${where} ${error.message ?? "is invalid"}` }
  }
}

const codeOf = (keyword: string): string => {
  if (keyword === "unevaluatedProperties" || keyword === "additionalProperties") return "structure-additional-property"
  return `structure-${keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}

const missingHint = (line: SchemaLine, path: Path, property: string): string => {
  if (property === "in" && path.includes("parameters")) {
    const places = line === "1.0"
      ? "`path`, `query`, `header` or `cookie`"
      : "`path`, `query`, `querystring`, `header`, `cookie` or `channel`"
    return ` (a parameter of a step that calls an operation says where it goes: ${places})`
  }
  if (property === "action" && line === "1.1") {
    return " (an AsyncAPI step says whether it does `send` or `receive`; `channelPath` and `correlationId` belong to AsyncAPI steps)"
  }
  return ""
}

const patternHint = (pattern: string): string => {
  if (pattern.startsWith("^1\\.0\\.") || pattern.startsWith("^1\\.1\\.")) {
    return "; this is an Arazzo 1.0.x or 1.1.x version such as `1.0.1` or `1.1.0`"
  }
  if (pattern === "^[A-Za-z0-9_\\-]+$") return "; only letters, digits, `_` and `-` are allowed"
  if (pattern === "^[a-zA-Z0-9\\.\\-_]+$") return "; only letters, digits, `.`, `-` and `_` are allowed"
  return ""
}

const unexpectedProperty = (ctx: Context, error: ErrorObject, path: Path, property: string): string => {
  const owner = error.parentSchema
  const def = ctx.engine.defOf(owner)
  const kind = def === undefined ? "JSON Schema" : def === "" ? "Arazzo document" : kindName(def)
  const { names, patterns } = ctx.engine.declared(owner)
  const extensions = patterns.includes("^x-")
  const container = path.length === 0 ? "the document" : describePath(ctx.root, path)
  const base = `unexpected property ${tick(property)} in ${container}`
  const suggestion = suggest(property, names)
  if (suggestion !== undefined) return `${base}, ${article(kind)} (did you mean ${tick(suggestion)}?)`
  if (/^x[-_]/i.test(property) && extensions) {
    return `${base}, ${article(kind)} (extensions must start with lowercase \`x-\`)`
  }
  const shown = names.length <= 14 ? names.map(tick) : [...names.slice(0, 13).map(tick), "…"]
  const listed = joinAnd(extensions ? [...shown, "`x-` extensions"] : shown)
  const tail = extensions || names.length === 0 ? "" : "; no `x-` extensions here"
  return `${base}, ${article(kind)} (it takes ${listed === "" ? "no properties" : listed}${tail})`
}

const kindNames: Record<string, string> = {
  info: "Info object",
  "source-description-object": "Source Description object",
  "workflow-object": "Workflow object",
  "step-object": "Step object",
  "request-body-object": "Request Body object",
  "criterion-object": "Criterion object",
  "criterion-expression-type-object": "Criterion Expression Type object",
  "success-action-object": "Success Action object",
  "failure-action-object": "Failure Action object",
  "reusable-object": "Reusable object",
  "parameter-object": "Parameter object",
  "payload-replacement-object": "Payload Replacement object",
  "components-object": "Components object",
  "openapi-step-object": "OpenAPI step",
  "asyncapi-step-object": "AsyncAPI step",
  "workflow-step-object": "workflow step",
  "step-object-base": "Step object",
  "expression-type-object": "Expression Type object",
  "selector-object": "Selector object",
  "selector-type": "selector type",
  schema: "JSON Schema"
}

const kindName = (def: string): string =>
  kindNames[def] ??
    `${def.replace(/-object$/, "").split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ")} object`

const typeNames = (type: unknown): Array<string> => Array.isArray(type) ? type.map(String) : String(type).split(",")

const article = (noun: string): string =>
  noun === "null" ? "null" : `${/^[aeiouAEIOU]/.test(noun) ? "an" : "a"} ${noun}`

const tick = (text: string): string => `\`${text}\``

const show = (value: unknown): string => {
  if (typeof value === "string") return tick(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (value === null || typeof value === "number" || typeof value === "boolean") return tick(String(value))
  return describeValue(value)
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  if (typeof value === "object") return "an object"
  return `${article(typeof value)} ${show(value)}`
}

const joinWith = (word: string) => (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`
const joinOr = joinWith("or")
const joinAnd = joinWith("and")

/** The closest candidate: a case-only difference, or a small edit distance. */
const suggest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const lower = word.toLowerCase()
  const exact = candidates.find((c) => c.toLowerCase() === lower)
  if (exact !== undefined) return exact
  const digitless = lower.replace(/\d/g, "")
  // `xpath-40` is not a typo of `xpath-10`.
  const sameButDigits = (candidate: string) => candidate.toLowerCase().replace(/\d/g, "") === digitless
  return closest(word, candidates, Math.max(1, Math.min(3, Math.floor(word.length / 3))), sameButDigits)
}

// ---------------------------------------------------------------------------------------------
// Paths in document terms: "step `get-pet` of workflow `buy-pet`", "`info.title`".

interface Frame {
  /** What the items are called. */
  readonly noun: string
  /** The member that names an item. */
  readonly id?: string
  /** The frames inside an item. */
  readonly inside: string
  /** Items keyed by name (a map) rather than listed (an array). */
  readonly map?: boolean
}

const frames: Record<string, Record<string, Frame>> = {
  document: {
    workflows: { noun: "workflow", id: "workflowId", inside: "workflow" },
    sourceDescriptions: { noun: "source description", id: "name", inside: "none" }
  },
  components: {
    parameters: { noun: "component parameter", inside: "none", map: true },
    successActions: { noun: "component success action", inside: "action", map: true },
    failureActions: { noun: "component failure action", inside: "action", map: true },
    inputs: { noun: "component input schema", inside: "none", map: true }
  },
  workflow: {
    steps: { noun: "step", id: "stepId", inside: "step" },
    successActions: { noun: "success action", id: "name", inside: "action" },
    failureActions: { noun: "failure action", id: "name", inside: "action" },
    parameters: { noun: "parameter", id: "name", inside: "none" }
  },
  step: {
    parameters: { noun: "parameter", id: "name", inside: "none" },
    successCriteria: { noun: "success criterion", inside: "none" },
    onSuccess: { noun: "onSuccess action", id: "name", inside: "action" },
    onFailure: { noun: "onFailure action", id: "name", inside: "action" }
  },
  action: {
    criteria: { noun: "criterion", inside: "none" }
  }
}

const describePath = (root: unknown, path: Path): string => {
  if (path.length === 0) return "the document"
  const labels: Array<string> = []
  let scope = "document"
  let value: unknown = root
  let i = 0
  while (i < path.length) {
    const segment = path[i]!
    if (scope === "document" && segment === "components" && isRecord(value) && path.length > i + 2) {
      const frame = frames["components"]![String(path[i + 1])]
      const container = isRecord(value["components"]) ? value["components"][String(path[i + 1])] : undefined
      if (frame !== undefined && isRecord(container)) {
        const key = String(path[i + 2])
        labels.push(`${frame.noun} ${tick(key)}`)
        value = container[key]
        scope = frame.inside
        i += 3
        continue
      }
    }
    const frame = frames[scope]?.[String(segment)]
    const list = isRecord(value) ? value[String(segment)] : undefined
    const index = path[i + 1]
    if (frame === undefined || frame.map === true || !Array.isArray(list) || typeof index !== "number") break
    const item: unknown = list[index]
    const id = frame.id === undefined || !isRecord(item) ? undefined : item[frame.id]
    labels.push(typeof id === "string" && id !== "" ? `${frame.noun} ${tick(id)}` : `${frame.noun} ${index + 1}`)
    value = item
    scope = frame.inside
    i += 2
  }
  const rest = path.slice(i)
  const owners = labels.reverse().join(" of ")
  if (rest.length === 0) return owners
  const member = rest
    .map((
      s,
      k
    ) => (typeof s === "number"
      ? `[${s}]`
      : /^[A-Za-z_$][\w$-]*$/.test(s)
      ? `${k === 0 ? "" : "."}${s}`
      : `[${JSON.stringify(s)}]`)
    )
    .join("")
  return owners === "" ? tick(member) : `${tick(member)} of ${owners}`
}
