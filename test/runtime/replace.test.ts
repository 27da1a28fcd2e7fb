import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { type Body, form, json, multipart, text } from "../../runtime/core/body.js"
import { replace as replacePure } from "../../runtime/core/replace.js"
import { buildRequest } from "../../runtime/core/request.js"
import { replaceXml } from "../../runtime/core/xml.js"
import { operation } from "../../runtime/effect3/internal/operation.js"
import { clientRequest } from "../../runtime/effect3/internal/send.js"
import { source } from "../../runtime/effect3/internal/servers.js"
import { misbehavingServer, sendJson } from "../support/misbehaving-server.js"

/**
 * A payload as it might be shared: another step's output, frozen so that any write to it throws
 * (modules run in strict mode). Bytes cannot be frozen; they are only ever replaced whole.
 */
const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
    for (const member of Object.values(value)) deepFreeze(member)
    Object.freeze(value)
  }
  return value
}

const order = () =>
  deepFreeze({
    customer: { name: "Ann", address: { city: "Kyiv" } },
    items: [{ sku: "a", qty: 1 }, { sku: "b", qty: 2 }],
    note: "n"
  })

/** The pure replacement as an Effect, so that a failure reads as one in these tests. */
const replace = (body: Body, replacements: ReadonlyArray<{ target: string; value: unknown }>) => {
  const result = replacePure(body, replacements)
  return "error" in result ? Effect.fail(result.error) : Effect.succeed(result)
}
const replaced = replace

describe("JSON bodies", () => {
  it.effect("replace members and elements, create a missing last member, append with `-`", () =>
    Effect.gen(function*() {
      const payload = order()
      const before = JSON.stringify(payload)
      const result = yield* replaced(json(payload), [
        { target: "/customer/address/city", value: "Lviv" },
        { target: "/items/1/qty", value: 5 },
        { target: "/customer/vip", value: true },
        { target: "/items/-", value: { sku: "c", qty: 1 } },
        { target: "/note", value: null }
      ])
      expect(result._tag).toBe("Json")
      if (result._tag !== "Json") return
      expect(result.value).toEqual({
        customer: { name: "Ann", address: { city: "Lviv" }, vip: true },
        items: [{ sku: "a", qty: 1 }, { sku: "b", qty: 5 }, { sku: "c", qty: 1 }],
        note: null
      })
      expect(JSON.stringify(payload)).toBe(before) // frozen, and still as it was
      // What no pointer went through is shared, not copied.
      expect((result.value as ReturnType<typeof order>).items[0]).toBe(payload.items[0])
    }))

  it.effect("unescape ~1 and ~0, accept the #/ fragment form, and replace the whole body with an empty pointer", () =>
    Effect.gen(function*() {
      const body = json(deepFreeze({ "a/b": 1, "m~n": 2, "sp ace": 3 }))
      const result = yield* replaced(body, [
        { target: "/a~1b", value: 10 },
        { target: "/m~0n", value: 20 },
        { target: "#/sp%20ace", value: 30 }
      ])
      expect(result).toMatchObject({ value: { "a/b": 10, "m~n": 20, "sp ace": 30 } })
      expect(yield* replaced(body, [{ target: "", value: [1] }])).toMatchObject({ value: [1] })
    }))

  it.effect("set a `__proto__` token as a member, never the prototype", () =>
    Effect.gen(function*() {
      const result = yield* replaced(json({}), [{ target: "/__proto__", value: { polluted: true } }])
      if (result._tag !== "Json") return expect.unreachable()
      const value = result.value as Record<string, unknown>
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
      expect(Object.hasOwn(value, "__proto__")).toBe(true)
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    }))

  it.effect("fail, naming the target, where RFC 6901 finds nothing to set", () =>
    Effect.gen(function*() {
      const fails = (target: string) => replaced(json(order()), [{ target, value: 1 }]).pipe(Effect.flip)
      expect(yield* fails("/items/2")).toBe(
        "replacement `/items/2`: index 2 is past the end of the array at `/items` (length 2)"
      )
      expect(yield* fails("/items/01")).toBe("replacement `/items/01`: `01` is not an index of the array at `/items`")
      expect(yield* fails("/missing/x")).toBe("replacement `/missing/x`: `/missing` does not exist")
      expect(yield* fails("/note/x")).toBe("replacement `/note/x`: `/note` is a string, which has no members")
      expect(yield* fails("/items/-/sku")).toBe(
        "replacement `/items/-/sku`: `-` (after the last element) has nothing to step into"
      )
      expect(yield* fails("note")).toBe(
        "replacement `note`: is not a JSON Pointer (it must be empty or start with `/`)"
      )
      expect(yield* fails("/a~2")).toMatch(/is not a JSON Pointer/)
    }))

  it.effect("apply in order, each seeing the previous ones", () =>
    Effect.gen(function*() {
      const result = yield* replaced(json({ list: [] }), [
        { target: "/list/-", value: { a: 1 } },
        { target: "/list/0/a", value: 2 }
      ])
      expect(result).toMatchObject({ value: { list: [{ a: 2 }] } })
    }))
})

