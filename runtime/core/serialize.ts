/**
 * OpenAPI parameter serialization: the `style` / `explode` / `allowReserved` of a parameter
 * (OpenAPI 3.x) or its `collectionFormat` (Swagger 2.0) turn a value (primitive, array or
 * object) into the text that goes in the path, the query string, a header or the Cookie header.
 * The results follow the OpenAPI 3.1.1 "Style Examples" table, percent-encoded per RFC 3986.
 */

/**
 * How one parameter is serialized. `style` is an OpenAPI 3 style (`simple`, `label`, `matrix`,
 * `form`, `spaceDelimited`, `pipeDelimited`, `deepObject`) or a Swagger 2.0 `collectionFormat`
 * (`csv`, `ssv`, `tsv`, `pipes`, `multi`), which maps onto the same machinery.
 */
export interface ParameterStyle {
  readonly style?: string
  readonly explode?: boolean
  readonly allowReserved?: boolean
}

/** Styles of an operation's parameters by location and name; absent means the location's default. */
export interface Serialization {
  readonly path?: Readonly<Record<string, ParameterStyle>>
  readonly query?: Readonly<Record<string, ParameterStyle>>
  readonly header?: Readonly<Record<string, ParameterStyle>>
  readonly cookie?: Readonly<Record<string, ParameterStyle>>
}

export type ParameterLocation = keyof Serialization

/** A style made concrete: what the serializers below read. */
export interface ResolvedStyle {
  readonly style: "simple" | "label" | "matrix" | "form" | "delimited" | "deepObject"
  readonly explode: boolean
  readonly allowReserved: boolean
  /** Between array items (and object keys and values) when not exploded. */
  readonly delimiter: string
}

const DEFAULT_STYLE: Readonly<Record<ParameterLocation, string>> = {
  path: "simple",
  query: "form",
  header: "simple",
  cookie: "form"
}

/** Styles each location accepts, as the OpenAPI style table lists them. */
const ALLOWED: Readonly<Record<ParameterLocation, ReadonlySet<string>>> = {
  path: new Set(["simple", "label", "matrix"]),
  query: new Set(["form", "spaceDelimited", "pipeDelimited", "deepObject"]),
  header: new Set(["simple"]),
  cookie: new Set(["form"])
}

/** Swagger 2.0 `collectionFormat`: the item delimiter, and whether `multi` repeats the name. */
const COLLECTION_FORMATS: Readonly<Record<string, { readonly delimiter: string; readonly multi: boolean }>> = {
  csv: { delimiter: ",", multi: false },
  ssv: { delimiter: " ", multi: false },
  tsv: { delimiter: "\t", multi: false },
  pipes: { delimiter: "|", multi: false },
  multi: { delimiter: ",", multi: true }
}

/** Looks up a parameter's style; header names compare case-insensitively, as HTTP says. */
export const styleOf = (
  serialization: Serialization | undefined,
  location: ParameterLocation,
  name: string
): ParameterStyle | undefined => {
  const styles = serialization?.[location]
  if (styles === undefined) return undefined
  if (location !== "header") return Object.hasOwn(styles, name) ? styles[name] : undefined
  const lower = name.toLowerCase()
  return Object.entries(styles).find(([key]) => key.toLowerCase() === lower)?.[1]
}

/** Makes a style concrete for a location, or says why it does not apply there. */
export const resolveStyle = (
  location: ParameterLocation,
  declared: ParameterStyle | undefined
): ResolvedStyle | { readonly error: string } => {
  const style = declared?.style ?? DEFAULT_STYLE[location]
  const allowReserved = location === "query" && declared?.allowReserved === true
  const collection = COLLECTION_FORMATS[style]
  if (collection !== undefined) {
    // Swagger 2.0: `multi` is form+explode (query only); the others join items with their delimiter.
    if (collection.multi && location === "query") return { style: "form", explode: true, allowReserved, delimiter: "," }
    const base = location === "query" ? "delimited" : location === "cookie" ? "form" : "simple"
    return { style: base, explode: false, allowReserved, delimiter: collection.delimiter }
  }
  if (!ALLOWED[location].has(style)) return { error: `style \`${style}\` does not apply to ${location} parameters` }
  // OpenAPI: `explode` defaults to true for `form` and false for every other style.
  const explode = declared?.explode ?? style === "form"
  switch (style) {
    case "spaceDelimited":
      return { style: "delimited", explode, allowReserved, delimiter: " " }
    case "pipeDelimited":
      return { style: "delimited", explode, allowReserved, delimiter: "|" }
    default:
      return { style: style as ResolvedStyle["style"], explode, allowReserved, delimiter: "," }
  }
}

