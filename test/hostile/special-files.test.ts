/**
 * Class 8: only regular files are read. A FIFO, /dev/zero or /dev/urandom, as a source
 * description, as the document itself or under a searched directory, is refused at once, without
 * blocking and without reading a byte.
 */
import { execFileSync } from "node:child_process"
import { mkdir, symlink, writeFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { checkDocument } from "../../generator/check.js"
import { findDocuments } from "../../generator/index.js"
import { readRegularFile } from "../../generator/load/files.js"
import { runCli } from "../cli/support.js"
import { makeProject, orderDocument, timed } from "./support.js"

const mkfifo = (file: string) => execFileSync("mkfifo", [file])

describe("special files", () => {
  it("a FIFO as a source description: file-not-regular at the url within 5 s (it would block forever if opened for reading)", async () => {
    const project = await makeProject()
    mkfifo(path.join(project.dir, "openapi/fifo.yaml"))
    const file = await project.document("fifo.yaml", orderDocument("../openapi/fifo.yaml"))
    const { value, ms } = await timed(() => checkDocument(file, { cwd: project.dir }))
    expect(ms).toBeLessThan(5000)
    expect(value.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["5:10 file-not-regular"])
    expect(value[0]!.message).toContain("a FIFO; only regular files are read")
  })

  it.each(["/dev/zero", "/dev/urandom"])("%s given with --source is refused at once", async (device) => {
    const project = await makeProject()
    const file = await project.document("dev.yaml", orderDocument("../openapi/orders.openapi.yaml"))
    const { value, ms } = await timed(() => checkDocument(file, { cwd: project.dir, sources: { orders: device } }))
    expect(ms).toBeLessThan(5000)
    expect(value.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(["5:10 file-not-regular"])
    expect(value[0]!.message).toContain("a device")
  })

  it("the reader refuses devices and FIFOs before reading, and bounds what it reads", async () => {
    const project = await makeProject()
    const fifo = path.join(project.dir, "fifo")
    mkfifo(fifo)
    expect(await readRegularFile(fifo, 1024, "documentBytes")).toMatchObject({ refused: { code: "file-not-regular" } })
    expect(await readRegularFile("/dev/zero", 1024, "documentBytes")).toMatchObject({
      refused: { code: "file-not-regular" }
    })
    expect(await readRegularFile(project.dir, 1024, "documentBytes")).toMatchObject({
      refused: { code: "file-not-regular" }
    })
    // /proc files say they are empty; the read is still bounded by the limit.
    expect(await readRegularFile("/proc/self/status", 16, "documentBytes")).toMatchObject({
      refused: { code: "limit-bytes" }
    })
  })

  it("a FIFO or a device named as the document: the CLI exits 1 at once with the reason", async () => {
    const project = await makeProject()
    const fifo = path.join(project.dir, "arazzo/doc.yaml")
    mkfifo(fifo)
    const result = await runCli(["check", fifo], { cwd: project.dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain("arazzo/doc.yaml:1:1: error file-not-regular a FIFO")
  }, 60_000)

  it("searching a directory passes over FIFOs and does not loop on a symbolic link to a parent", async () => {
    const project = await makeProject()
    const tree = path.join(project.dir, "tree")
    await mkdir(path.join(tree, "sub"), { recursive: true })
    mkfifo(path.join(tree, "blocked.yaml"))
    await symlink(tree, path.join(tree, "sub", "loop"))
    await writeFile(path.join(tree, "sub", "flow.yaml"), orderDocument("../../openapi/orders.openapi.yaml"))
    const { value, ms } = await timed(() => findDocuments([tree]))
    expect(ms).toBeLessThan(5000)
    expect(value).toEqual([path.join(tree, "sub", "flow.yaml")])
  })
})
