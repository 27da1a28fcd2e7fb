import { describe, expect, it } from "vitest"
import {
  cookieParameter,
  encodeReserved,
  encodeStrict,
  headerParameter,
  type ParameterLocation,
  type ParameterStyle,
  pathParameter,
  queryParameter,
  type ResolvedStyle,
  resolveStyle,
  styleOf
} from "../../runtime/core/serialize.js"

// The values of the OpenAPI 3.1.1 "Style Examples" table.
const primitive = "blue"
const array = ["blue", "black", "brown"]
const object = { R: 100, G: 200, B: 150 }

const resolved = (location: ParameterLocation, style?: ParameterStyle): ResolvedStyle => {
  const result = resolveStyle(location, style)
  if ("error" in result) throw new Error(result.error)
  return result
}

/** How a query parameter looks as the only one in a query string, as the table shows it. */
const query = (value: unknown, style?: ParameterStyle) =>
  "?" + queryParameter("color", value, resolved("query", style)).join("&")
const path = (value: unknown, style?: ParameterStyle) => pathParameter("color", value, resolved("path", style))

describe("the OpenAPI 3.1.1 style examples table", () => {
  // [style, explode, string, array, object]; n/a cells are left out.
  const pathRows: ReadonlyArray<readonly [string, boolean, string, string, string]> = [
    ["matrix", false, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"],
    ["matrix", true, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"],
    ["label", false, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"],
    ["label", true, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"],
    ["simple", false, "blue", "blue,black,brown", "R,100,G,200,B,150"],
    ["simple", true, "blue", "blue,black,brown", "R=100,G=200,B=150"]
  ]
  it.each(pathRows)("path %s explode=%s", (style, explode, asString, asArray, asObject) => {
    expect(path(primitive, { style, explode })).toBe(asString)
    expect(path(array, { style, explode })).toBe(asArray)
    expect(path(object, { style, explode })).toBe(asObject)
  })

  const queryRows: ReadonlyArray<readonly [string, boolean, string | undefined, string, string]> = [
    ["form", false, "?color=blue", "?color=blue,black,brown", "?color=R,100,G,200,B,150"],
    ["form", true, "?color=blue", "?color=blue&color=black&color=brown", "?R=100&G=200&B=150"],
    ["spaceDelimited", false, undefined, "?color=blue%20black%20brown", "?color=R%20100%20G%20200%20B%20150"],
    ["pipeDelimited", false, undefined, "?color=blue%7Cblack%7Cbrown", "?color=R%7C100%7CG%7C200%7CB%7C150"]
  ]
  it.each(queryRows)("query %s explode=%s", (style, explode, asString, asArray, asObject) => {
    if (asString !== undefined) expect(query(primitive, { style, explode })).toBe(asString)
    expect(query(array, { style, explode })).toBe(asArray)
    expect(query(object, { style, explode })).toBe(asObject)
  })

  it("query deepObject explode=true", () => {
    expect(query(object, { style: "deepObject", explode: true })).toBe(
      "?color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"
    )
  })

  it("header simple, both explodes (the path simple row, not percent-encoded)", () => {
    const header = (value: unknown, explode: boolean) => headerParameter(value, resolved("header", { explode }))
    expect([header(primitive, false), header(array, false), header(object, false)])
      .toEqual(["blue", "blue,black,brown", "R,100,G,200,B,150"])
    expect([header(primitive, true), header(array, true), header(object, true)])
      .toEqual(["blue", "blue,black,brown", "R=100,G=200,B=150"])
  })

  it("cookie form: the query form row with pairs joined by `; ` (OpenAPI Appendix D)", () => {
    const cookie = (value: unknown, explode?: boolean) =>
      cookieParameter("color", value, resolved("cookie", explode === undefined ? undefined : { explode })).join("; ")
    expect([cookie(primitive), cookie(array), cookie(object)])
      .toEqual(["color=blue", "color=blue; color=black; color=brown", "R=100; G=200; B=150"])
    expect([cookie(primitive, false), cookie(array, false), cookie(object, false)])
      .toEqual(["color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"])
  })

  it("defaults: path simple, query form+explode, header simple, cookie form+explode", () => {
    expect(path(array)).toBe("blue,black,brown")
    expect(query(array)).toBe("?color=blue&color=black&color=brown")
    expect(query(object)).toBe("?R=100&G=200&B=150")
    expect(headerParameter(object, resolved("header"))).toBe("R,100,G,200,B,150")
    expect(cookieParameter("color", array, resolved("cookie"))).toEqual(["color=blue", "color=black", "color=brown"])
  })
})

describe("percent-encoding", () => {
  const reserved = ":/?#[]@!$&'()*+,;="

  it("encodes everything but unreserved characters in path and query values", () => {
    expect(path(`a b/${reserved}~é`)).toBe("a%20b%2F%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D~%C3%A9")
    expect(query("x&y=z")).toBe("?color=x%26y%3Dz")
    expect(encodeStrict("\uD800")).toBe("%EF%BF%BD") // a lone surrogate is replaced, not a throw
  })

  it("allowReserved leaves reserved characters (but `#`) and existing escapes alone in query values", () => {
    expect(query(`${reserved} %41%zz`, { allowReserved: true })).toBe("?color=:/?%23[]@!$&'()*+,;=%20%41%25zz")
    expect(encodeReserved("a|b")).toBe("a%7Cb") // `|` is not reserved
    // It applies to query parameters only, as the spec says.
    expect(path("a/b", { style: "simple", allowReserved: true })).toBe("a%2Fb")
  })

  it("encodes the names and keys it writes, and deepObject brackets", () => {
    expect(queryParameter("a b", { "k&": "v" }, resolved("query", { style: "deepObject", explode: true })))
      .toEqual(["a%20b%5Bk%26%5D=v"])
    expect(query({ "k=": 1 })).toBe("?k%3D=1")
  })

  it("writes dates as ISO text, nested values as JSON, and drops absent items", () => {
    expect(query(new Date("2024-01-02T03:04:05.000Z"))).toBe("?color=2024-01-02T03%3A04%3A05.000Z")
    expect(query([1, null, { a: true }], { explode: false })).toBe("?color=1,%7B%22a%22%3Atrue%7D")
    expect(queryParameter("color", [], resolved("query"))).toEqual([])
  })
})

describe("Swagger 2.0 collectionFormat", () => {
  it.each([
    ["csv", "?color=blue,black,brown", "blue,black,brown", "blue,black,brown"],
    ["ssv", "?color=blue%20black%20brown", "blue%20black%20brown", "blue black brown"],
    ["tsv", "?color=blue%09black%09brown", "blue%09black%09brown", "blue\tblack\tbrown"],
    ["pipes", "?color=blue%7Cblack%7Cbrown", "blue%7Cblack%7Cbrown", "blue|black|brown"],
    ["multi", "?color=blue&color=black&color=brown", "blue,black,brown", "blue,black,brown"]
  ])("%s in query, path and header", (format, inQuery, inPath, inHeader) => {
    expect(query(array, { style: format })).toBe(inQuery)
    expect(path(array, { style: format })).toBe(inPath)
    expect(headerParameter(array, resolved("header", { style: format }))).toBe(inHeader)
  })
})

describe("resolveStyle and styleOf", () => {
  it("rejects a style the location does not have", () => {
    expect(resolveStyle("path", { style: "form" })).toEqual({ error: "style `form` does not apply to path parameters" })
    expect(resolveStyle("header", { style: "matrix" })).toHaveProperty("error")
    expect(resolveStyle("query", { style: "label" })).toHaveProperty("error")
  })

  it("finds header styles case-insensitively, other locations exactly", () => {
    const serialization = { header: { "X-Colors": { explode: true } }, query: { Color: { explode: false } } }
    expect(styleOf(serialization, "header", "x-colors")).toEqual({ explode: true })
    expect(styleOf(serialization, "query", "color")).toBeUndefined()
    expect(styleOf(serialization, "query", "Color")).toEqual({ explode: false })
    expect(styleOf(serialization, "query", "toString")).toBeUndefined()
  })
})
