/** Identifiers for generated code: derived from document names, never colliding, never reserved. */

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await as async of type declare " +
    "arguments eval undefined NaN Infinity globalThis " +
    // Imports and parameters of generated code, and globals that must not be shadowed.
    "Arazzo Effect Schema HttpClient inputs input run response steps Blob File Response Request Error Headers URL " +
    "FormData Promise Object Array String Number Boolean Date Map Set Symbol JSON Math Record ReadonlyArray").split(" ")
)

const words = (name: string): Array<string> =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/** `blob-upload-img2img` → `BlobUploadImg2img`; a leading digit gets a `_`. */
export const pascalCase = (name: string): string => {
  const joined = words(name).map(capitalize).join("")
  return /^[0-9]/.test(joined) ? `_${joined}` : joined || "_"
}

/** `blob-upload-img2img` → `blobUploadImg2img`; keeps an existing camelCase name as it is. */
export const camelCase = (name: string): string => {
  const [first = "", ...rest] = words(name)
  const joined = first.charAt(0).toLowerCase() + first.slice(1) + rest.map(capitalize).join("")
  return /^[0-9]/.test(joined) ? `_${joined}` : joined || "_"
}

export const isIdentifier = (name: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name)

/** Members every object inherits: a document name like these must be read and written as an own property. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype))

/**
 * A property key as written in a type: bare when it can be. In an object literal a `__proto__`
 * key would set the prototype instead, so values use `valueKey`.
 */
export const propertyKey = (
  name: string
): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name))

/** A property key in an object literal: `__proto__` computed, so it is a plain member. */
export const valueKey = (name: string): string => (name === "__proto__" ? `["__proto__"]` : propertyKey(name))

/**
 * `target.name` or `target["name"]`; a name `Object.prototype` also has (`constructor`,
 * `toString`, `__proto__`) is read as an own property, so an absent one is `undefined`.
 */
export const propertyAccess = (target: string, name: string, optional = false): string => {
  if (INHERITED.has(name)) {
    const own = `Arazzo.own(${target}, ${JSON.stringify(name)})`
    return optional ? `(${target} === undefined ? undefined : ${own})` : own
  }
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)
    ? `${target}${optional ? "?." : "."}${name}`
    : `${target}${optional ? "?." : ""}[${JSON.stringify(name)}]`
}

/** Hands out unique identifiers within one scope. */
export class Names {
  private readonly taken = new Set<string>()

  constructor(private readonly parent?: Names) {}

  has(name: string): boolean {
    return this.taken.has(name) || RESERVED.has(name) || (this.parent?.has(name) ?? false)
  }

  /** `wanted`, or `wanted2`, `wanted3`… when it is taken. */
  claim(wanted: string): string {
    let name = wanted
    for (let n = 2; this.has(name); n++) name = `${wanted}${n}`
    this.taken.add(name)
    return name
  }
}
