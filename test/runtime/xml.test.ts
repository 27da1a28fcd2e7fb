import * as slimdom from "slimdom"
import { afterEach, describe, expect, it, vi } from "vitest"
import {
  MAX_XML_DEPTH,
  MAX_XML_TAGS,
  replaceXml,
  xpath,
  xpathSelect,
  xpathSyntaxError,
  xpathTest
} from "../../runtime/core/xml.js"

// Count parses: the runtime must parse a body once however many criteria and outputs read it.
vi.mock("slimdom", async (importOriginal) => {
  const original = await importOriginal<typeof import("slimdom")>()
  return { ...original, parseXmlDocument: vi.fn(original.parseXmlDocument) }
})
const parses = vi.mocked(slimdom.parseXmlDocument)
afterEach(() => parses.mockClear())

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 5))

const order = `<?xml version="1.0" encoding="UTF-8"?>
<order xmlns:p="urn:example:parts" id="o-7">
  <status>shipped</status>
  <total currency="EUR">12.50</total>
  <p:item sku="a">1</p:item>
  <p:item sku="b">2</p:item>
</order>`

describe("xpathTest", () => {
  it.each([
    ["/order/status = 'shipped'", true],
    ["/order/status = 'pending'", false],
    ["/order/total > 10", true],
    ["count(/order/p:item) = 2", true], // the prefix resolves to the document's namespace
    ["/order/p:item[@sku = 'b']", true],
    ["/order/missing", false],
    ["boolean(/order/@id)", true],
    ["//item", false] // unprefixed names mean no namespace, as XPath 1.0 says
  ])("%s is %s", (expression, expected) => {
    expect(xpathTest(xpath(expression), order)).toBe(expected)
  })

  it("reads bytes as UTF-8, with or without a byte order mark", () => {
    const bytes = new TextEncoder().encode("\uFEFF<a><b>é</b></a>")
    expect(xpathTest(xpath("/a/b = 'é'"), bytes)).toBe(true)
  })

  it("is false, never a throw, for bodies that are not XML and for expressions that fail", () => {
    const query = xpath("/a")
    for (const body of [undefined, null, 42, { a: 1 }, "", "not xml", "<a>", "{\"a\":1}"]) {
      expect(xpathTest(query, body)).toBe(false)
    }
    expect(xpathTest(xpath("/a + 'x'"), "<a>1</a>")).toBe(false) // a dynamic type error
    expect(xpathTest(xpath("/a/u:b"), "<a/>")).toBe(false) // an undeclared prefix
  })

  it("parses a body once for every criterion and output read from it, and lets it go afterwards", async () => {
    const queries = ["/order/status", "/order/total > 10", "/order/p:item", "/order/@id"].map(xpath)
    for (const query of queries) expect(xpathTest(query, order)).toBe(true)
    expect(xpathSelect(xpath("/order/status"), order)).toBe("shipped")
    expect(parses).toHaveBeenCalledTimes(1)

    expect(xpathTest(xpath("/a"), "<a/>")).toBe(true) // another body is parsed
    expect(parses).toHaveBeenCalledTimes(2)

    await nextTask()
    expect(xpathTest(xpath("/a"), "<a/>")).toBe(true) // the kept document was released
    expect(parses).toHaveBeenCalledTimes(3)
  })
})

describe("xpathSelect", () => {
  it("gives the string value of the first selected node", () => {
    expect(xpathSelect(xpath("/order/status"), order)).toBe("shipped")
    expect(xpathSelect(xpath("/order/@id"), order)).toBe("o-7")
    expect(xpathSelect(xpath("/order/p:item"), order)).toBe("1")
    expect(xpathSelect(xpath("/order/total/text()"), order)).toBe("12.50")
  })

  it("gives computed values as they are, several as an array", () => {
    expect(xpathSelect(xpath("count(/order/p:item)"), order)).toBe(2)
    expect(xpathSelect(xpath("/order/p:item/@sku/string()"), order)).toEqual(["a", "b"])
    expect(xpathSelect(xpath("/order/status = 'shipped'"), order)).toBe(true)
  })

  it("is undefined when nothing matches, and for a body that is not XML", () => {
    expect(xpathSelect(xpath("/order/missing"), order)).toBeUndefined()
    expect(xpathSelect(xpath("/a"), "not xml")).toBeUndefined()
    expect(xpathSelect(xpath("/a"), { a: 1 })).toBeUndefined()
  })
})

describe("xpathSyntaxError", () => {
  it("is undefined for expressions of every XPath version that parse, and says why others do not", () => {
    for (const ok of ["/a/b[1]", "//b[@x='1']", "string(/a) = 'x'", "for $i in (1, 2) return $i", "/a/p:b"]) {
      expect(xpathSyntaxError(ok)).toBeUndefined()
    }
    expect(xpathSyntaxError("/a/b[")).toMatch(/^XPST0003: Failed to parse script/)
    expect(xpathSyntaxError("1 +")).toMatch(/^XPST0003/)
  })
})

