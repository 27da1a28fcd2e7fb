/**
 * The bundled Civitai Orchestration mock (test/mock/civitai-orchestration.ts) in its own
 * process, so its CPU and memory are not the benchmark's. Driven over IPC:
 *   { cmd: "stats" }  → request counts per operation since the last reset, statuses, the first
 *                       request of each operation (method, header names, content type and
 *                       length), and this process's cpuUsage and RSS
 *   { cmd: "reset" }  → forgets the request log, blobs and workflows (the mock keeps them in
 *                       memory for ever; a long benchmark would otherwise measure a growing heap)
 * Usage: node --import tsx bench/mock-server.ts [pollsUntilDone] [token]
 * Exits when the parent goes away.
 */
import { startCivitaiMock } from "../test/mock/civitai-orchestration.js"

const pollsUntilDone = Number(process.argv[2] ?? 3)
const token = process.argv[3] ?? "bench-token"

if (process.send === undefined) {
  console.error("bench/mock-server.ts must be started with an IPC channel (see bench/lib/child.ts)")
  process.exit(2)
}

const mock = await startCivitaiMock({ pollsUntilDone, token })

interface FirstRequest {
  readonly method: string
  readonly headerNames: ReadonlyArray<string>
  readonly contentType: string | undefined
  readonly contentLength: string | undefined
}

const stats = () => {
  const cpu = process.cpuUsage()
  const counts: Record<string, number> = {}
  const statuses: Record<string, number> = {}
  const first: Record<string, FirstRequest> = {}
  for (const request of mock.requests) {
    counts[request.operation] = (counts[request.operation] ?? 0) + 1
    const status = String(request.status ?? "pending")
    statuses[status] = (statuses[status] ?? 0) + 1
    if (first[request.operation] === undefined) {
      first[request.operation] = {
        method: request.method,
        headerNames: Object.keys(request.headers).sort(),
        // The multipart boundary differs on every request; keep the media type only.
        contentType: request.headers["content-type"]?.split(";")[0],
        contentLength: request.headers["content-length"]
      }
    }
  }
  // What the first run sent, as the mock stored it, with ids made comparable across runs.
  const [blob] = mock.blobs.values()
  const [workflow] = mock.workflows.values()
  const sample = {
    blob: blob &&
      {
        size: blob.bytes.byteLength,
        sha256: blob.sha256,
        mimeType: blob.mimeType,
        filename: blob.filename,
        moderate: blob.moderate
      },
    workflowRequest: workflow && JSON.parse(JSON.stringify(workflow.request).replace(/"blob_\d+"/g, "\"<blobId>\""))
  }
  const bodyBytes: Record<string, number> = {}
  for (const request of mock.requests) {
    bodyBytes[request.operation] = (bodyBytes[request.operation] ?? 0) + Number(request.headers["content-length"] ?? 0)
  }
  return {
    counts,
    statuses,
    first,
    sample,
    bodyBytes,
    requests: mock.requests.length,
    cpu,
    rss: process.memoryUsage().rss
  }
}

const reset = () => {
  // The mock hands out live views of its state; emptying them is a bench-only reset.
  ;(mock.requests as Array<unknown>).length = 0
  ;(mock.blobs as Map<string, unknown>).clear()
  ;(mock.workflows as Map<string, unknown>).clear()
}

process.on("message", (message: { id: number; cmd: string }) => {
  if (message.cmd === "stats") process.send?.({ id: message.id, ...stats() })
  else if (message.cmd === "reset") {
    reset()
    process.send?.({ id: message.id, ok: true })
  } else process.send?.({ id: message.id, error: `unknown command ${message.cmd}` })
})

const shutdown = () => {
  void mock.close().finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 1_000).unref()
}
process.on("disconnect", shutdown)
process.on("SIGTERM", shutdown)

process.send({ type: "ready", url: mock.url, pid: process.pid })
