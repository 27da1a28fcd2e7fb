/**
 * An optional input that is not given is left out of the payload wherever it stands: an object
 * member, an array item, an object inside an array, an array inside an array, a form field.
 * Never sent as `null`. The real CLI runs the document against a server on 127.0.0.1.
 */
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { root, runCli } from "../cli/support.js"

const DOCUMENT = path.join(root, "test/fixtures/absent-inputs/profiles.arazzo.yaml")

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (text += chunk))
    req.on("end", () => resolve(text))
  })

describe("absent optional inputs in payloads", () => {
  it("are left out of objects, arrays and form bodies, not sent as null", async () => {
    const received: Record<string, { readonly type: string | undefined; readonly body: string }> = {}
    const server = createServer(async (req, res) => {
      received[req.url ?? ""] = { type: req.headers["content-type"], body: await bodyOf(req) }
      res.writeHead(req.url === "/profiles" ? 201 : 200, { "content-type": "application/json" }).end("{}")
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const { code, stderr } = await runCli(["run", DOCUMENT, "--input", "name=Ada", "--server", `profiles=${url}`])
      expect(stderr).not.toMatch(/error/i)
      expect(code).toBe(0)
      expect(received["/profiles"]!.type).toMatch(/^application\/json/)
      expect(JSON.parse(received["/profiles"]!.body)).toEqual({
        profile: { name: "Ada" },
        tags: ["fixed"],
        grants: [{ scope: "all" }],
        matrix: [[]]
      })
      expect(received["/profiles"]!.body).not.toContain("null")
      expect(received["/search"]).toEqual({ type: "application/x-www-form-urlencoded", body: "name=Ada" })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  }, 120_000)
})
