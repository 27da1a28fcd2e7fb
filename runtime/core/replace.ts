/**
 * Arazzo `requestBody.replacements`: each `{ target, value }` sets one place in the payload
 * before it is sent. The target is a JSON Pointer (RFC 6901) for JSON, form and multipart
 * bodies; XML bodies take XPath targets and are handled by `replaceXml` in
 * `arazzo-effect/runtime/xml`, so this module never loads an XPath engine.
 *
 * What a pointer may do. RFC 6901 only evaluates pointers: it says `-` names the (nonexistent)
 * element after the last, and that a pointer to something absent is an error for the
 * application to handle. Arazzo does not say more, so setting follows RFC 6902's `add` as far
 * as a replacement needs it: an existing member or element is replaced; a missing last member
 * of an existing object is created; `-` appends to an array. Anything else (an index past the
 * end, a missing container on the way, stepping into a string or number) is an error naming the
 * target, because creating containers would have to guess between an object and an array.
 *
 * A JSONPath target (Arazzo 1.1 `targetSelectorType: jsonpath`) sets every node the query
 * selects in the payload as it stands, in reverse document order (so that, when one selected
 * node holds another, the outer one's value is what remains). It selects existing nodes only,
 * so it never creates a member; one that selects nothing is an error naming the target, as an
 * XPath target that selects nothing is.
 *
 * The payload is never changed: the containers along each pointer are copied (the rest is
 * shared), because a payload may be an input or another step's output that is read elsewhere.
 */
import type { JSONPathQuery, JSONValue } from "json-p3"
import type { Body } from "./body.js"
import { decodePointerToken, encodePointerToken } from "./json.js"
import { isJson } from "./response.js"

export interface Replacement {
  /** A JSON Pointer, or (with `query`) the JSONPath query as written, for messages. */
  readonly target: string
  readonly value: unknown
  /** The compiled JSONPath target (`targetSelectorType: jsonpath`); absent for a JSON Pointer. */
  readonly query?: JSONPathQuery
}

type Result<A> = { readonly ok: A } | { readonly error: string }

/** Applies the replacements in order, to a copy; the error names the target. */
export const replace = (body: Body, replacements: ReadonlyArray<Replacement>): Body | { readonly error: string } => {
  let current = body
  for (const replacement of replacements) {
    const result = replaceOne(current, replacement)
    if ("error" in result) return { error: `replacement \`${replacement.target}\`: ${result.error}` }
    current = result.ok
  }
  return current
}

const isXml = (contentType: string) => /[/+]xml\b/i.test(contentType)
const isFormEncoded = (contentType: string) => /^application\/x-www-form-urlencoded\b/i.test(contentType)

const replaceOne = (body: Body, { target, value, query }: Replacement): Result<Body> => {
  if (query !== undefined) return replaceSelected(body, query, value)
  const tokens = parsePointer(target)
  if (tokens === undefined) return { error: "is not a JSON Pointer (it must be empty or start with `/`)" }
  switch (body._tag) {
    case "Json":
      return mapOk(setAt(body.value, tokens, value), (json) => ({ ...body, value: json }))
    case "Form":
      return mapOk(setMember(body.fields, tokens, value, "form body", "field"), (fields) => ({ ...body, fields }))
    case "Multipart":
      return mapOk(setMember(body.parts, tokens, value, "multipart body", "part"), (parts) => ({ ...body, parts }))
    case "Text":
      return mapOk(replaceInText(body.text, body.contentType, tokens, value), (text) => ({ ...body, text }))
    case "Binary":
      return tokens.length === 0
        ? { ok: { ...body, value } }
        : { error: `cannot point into a ${body.contentType} body; only the whole body (\`\`) can be replaced` }
  }
}

const mapOk = <A, B>(
  result: Result<A>,
  f: (a: A) => B
): Result<B> => ("error" in result ? result : { ok: f(result.ok) })

// JSONPath targets

/** Sets every node `query` selects, each through the pointer of its location. */
const replaceSelected = (body: Body, query: JSONPathQuery, value: unknown): Result<Body> => {
  const setAll = (document: unknown, apply: (tokens: ReadonlyArray<string>, into: unknown) => Result<unknown>) => {
    const locations = query.query(document as JSONValue).locations()
    if (locations.length === 0) return { error: "selects nothing in the payload" }
    let current: Result<unknown> = { ok: document }
    for (const location of locations.reverse()) {
      if ("error" in current) return current
      current = apply(location.map(String), current.ok)
    }
    return current
  }
  switch (body._tag) {
    case "Json":
      return mapOk(
        setAll(body.value, (tokens, into) => setAt(into, tokens, value)),
        (json) => ({ ...body, value: json })
      )
    case "Form":
      return mapOk(
        setAll(body.fields, (tokens, into) => setMember(into, tokens, value, "form body", "field")),
        (fields) => ({ ...body, fields })
      )
    case "Multipart":
      return mapOk(
        setAll(body.parts, (tokens, into) => setMember(into, tokens, value, "multipart body", "part")),
        (parts) => ({ ...body, parts })
      )
    case "Text": {
      if (!isJson(body.contentType)) return { error: `a JSONPath target needs a JSON body, not ${body.contentType}` }
      let parsed: unknown
      try {
        parsed = JSON.parse(body.text)
      } catch {
        return { error: `the ${body.contentType} body is not valid JSON` }
      }
      return mapOk(
        setAll(parsed, (tokens, into) => setAt(into, tokens, value)),
        (json) => ({ ...body, text: JSON.stringify(json) ?? "null" })
      )
    }
    case "Binary":
      return { error: `a JSONPath target needs a JSON body, not ${body.contentType}` }
  }
}

