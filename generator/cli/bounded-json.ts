/**
 * JSON for printing, to a bounded depth and without recursion: `JSON.stringify` overflows the
 * stack on a value nested 100,000 deep (a hostile response, kept as an output), which crashed
 * `run` after the workflow had completed. Containers below the depth limit print as a string
 * that says so; the value itself is never changed. Same output as `JSON.stringify(value,
 * replacer, indent)` otherwise (a replacer that maps values, no key lists).
 */

export interface BoundedJsonOptions {
  /** Containers nested deeper than this print as a note instead of their content. */
  readonly maxDepth: number
  /** Spaces per level; 0 for one line. */
  readonly indent?: number
  /** Maps each value before it is printed (after `toJSON`), like `JSON.stringify`'s replacer. */
  readonly replace?: (value: unknown) => unknown
  /** How to raise the limit, for the note. */
  readonly raise?: string
}

type Frame =
  & { readonly source: object; index: number; readonly depth: number }
  & (
    | { readonly kind: "array"; readonly items: ReadonlyArray<unknown> }
    | { readonly kind: "object"; readonly entries: Array<[string, unknown]> }
  )

const prepare = (value: unknown, replace: ((value: unknown) => unknown) | undefined): unknown => {
  const json =
    typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON === "function"
      ? (value as { toJSON: () => unknown }).toJSON()
      : value
  return replace === undefined ? json : replace(json)
}

/** Whether `JSON.stringify` would drop a member with this value. */
const omitted = (value: unknown) => value === undefined || typeof value === "function" || typeof value === "symbol"

export const boundedJson = (value: unknown, options: BoundedJsonOptions): string => {
  const indent = options.indent ?? 0
  const note = `[nested deeper than ${options.maxDepth} levels: not printed${
    options.raise ? `; ${options.raise}` : ""
  }]`
  const out: Array<string> = []
  const newline = (depth: number) => (indent > 0 ? `\n${" ".repeat(indent * depth)}` : "")
  const stack: Array<Frame> = []
  /** The containers being printed (a value inside itself prints as `[circular]`). */
  const seen = new Set<object>()

  /** Prints a scalar, or opens a container (pushed on the stack). */
  const open = (raw: unknown, depth: number): void => {
    const v = prepare(raw, options.replace)
    if (v === null || typeof v !== "object") {
      out.push(omitted(v) ? "null" : typeof v === "bigint" ? JSON.stringify(String(v)) : JSON.stringify(v) ?? "null")
      return
    }
    if (depth >= options.maxDepth) {
      out.push(JSON.stringify(note))
      return
    }
    if (seen.has(v)) {
      out.push(JSON.stringify("[circular]"))
      return
    }
    seen.add(v)
    if (Array.isArray(v)) {
      out.push("[")
      stack.push({ kind: "array", source: v, items: v, index: 0, depth: depth + 1 })
    } else {
      const entries = Object.entries(v).filter(([, member]) => !omitted(prepare(member, options.replace)))
      out.push("{")
      stack.push({ kind: "object", source: v, entries, index: 0, depth: depth + 1 })
    }
  }

  open(value, 0)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const length = frame.kind === "array" ? frame.items.length : frame.entries.length
    if (frame.index >= length) {
      stack.pop()
      seen.delete(frame.source)
      out.push(`${length > 0 ? newline(frame.depth - 1) : ""}${frame.kind === "array" ? "]" : "}"}`)
      continue
    }
    if (frame.index > 0) out.push(",")
    out.push(newline(frame.depth))
    if (frame.kind === "array") {
      open(frame.items[frame.index++], frame.depth)
    } else {
      const [key, member] = frame.entries[frame.index++]!
      out.push(`${JSON.stringify(key)}:${indent > 0 ? " " : ""}`)
      open(member, frame.depth)
    }
  }
  return out.join("")
}