describe("replaceXml", () => {
  it("replaces the text of elements and the value of attributes, keeping the XML declaration", () => {
    const replaced = replaceXml(order, [
      { target: "/order/status", value: "delivered" },
      { target: "/order/total/@currency", value: "USD" },
      { target: "/order/p:item", value: 3 },
      { target: "/order/@id", value: true }
    ])
    expect(typeof replaced).toBe("string")
    if (typeof replaced !== "string") return
    expect(replaced.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><order")).toBe(true)
    expect(xpathSelect(xpath("/order/status"), replaced)).toBe("delivered")
    expect(xpathSelect(xpath("/order/total/@currency"), replaced)).toBe("USD")
    expect(xpathSelect(xpath("/order/p:item/string()"), replaced)).toEqual(["3", "3"])
    expect(xpathSelect(xpath("/order/@id"), replaced)).toBe("true")
    expect(xpathSelect(xpath("/order/total"), replaced)).toBe("12.50") // untouched
  })

  it("escapes what it writes", () => {
    const replaced = replaceXml("<a x=\"1\"><b/></a>", [{ target: "/a/b", value: "<c>&</c>" }, {
      target: "/a/@x",
      value: "\""
    }])
    expect(replaced).toBe("<a x=\"&quot;\"><b>&lt;c&gt;&amp;&lt;/c&gt;</b></a>")
  })

  it("fails, naming the target, when it selects nothing, is not a node, or the value is not text", () => {
    expect(replaceXml(order, [{ target: "/order/missing", value: "x" }]))
      .toEqual({ error: "replacement `/order/missing` selects nothing in the XML body" })
    expect(replaceXml(order, [{ target: "/order/status", value: { a: 1 } }]))
      .toEqual({ error: "replacement `/order/status`: an XML value must be a string, number or boolean, not a object" })
    expect(replaceXml(order, [{ target: "count(/order)", value: "x" }])).toHaveProperty("error")
    expect(replaceXml(order, [{ target: "/order/status[", value: "x" }])).toHaveProperty("error")
    expect(replaceXml("<a>", [{ target: "/a", value: "x" }])).toHaveProperty("error")
  })

  it("never changes the text it was given (strings are immutable, but the document is parsed afresh)", () => {
    const first = replaceXml("<a><b>1</b></a>", [{ target: "/a/b", value: "2" }])
    const second = replaceXml("<a><b>1</b></a>", [{ target: "/a/c", value: "2" }])
    expect(first).toBe("<a><b>2</b></a>")
    expect(second).toHaveProperty("error")
  })
})

describe("hostile bodies", () => {
  const laughs = (() => {
    let dtd = "<!ENTITY lol0 \"lol\">"
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`
    return `<?xml version="1.0"?><!DOCTYPE lolz [${dtd}]><lolz>&lol9;</lolz>`
  })()

  it("does not expand entities (billion laughs): false without parsing, and replacements refuse it", () => {
    expect(xpathTest(xpath("string-length(/lolz) > 0"), laughs)).toBe(false)
    expect(parses).not.toHaveBeenCalled()
    expect(replaceXml(laughs, [{ target: "/lolz", value: "x" }])).toEqual({
      error: "the XML body cannot be read: XML that declares entities is not read"
    })
  })

  it("never reads an external entity", () => {
    const external = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/hostname\">]><x>&e;</x>"
    expect(xpathSelect(xpath("/x"), external)).toBeUndefined()
    // slimdom itself drops external entities, which is why refusing them loses nothing.
    expect(slimdom.parseXmlDocument(external).documentElement?.textContent).toBe("")
  })

  it(`refuses a body nested deeper than ${MAX_XML_DEPTH} levels before evaluating (fontoxpath is quadratic in depth)`, () => {
    const deep = (n: number) => "<a>".repeat(n) + "x" + "</a>".repeat(n)
    expect(xpathTest(xpath("count(//a) > 0"), deep(MAX_XML_DEPTH))).toBe(true)
    expect(xpathTest(xpath("count(//a) > 0"), deep(50_000))).toBe(false)
    expect(replaceXml(deep(MAX_XML_DEPTH + 1), [{ target: "//a", value: "y" }])).toEqual({
      error: `the XML body cannot be read: XML nested deeper than ${MAX_XML_DEPTH} levels is not read`
    })
  })

  it(`refuses a 10 MB body of more than ${MAX_XML_TAGS} tags without parsing it`, () => {
    const many = `<list>${"<item><v>1</v></item>".repeat(500_000)}</list>`
    expect(many.length).toBeGreaterThan(10_000_000)
    expect(xpathTest(xpath("/list"), many)).toBe(false)
    expect(parses).not.toHaveBeenCalled()
  })

  it("reads a 10 MB body of few tags", () => {
    const big = `<doc><blob>${"y".repeat(10_000_000)}</blob><ok>yes</ok></doc>`
    expect(xpathTest(xpath("/doc/ok = 'yes'"), big)).toBe(true)
    expect(parses).toHaveBeenCalledTimes(1)
  })
})