// Values

type Shape =
  | { readonly kind: "primitive"; readonly text: string }
  | { readonly kind: "array"; readonly items: ReadonlyArray<string> }
  | { readonly kind: "object"; readonly entries: ReadonlyArray<readonly [string, string]> }

/** A value inside a parameter as text; the spec leaves nested arrays and objects undefined, so they go as JSON. */
export const scalarText = (value: unknown): string =>
  typeof value === "string" ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value) ?? ""

const isAbsent = (value: unknown) => value === undefined || value === null

const shapeOf = (value: unknown): Shape => {
  if (Array.isArray(value)) return { kind: "array", items: value.filter((v) => !isAbsent(v)).map(scalarText) }
  if (typeof value === "object" && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return {
      kind: "object",
      entries: Object.entries(value).filter(([, v]) => !isAbsent(v)).map(([k, v]) => [k, scalarText(v)] as const)
    }
  }
  return { kind: "primitive", text: scalarText(value) }
}

// Percent-encoding (RFC 3986)

const UNRESERVED = /[A-Za-z0-9\-._~]/
/** Most values (ids, numbers, words) need no encoding: checked once, without a byte walk. */
const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/
/**
 * Reserved characters `allowReserved` leaves as they are, except `#`: on the wire it would end
 * the query and start a fragment, so it is always encoded. (The WHATWG URL parser Node uses also
 * turns `'` into `%27` in http(s) query strings; servers decode both the same.)
 */
const RESERVED_KEPT = /[:/?[\]@!$&'()*+,;=]/
const HEX = /^[0-9A-Fa-f]{2}$/

const encodeWith = (text: string, keep: (char: string) => boolean, keepEscapes: boolean): string => {
  const bytes = new TextEncoder().encode(text) // lone surrogates become U+FFFD instead of throwing
  let out = ""
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    const char = String.fromCharCode(byte)
    if (byte < 0x80 && keep(char)) out += char
    else if (keepEscapes && char === "%" && HEX.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0))) {
      out += char
    } else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0")
  }
  return out
}

/** Everything but RFC 3986 unreserved characters is percent-encoded (RFC 6570 simple expansion). */
export const encodeStrict = (text: string): string =>
  ALL_UNRESERVED.test(text) ? text : encodeWith(text, (c) => UNRESERVED.test(c), false)

/** RFC 6570 reserved expansion: reserved characters and existing `%XX` escapes pass through. */
export const encodeReserved = (text: string): string =>
  encodeWith(text, (c) => UNRESERVED.test(c) || RESERVED_KEPT.test(c), true)

// Serializers. Each takes a value that is present (not undefined or null).

/** A comma separates as RFC 6570 does; Swagger 2.0's other delimiters are data, so they are encoded. */
const separator = (delimiter: string, encode: (s: string) => string) => (delimiter === "," ? "," : encode(delimiter))

const flatten = (entries: ReadonlyArray<readonly [string, string]>, encode: (s: string) => string) =>
  entries.flatMap(([k, v]) => [encode(k), encode(v)])

