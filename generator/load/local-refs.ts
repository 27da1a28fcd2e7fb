/**
 * `$ref`s within one file (`#/components/…`), resolved lazily: only the parts of a description
 * a document uses (its operations) are ever resolved, so a 10,000-operation description costs
 * what its few used operations do, not a dereferenced copy of the whole file. A reference to
 * another file makes the loader resolve the whole description with json-schema-ref-parser
 * instead (references.ts), which also enforces the read policy on the files it reads.
 *
 * Resolution follows json-schema-ref-parser's `dereference` with `circular: "ignore"`: a
 * reference is replaced by what it points at (siblings of `$ref` laid over it), and a reference
 * met again inside its own target is left as `{ $ref }` (typed `unknown` downstream).
 */
import { decodePointerToken, isObject } from "../../runtime/core/json.js"

/** What one walk of a parsed description found: its `$ref` values, and whether any leaves the file. */
export interface RefSurvey {
  readonly external: boolean
  /** Local references whose target does not exist (`#/components/schemas/Missing`). */
  readonly broken: ReadonlyArray<string>
}

/** The value at a local JSON Pointer (`#/a/b~1c`), or `undefined`. */
export const atPointer = (root: unknown, ref: string): unknown => {
  if (ref === "#") return root
  if (!ref.startsWith("#/")) return undefined
  let current: unknown = root
  for (const raw of ref.slice(2).split("/")) {
    let token: string
    try {
      token = decodePointerToken(decodeURIComponent(raw))
    } catch {
      return undefined
    }
    if (Array.isArray(current)) current = /^(0|[1-9]\d*)$/.test(token) ? current[Number(token)] : undefined
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token]
    else return undefined
  }
  return current
}

/** Walks the description once: any reference to another file, and the local ones that point nowhere. */
export const surveyRefs = (root: unknown): RefSurvey => {
  const broken: Array<string> = []
  const checked = new Map<string, boolean>()
  const seen = new Set<object>()
  const stack: Array<unknown> = [root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== "object" || node === null || seen.has(node)) continue
    seen.add(node)
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item)
      continue
    }
    const ref = (node as Record<string, unknown>)["$ref"]
    if (typeof ref === "string") {
      if (!ref.startsWith("#")) return { external: true, broken }
      let found = checked.get(ref)
      if (found === undefined) checked.set(ref, found = atPointer(root, ref) !== undefined)
      if (!found) broken.push(`${ref}: missing $ref pointer`)
    }
    for (const key in node) stack.push((node as Record<string, unknown>)[key])
  }
  return { external: false, broken }
}

/**
 * A resolver for one description: `resolve(node)` is `node` with every local reference in it
 * replaced, deeply, built on first use and kept (each target is resolved once).
 */
export const localResolver = (root: unknown): (node: unknown) => unknown => {
  const done = new Map<string, unknown>()
  const resolving = new Set<string>()
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve)
    if (!isObject(node)) return node
    const ref = node["$ref"]
    if (typeof ref === "string") {
      if (resolving.has(ref)) return node // circular: left as the reference
      let target = done.get(ref)
      if (target === undefined && !done.has(ref)) {
        const raw = atPointer(root, ref)
        if (raw === undefined) return node // broken: left as the reference (counted by surveyRefs)
        resolving.add(ref)
        target = resolve(raw)
        resolving.delete(ref)
        done.set(ref, target)
      }
      const { $ref: _ref, ...siblings } = node
      return Object.keys(siblings).length === 0 || !isObject(target)
        ? target
        : { ...target, ...resolveMembers(siblings) }
    }
    return resolveMembers(node)
  }
  const resolveMembers = (node: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(node)) {
      Object.defineProperty(out, key, {
        value: resolve(node[key]),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return out
  }
  return resolve
}
