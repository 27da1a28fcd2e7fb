/**
 * Reading and comparing values the way Arazzo criteria mean it. The generator compiles every
 * condition into calls of these functions; nothing here parses document text.
 */

/** One step into a value: an object member or an array index (JSON Pointer tokens are strings). */
export type Segment = string | number

/** Walks into a JSON value; `undefined` when any step is missing. */
export const at = (value: unknown, path: ReadonlyArray<Segment>): unknown => {
  let current = value
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = typeof segment === "number" ? segment : arrayIndex(segment)
      current = index === undefined ? undefined : current[index]
    } else if (current !== null && typeof current === "object") {
      const key = String(segment)
      current = Object.prototype.hasOwnProperty.call(current, key)
        ? (current as Record<string, unknown>)[key]
        : undefined
    } else {
      return undefined
    }
  }
  return current
}

/**
 * `path` of each item of an array (what a document's `list[*].id` selects); `undefined` when the
 * value is not an array. Items without the member give `undefined` in their place.
 */
export const each = (value: unknown, path: ReadonlyArray<Segment>): Array<unknown> | undefined =>
  Array.isArray(value) ? value.map((item) => at(item, path)) : undefined

/** One collator for every comparison: `localeCompare` with options builds a new one per call. */
const caseInsensitive = new Intl.Collator(undefined, { sensitivity: "accent" })

const arrayIndex = (token: string): number | undefined => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined)

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return value
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value)
  return undefined
}

/**
 * Loose equality of simple conditions: strings compare case-insensitively, a number equals a
 * numeric string, a boolean equals `"true"`/`"false"`, and `null` equals a missing value.
 */
export const equal = (left: unknown, right: unknown): boolean => {
  if (left === undefined || left === null || right === undefined || right === null) {
    return (left ?? null) === (right ?? null)
  }
  if (typeof left === "string" && typeof right === "string") {
    return caseInsensitive.compare(left, right) === 0
  }
  if (typeof left === "number" || typeof right === "number") {
    const l = asNumber(left)
    const r = asNumber(right)
    return l !== undefined && r !== undefined && l === r
  }
  if (typeof left === "boolean" || typeof right === "boolean") {
    return String(left).toLowerCase() === String(right).toLowerCase()
  }
  return false
}

export const notEqual = (left: unknown, right: unknown): boolean => !equal(left, right)

/** Orders two values: numbers (or numeric strings) numerically, strings case-insensitively; `undefined` when incomparable. */
const order = (left: unknown, right: unknown): number | undefined => {
  const l = asNumber(left)
  const r = asNumber(right)
  if (l !== undefined && r !== undefined) return l - r
  if (typeof left === "string" && typeof right === "string") {
    return caseInsensitive.compare(left, right)
  }
  return undefined
}

export const lessThan = (left: unknown, right: unknown): boolean => (order(left, right) ?? NaN) < 0
export const lessOrEqual = (left: unknown, right: unknown): boolean => (order(left, right) ?? NaN) <= 0
export const greaterThan = (left: unknown, right: unknown): boolean => (order(left, right) ?? NaN) > 0
export const greaterOrEqual = (left: unknown, right: unknown): boolean => (order(left, right) ?? NaN) >= 0

/** Truthiness of a bare operand: present and not `false`, `0`, `""` or `null`. */
export const truthy = (value: unknown): boolean => Boolean(value)

/**
 * `object[key]` read as an own property only: a document's input or output named like a
 * member of `Object.prototype` (`constructor`, `toString`) must not find the prototype's.
 */
export const own = <T, K extends keyof T & string>(object: T, key: K): T[K] => at(object, [key]) as T[K]

/** An array written in the document, without the items that have no value (an optional input not given). */
export const present = <A>(items: ReadonlyArray<A>): Array<Exclude<A, undefined>> =>
  items.filter((item): item is Exclude<A, undefined> => item !== undefined)

/**
 * `object[key] = value` as an own data property: assigning `__proto__` would set the object's
 * prototype instead (a response member or a document name can be called that).
 */
export const setOwn = (object: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  } else object[key] = value
}

/**
 * A value embedded in a `{$…}` template (Arazzo 1.1): a string as it is, another scalar as its
 * text, an object or array as its JSON (RFC 8259) text; no value embeds as nothing.
 */
export const embed = (value: unknown): string => {
  if (value === undefined) return ""
  if (typeof value === "string") return value
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return JSON.stringify(value) ?? ""
  }
  return String(value)
}