describe("form and multipart bodies", () => {
  it.effect("the first token names a field, deeper tokens point into an object field", () =>
    Effect.gen(function*() {
      const fields = deepFreeze({ customerName: "x", location: "Kyiv", address: { zip: "01001" } })
      const result = yield* replaced(form(fields), [
        { target: "/location", value: "Lviv" },
        { target: "/address/zip", value: "79000" },
        { target: "/added", value: 1 }
      ])
      expect(result).toEqual(form({ customerName: "x", location: "Lviv", address: { zip: "79000" }, added: 1 }))
      expect(fields.location).toBe("Kyiv")
    }))

  it.effect("the first token names a multipart part; binary parts are replaced whole, never entered", () =>
    Effect.gen(function*() {
      const file = new Uint8Array([1, 2, 3])
      const parts = deepFreeze({ meta: { title: "t" }, file: new Uint8Array([9]) })
      const result = yield* replaced(multipart(parts), [
        { target: "/file", value: file },
        { target: "/meta/title", value: "new" }
      ])
      expect(result).toEqual(multipart({ meta: { title: "new" }, file }))
      expect(yield* replaced(multipart(parts), [{ target: "/file/0", value: 1 }]).pipe(Effect.flip))
        .toBe("replacement `/file/0`: `/file` is binary content, which has no members")
    }))

  it.effect("fail for a whole-form target and for fields that are not an object", () =>
    Effect.gen(function*() {
      expect(yield* replaced(form({ a: 1 }), [{ target: "", value: {} }]).pipe(Effect.flip))
        .toBe("replacement ``: the target must name a field of the form body")
      expect(yield* replaced(multipart("x"), [{ target: "/a", value: 1 }]).pipe(Effect.flip))
        .toBe("replacement `/a`: a multipart body must be an object, not a string")
    }))
})

describe("text bodies", () => {
  const urlencoded = "application/x-www-form-urlencoded"

  it.effect("form-urlencoded: replaces the named field, leaves the other pairs as written, appends a new one", () =>
    Effect.gen(function*() {
      const body = text("customerName=J%C3%BCrgen+M&location=Kyiv&location=Odesa&x=%7e", urlencoded)
      const result = yield* replaced(body, [
        { target: "/location", value: "Lviv & co" },
        { target: "/customer name", value: 7 }
      ])
      expect(result).toEqual(
        text("customerName=J%C3%BCrgen+M&location=Lviv+%26+co&x=%7e&customer+name=7", urlencoded)
      )
      const parsed = new URLSearchParams(result._tag === "Text" ? result.text : "")
      expect(parsed.getAll("location")).toEqual(["Lviv & co"])
      expect(parsed.get("customerName")).toBe("Jürgen M")
    }))

  it.effect("form-urlencoded: a target names one field, with a text value", () =>
    Effect.gen(function*() {
      const body = text("a=1", `${urlencoded}; charset=utf-8`)
      expect(yield* replaced(body, [{ target: "/a/b", value: "x" }]).pipe(Effect.flip)).toMatch(/must name one field/)
      expect(yield* replaced(body, [{ target: "/a", value: { b: 1 } }]).pipe(Effect.flip)).toMatch(/not a object/)
    }))

  it.effect("JSON text: parsed, replaced and written back with its content type", () =>
    Effect.gen(function*() {
      const body = text("{\"a\": {\"b\": 1}, \"c\": [1]}", "application/vnd.api+json")
      expect(yield* replaced(body, [{ target: "/a/b", value: "two" }, { target: "/c/-", value: 2 }]))
        .toEqual(text("{\"a\":{\"b\":\"two\"},\"c\":[1,2]}", "application/vnd.api+json"))
      expect(yield* replaced(text("{oops", "application/json"), [{ target: "/a", value: 1 }]).pipe(Effect.flip))
        .toBe("replacement `/a`: the application/json body is not valid JSON")
    }))

  it.effect("XML text is left to replaceXml, other text has no structure", () =>
    Effect.gen(function*() {
      const xml = text("<a><b>1</b></a>", "application/soap+xml")
      expect(yield* replaced(xml, [{ target: "/a/b", value: "2" }]).pipe(Effect.flip)).toBe(
        "replacement `/a/b`: XML bodies take XPath targets: use replaceXml from arazzo-effect/runtime/xml"
      )
      expect(yield* replaced(text("hi", "text/plain"), [{ target: "/a", value: 1 }]).pipe(Effect.flip))
        .toBe("replacement `/a`: a text/plain body has no structure to replace into")
    }))

  it.effect("no replacements give the body back as it is", () =>
    Effect.gen(function*() {
      const body = json({ a: 1 })
      expect(yield* replaced(body, [])).toBe(body)
    }))
})