// JSON Pointer

/** The pointer's tokens, unescaped; `undefined` when it is not a pointer. Accepts the `#/…` fragment form. */
const parsePointer = (target: string): ReadonlyArray<string> | undefined => {
  let pointer = target
  if (pointer.startsWith("#")) {
    try {
      pointer = decodeURIComponent(pointer.slice(1))
    } catch {
      return undefined
    }
  }
  if (pointer === "") return []
  if (!pointer.startsWith("/") || /~([^01]|$)/.test(pointer)) return undefined
  return pointer.slice(1).split("/").map(decodePointerToken)
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== "object" || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

const describe = (value: unknown) =>
  value === null
    ? "null"
    : value === undefined
    ? "nothing"
    : Array.isArray(value)
    ? "an array"
    : value instanceof Uint8Array || value instanceof Blob
    ? "binary content"
    : `a ${typeof value}`

/** The place the first `depth` tokens name, for messages. */
const at = (tokens: ReadonlyArray<string>, depth: number): string => {
  const pointer = tokens.slice(0, depth).map((t) => "/" + encodePointerToken(t)).join("")
  return pointer === "" ? "the root" : `\`${pointer}\``
}

/** `document` with `value` set at the pointer, copying the containers on the way. */
const setAt = (document: unknown, tokens: ReadonlyArray<string>, value: unknown): Result<unknown> => {
  const step = (container: unknown, depth: number): Result<unknown> => {
    if (depth === tokens.length) return { ok: value }
    const token = tokens[depth]!
    const last = depth === tokens.length - 1
    const where = at(tokens, depth)
    if (Array.isArray(container)) {
      if (token === "-") {
        return last ? { ok: [...container, value] } : { error: "`-` (after the last element) has nothing to step into" }
      }
      if (!ARRAY_INDEX.test(token)) return { error: `\`${token}\` is not an index of the array at ${where}` }
      const index = Number(token)
      if (index >= container.length) {
        return { error: `index ${index} is past the end of the array at ${where} (length ${container.length})` }
      }
      return mapOk(step(container[index], depth + 1), (child) => {
        const copy = container.slice()
        copy[index] = child
        return copy
      })
    }
    if (isPlainObject(container)) {
      const exists = Object.hasOwn(container, token)
      if (!exists && !last) return { error: `${at(tokens, depth + 1)} does not exist` }
      return mapOk(last ? { ok: value } : step(container[token], depth + 1), (child) => {
        const copy = { ...container }
        // defineProperty, so that a `__proto__` token sets a member rather than the prototype.
        Object.defineProperty(copy, token, { value: child, enumerable: true, writable: true, configurable: true })
        return copy
      })
    }
    return { error: `${where} is ${describe(container)}, which has no members` }
  }
  return step(document, 0)
}

/** Form and multipart: the first token names a field or part; deeper tokens point into its value. */
const setMember = (
  members: unknown,
  tokens: ReadonlyArray<string>,
  value: unknown,
  kind: string,
  member: string
): Result<unknown> => {
  if (!isPlainObject(members)) return { error: `a ${kind} must be an object, not ${describe(members)}` }
  if (tokens.length === 0) return { error: `the target must name a ${member} of the ${kind}` }
  return setAt(members, tokens, value)
}

// Text bodies

const replaceInText = (
  text: string,
  contentType: string,
  tokens: ReadonlyArray<string>,
  value: unknown
): Result<string> => {
  if (isJson(contentType)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return { error: `the ${contentType} body is not valid JSON` }
    }
    return mapOk(setAt(parsed, tokens, value), (json) => JSON.stringify(json) ?? "null")
  }
  if (isFormEncoded(contentType)) {
    const [name] = tokens
    if (name === undefined || tokens.length !== 1) {
      return { error: "a form body's target must name one field, as `/name`" }
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      return { error: `a form field takes a string, number or boolean, not ${describe(value)}` }
    }
    return { ok: setFormField(text, name, String(value)) }
  }
  if (isXml(contentType)) {
    return { error: "XML bodies take XPath targets: use replaceXml from arazzo-effect/runtime/xml" }
  }
  return { error: `a ${contentType || "text"} body has no structure to replace into` }
}

const encodeFormComponent = (text: string) => new URLSearchParams([["", text]]).toString().slice(1)
const decodeFormComponent = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

/**
 * Sets a field of an `application/x-www-form-urlencoded` text: the first pair with that name
 * takes the value (any later ones are dropped), or a pair is appended. Other pairs keep their
 * bytes as written.
 */
const setFormField = (text: string, name: string, value: string): string => {
  const pairs = text === "" ? [] : text.split("&")
  const out: Array<string> = []
  let set = false
  for (const pair of pairs) {
    const rawName = pair.split("=", 1)[0]!
    if (decodeFormComponent(rawName) !== name) out.push(pair)
    else if (!set) {
      out.push(`${rawName}=${encodeFormComponent(value)}`)
      set = true
    }
  }
  if (!set) out.push(`${encodeFormComponent(name)}=${encodeFormComponent(value)}`)
  return out.join("&")
}