/** The text a path parameter's `{name}` becomes: `blue`, `.blue.black`, `;R=100;G=200`, … */
export const pathParameter = (name: string, value: unknown, style: ResolvedStyle): string => {
  const shape = shapeOf(value)
  const enc = encodeStrict
  const key = enc(name)
  switch (style.style) {
    case "label": {
      const sep = style.explode ? "." : ","
      if (shape.kind === "primitive") return "." + enc(shape.text)
      if (shape.kind === "array") return "." + shape.items.map(enc).join(sep)
      return "." + (style.explode
        ? shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join(".")
        : flatten(shape.entries, enc).join(","))
    }
    case "matrix": {
      const pair = (n: string, v: string) => (v === "" ? `;${n}` : `;${n}=${v}`)
      if (shape.kind === "primitive") return pair(key, enc(shape.text))
      if (shape.kind === "array") {
        if (shape.items.length === 0) return `;${key}`
        return style.explode
          ? shape.items.map((v) => `;${key}=${enc(v)}`).join("")
          : `;${key}=${shape.items.map(enc).join(",")}`
      }
      if (shape.entries.length === 0) return `;${key}`
      return style.explode
        ? shape.entries.map(([k, v]) => `;${enc(k)}=${enc(v)}`).join("")
        : `;${key}=${flatten(shape.entries, enc).join(",")}`
    }
    default:
      return simple(shape, style, enc)
  }
}

const simple = (shape: Shape, style: ResolvedStyle, encode: (s: string) => string): string => {
  if (shape.kind === "primitive") return encode(shape.text)
  if (shape.kind === "array") return shape.items.map(encode).join(separator(style.delimiter, encode))
  return style.explode
    ? shape.entries.map(([k, v]) => `${encode(k)}=${encode(v)}`).join(",")
    : flatten(shape.entries, encode).join(",")
}

/** A header's value (`simple` style). Header values are not percent-encoded. */
export const headerParameter = (value: unknown, style: ResolvedStyle): string => simple(shapeOf(value), style, (s) => s)

/**
 * A query parameter as encoded `name=value` pairs, to be joined with `&`. An empty array or
 * object gives no pairs, so the parameter is left out as an absent one is.
 */
export const queryParameter = (name: string, value: unknown, style: ResolvedStyle): ReadonlyArray<string> => {
  const shape = shapeOf(value)
  const key = encodeStrict(name)
  const enc = style.allowReserved ? encodeReserved : encodeStrict
  if (shape.kind === "primitive") return [`${key}=${enc(shape.text)}`]
  if (shape.kind === "array" && shape.items.length === 0) return []
  if (shape.kind === "object" && shape.entries.length === 0) return []
  if (style.style === "deepObject") {
    // Defined for objects only; an array falls back to repeating the name, as `form` explode does.
    if (shape.kind === "array") return shape.items.map((v) => `${key}=${enc(v)}`)
    return shape.entries.map(([k, v]) => `${key}${encodeStrict(`[${k}]`)}=${enc(v)}`)
  }
  if (style.explode) {
    // `spaceDelimited`/`pipeDelimited` with explode are undefined in the spec; they behave as `form`.
    if (shape.kind === "array") return shape.items.map((v) => `${key}=${enc(v)}`)
    return shape.entries.map(([k, v]) => `${encodeStrict(k)}=${enc(v)}`)
  }
  const items = shape.kind === "array" ? shape.items.map(enc) : flatten(shape.entries, enc)
  return [`${key}=${items.join(separator(style.delimiter, encodeStrict))}`]
}

/** A cookie parameter as `name=value` pairs, to be joined with `; ` in the Cookie header. */
export const cookieParameter = (name: string, value: unknown, style: ResolvedStyle): ReadonlyArray<string> => {
  const shape = shapeOf(value)
  const enc = encodeStrict
  if (shape.kind === "primitive") return [`${name}=${enc(shape.text)}`]
  if (style.explode) {
    return shape.kind === "array"
      ? shape.items.map((v) => `${name}=${enc(v)}`)
      : shape.entries.map(([k, v]) => `${k}=${enc(v)}`)
  }
  const items = shape.kind === "array" ? shape.items.map(enc) : flatten(shape.entries, enc)
  return items.length === 0 ? [] : [`${name}=${items.join(separator(style.delimiter, enc))}`]
}