describe("the runtime's main entry", () => {
  it("never imports fontoxpath or runtime/xml (most documents never need XPath)", () => {
    const seen = new Set<string>()
    const visit = (url: URL) => {
      if (seen.has(url.href)) return
      seen.add(url.href)
      const source = readFileSync(fileURLToPath(url), "utf8")
      expect(source).not.toMatch(/from "(fontoxpath|slimdom)"/)
      for (const [, relative] of source.matchAll(/from "(\.{1,2}\/[\w/-]+)\.js"/g)) {
        expect(relative, url.pathname).not.toMatch(/\/xml$/)
        visit(new URL(`${relative}.ts`, url))
      }
    }
    visit(new URL("../../runtime/effect3/index.ts", import.meta.url))
    expect(seen.size).toBeGreaterThan(5)
  })
})

describe("a replaced body on the wire", () => {
  it.scopedLive("reaches a 127.0.0.1 server byte for byte, JSON, form and XML alike", () =>
    Effect.gen(function*() {
      const received: Array<{ readonly contentType: string | undefined; readonly text: string }> = []
      const server = yield* misbehavingServer({
        "POST /orders": (req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (chunk: Buffer) => chunks.push(chunk))
          req.on("end", () => {
            received.push({ contentType: req.headers["content-type"], text: Buffer.concat(chunks).toString("utf8") })
            sendJson(res, 201, { ok: true })
          })
        }
      })
      const post = operation(source("orders", server.url), "POST", "/orders", { operationId: "createOrder" })
      const client = yield* HttpClient.HttpClient
      const send = (body: Body) => {
        const parts = buildRequest(server.url, post, {}, body)
        return "error" in parts
          ? Effect.die(parts.error)
          : Effect.flatMap(clientRequest(parts), (r) => client.execute(r))
      }

      const payload = deepFreeze({ customer: { name: "Ann" }, items: [{ sku: "a" }] })
      yield* send(
        yield* replace(json(payload), [{ target: "/customer/name", value: "Bo" }, {
          target: "/items/-",
          value: { sku: "b" }
        }])
      )
      yield* send(
        yield* replace(text("customerName=x&location=Kyiv", "application/x-www-form-urlencoded"), [
          { target: "/location", value: "Lviv" }
        ])
      )
      const xml = replaceXml("<?xml version=\"1.0\"?><order><city>Kyiv</city></order>", [{
        target: "/order/city",
        value: "Lviv"
      }])
      if (typeof xml !== "string") return expect.unreachable(xml.error)
      yield* send(text(xml, "application/xml"))

      expect(received).toEqual([
        {
          contentType: "application/json",
          text: "{\"customer\":{\"name\":\"Bo\"},\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}]}"
        },
        { contentType: "application/x-www-form-urlencoded", text: "customerName=x&location=Lviv" },
        { contentType: "application/xml", text: "<?xml version=\"1.0\"?><order><city>Lviv</city></order>" }
      ])
      expect(payload.customer.name).toBe("Ann")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
