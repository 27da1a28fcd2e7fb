/**
 * Reading a file the loader was pointed at, hostile paths included: only regular files, only up
 * to a size limit, and without blocking. The file is opened non-blocking (a FIFO opens at once
 * instead of waiting for a writer), then checked with `fstat` on the open descriptor (so what is
 * checked is what is read): a FIFO, a device (`/dev/zero`, `/dev/urandom`), a socket or a
 * directory is refused before a byte is read. Files that report a size of 0 but are not empty
 * (`/proc/…`) are read only up to the limit.
 */
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { type LimitName, showLimit } from "./limits.js"

/** Why a file was not read, with a stable code for its diagnostic. */
export type Refusal =
  | { readonly code: "file-not-regular"; readonly message: string }
  | { readonly code: "limit-bytes"; readonly message: string; readonly limit: LimitName }
  | { readonly code: "file-unreadable"; readonly message: string }

export type ReadResult = { readonly text: string } | { readonly refused: Refusal }

const kindOf = (
  stats: {
    isFIFO(): boolean
    isCharacterDevice(): boolean
    isBlockDevice(): boolean
    isSocket(): boolean
    isDirectory(): boolean
  }
) =>
  stats.isFIFO()
    ? "a FIFO"
    : stats.isCharacterDevice() || stats.isBlockDevice()
    ? "a device"
    : stats.isSocket()
    ? "a socket"
    : stats.isDirectory()
    ? "a directory"
    : "not a regular file"

const CHUNK = 64 * 1024

/** The text of a regular file of at most `maxBytes` bytes (UTF-8), or why it was not read. */
export const readRegularFile = async (
  file: string,
  maxBytes: number,
  limit: LimitName
): Promise<ReadResult> => {
  let handle
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (cause) {
    return { refused: { code: "file-unreadable", message: messageOf(cause) } }
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) {
      return { refused: { code: "file-not-regular", message: `${kindOf(stats)}; only regular files are read` } }
    }
    const tooLarge = (): ReadResult => ({
      refused: {
        code: "limit-bytes",
        limit,
        message: `larger than the limit of ${showLimit(limit, maxBytes)}`
      }
    })
    if (stats.size > maxBytes) return tooLarge()
    // Read in chunks up to one byte past the limit: the size stat reports is not always the truth.
    const chunks: Array<Buffer> = []
    let total = 0
    while (true) {
      const buffer = Buffer.alloc(Math.min(CHUNK, maxBytes + 1 - total))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      chunks.push(buffer.subarray(0, bytesRead))
      total += bytesRead
      if (total > maxBytes) return tooLarge()
    }
    return { text: Buffer.concat(chunks, total).toString("utf8") }
  } catch (cause) {
    return { refused: { code: "file-unreadable", message: messageOf(cause) } }
  } finally {
    await handle.close().catch(() => undefined)
  }
}

const messageOf = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null && "code" in cause) {
    const code = String((cause as { code: unknown }).code)
    if (code === "ENOENT") return "no such file"
    if (code === "EACCES" || code === "EPERM") return "permission denied"
    if (code === "EISDIR") return "a directory"
  }
  return cause instanceof Error ? cause.message : String(cause)
}
