/**
 * The formatter survives a broken WASM instance: a trap in dprint's plugin (seen on a 4 MB
 * generated module) leaves its memory unusable, and before this every later module failed too.
 * The broken instance here is a real one whose linear memory was overwritten.
 */
import { createFromBuffer, type Formatter } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  formatTypeScript,
  GLOBAL_CONFIG,
  TYPESCRIPT_CONFIG,
  useFormatterForTesting
} from "../../generator/format/index.js"

/** A real dprint instance, then its memory filled with garbage, as a trap leaves it. */
const brokenFormatter = (): Formatter => {
  const Original = WebAssembly.Instance
  let instance: WebAssembly.Instance | undefined
  const capture = new Proxy(Original, {
    construct: (target, args: [WebAssembly.Module, WebAssembly.Imports]) => (instance = new target(...args))
  })
  Object.defineProperty(WebAssembly, "Instance", { value: capture, configurable: true, writable: true })
  let formatter: Formatter
  try {
    formatter = createFromBuffer(readFileSync(getPath()))
  } finally {
    Object.defineProperty(WebAssembly, "Instance", { value: Original, configurable: true, writable: true })
  }
  formatter.setConfig(GLOBAL_CONFIG, TYPESCRIPT_CONFIG)
  new Uint8Array((instance!.exports["memory"] as WebAssembly.Memory).buffer).fill(0xff)
  return formatter
}

describe("formatter recovery", () => {
  it("the broken instance really fails on its own", () => {
    expect(() => brokenFormatter().formatText({ filePath: "a.ts", fileText: "const a = 'x'" })).toThrow()
  })

  it("drops a broken instance and formats on a fresh one, now and after", () => {
    useFormatterForTesting(brokenFormatter())
    expect(formatTypeScript("const a = 'x';")).toBe(`const a = "x"\n`)
    expect(formatTypeScript("let b = [1,2]")).toBe("let b = [1, 2]\n")
  })

  it("still throws on a syntax error (after retrying once), and keeps working", () => {
    expect(() => formatTypeScript("const = ;")).toThrow()
    expect(formatTypeScript("const c = 1;")).toBe("const c = 1\n")
  })
})
