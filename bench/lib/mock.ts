/**
 * The Civitai mock in a child process (bench/mock-server.ts), so its CPU and memory are not the
 * benchmark's: start it, read its request log summary and CPU, reset it between blocks.
 */
import type { ChildProcess } from "node:child_process"
import { ask, nextMessage, spawnTs } from "./child.js"

/** The bearer token the mock accepts in every benchmark. */
export const TOKEN = "bench-token"

export interface FirstRequest {
  readonly method: string
  readonly headerNames: Array<string>
  readonly contentType?: string
  readonly contentLength?: string
}

export interface MockStats {
  readonly counts: Record<string, number>
  readonly statuses: Record<string, number>
  readonly first: Record<string, FirstRequest>
  readonly sample: unknown
  readonly bodyBytes: Record<string, number>
  readonly requests: number
  readonly cpu: NodeJS.CpuUsage
  readonly rss: number
}

export const startMockChild = async (pollsUntilDone: number): Promise<{ child: ChildProcess; url: string }> => {
  const child = spawnTs(new URL("../mock-server.ts", import.meta.url), [String(pollsUntilDone), TOKEN])
  const ready = await nextMessage<{ url: string }>(child, (m) => m?.type === "ready")
  return { child, url: ready.url }
}

export const mockStats = (child: ChildProcess) => ask<MockStats>(child, { cmd: "stats" })
export const mockReset = (child: ChildProcess) => ask<{ ok: true }>(child, { cmd: "reset" })
