/**
 * A local Civitai Orchestration API (specs/civitai/openapi/civitai-orchestration-api-openapi.yml)
 * on 127.0.0.1 with an ephemeral port, for end-to-end tests and the demo. It keeps uploaded
 * bytes exactly, moves workflows through a configurable status progression as they are polled,
 * can answer transient 503/429s or answer slowly, and records every request it receives.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import {
  OUTPUT_IMAGE_PNG,
  parseBlobUpload,
  renderBlob,
  storeBlob,
  type StoredBlob
} from "./civitai-orchestration-blobs.js"
import { headerRecord, makeReply, readBodyBytes, readJsonBody, type Reply } from "./civitai-orchestration-http.js"
import {
  advanceOnPoll,
  cancelWorkflow,
  isWorkflowStatus,
  type MockWorkflow,
  newWorkflow,
  outputBlobId,
  type Progression,
  renderWorkflow,
  validateSubmission,
  validateUpdate,
  workflowIdOfOutput,
  type WorkflowOutcome,
  type WorkflowState
} from "./civitai-orchestration-workflows.js"

export { OUTPUT_IMAGE_PNG, type StoredBlob } from "./civitai-orchestration-blobs.js"
export type { MockWorkflow, WorkflowOutcome, WorkflowStatus } from "./civitai-orchestration-workflows.js"

/** The operations of the OpenAPI description the mock serves. */
export type OperationId =
  | "uploadBlob"
  | "getBlobUploadUrl"
  | "getBlob"
  | "submitWorkflow"
  | "queryWorkflows"
  | "getWorkflow"
  | "updateWorkflow"

/**
 * What the log calls a request: an operationId, `blobContent` (downloading a blob's bytes from
 * its `url`), `presignedUpload` (PUT to an `uploadUrl`), or `unknown` (404 and 405).
 */
export type RecordedOperation = OperationId | "blobContent" | "presignedUpload" | "unknown"

export interface UnavailableFault {
  /** How many calls, counted from the first, fail. */
  readonly times: number
  readonly status?: 503 | 429
  /** Sent verbatim: seconds ("1") or an HTTP date. Defaults to "1". */
  readonly retryAfter?: string
}

export interface CivitaiMockOptions {
  /** The bearer token /v2 routes accept. Defaults to "test-token". */
  readonly token?: string
  /** getWorkflow answers that are still running before the terminal one. Defaults to 3. */
  readonly pollsUntilDone?: number
  /** How workflows end. Defaults to "succeeded". */
  readonly outcome?: WorkflowOutcome
  /** Transient failures, per operation; they have no side effects. */
  readonly unavailable?: Readonly<Partial<Record<OperationId, UnavailableFault>>>
  /** Milliseconds to wait before answering, per operation. */
  readonly delayMs?: Readonly<Partial<Record<OperationId, number>>>
}

export interface RecordedRequest {
  readonly operation: RecordedOperation
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The status answered; `undefined` while pending, or when `close()` cut the request short. */
  readonly status: number | undefined
  /** When the request arrived, epoch milliseconds. */
  readonly at: number
}

export interface CivitaiMock {
  /** Base URL, e.g. "http://127.0.0.1:54321", without a trailing slash. */
  readonly url: string
  /** Every request in order of arrival (a live view). */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** How many requests the log holds for an operation, whatever their status. */
  calls(operation: RecordedOperation): number
  /** Uploaded blobs by id (generated outputs are not listed). */
  readonly blobs: ReadonlyMap<string, StoredBlob>
  /** Submitted workflows by id. */
  readonly workflows: ReadonlyMap<string, MockWorkflow>
  /** Stops accepting, drops open connections and pending delays; resolves once closed. */
  close(): Promise<void>
}

interface PendingUpload {
  readonly mimeType: string
  readonly sizeBytes: number | undefined
}

interface MutableRecordedRequest extends Omit<RecordedRequest, "status"> {
  status: number | undefined
}

interface HandlerContext {
  readonly req: IncomingMessage
  readonly url: URL
  /** The decoded path parameter of the route; "" for routes without one. */
  readonly resourceId: string
  readonly reply: Reply
}

// Routing

interface Route {
  readonly pattern: RegExp
  readonly methods: Readonly<Partial<Record<string, Exclude<RecordedOperation, "unknown">>>>
}

/** Most specific first: "blobs/upload-url" must win over "blobs/{blobId}". */
const ROUTES: ReadonlyArray<Route> = [
  { pattern: /^\/v2\/consumer\/blobs$/, methods: { POST: "uploadBlob" } },
  { pattern: /^\/v2\/consumer\/blobs\/upload-url$/, methods: { GET: "getBlobUploadUrl" } },
  { pattern: /^\/v2\/consumer\/blobs\/([^/]+)$/, methods: { GET: "getBlob" } },
  { pattern: /^\/v2\/consumer\/workflows$/, methods: { POST: "submitWorkflow", GET: "queryWorkflows" } },
  { pattern: /^\/v2\/consumer\/workflows\/([^/]+)$/, methods: { GET: "getWorkflow", PUT: "updateWorkflow" } },
  { pattern: /^\/blobs\/([^/]+)$/, methods: { GET: "blobContent" } },
  { pattern: /^\/uploads\/([^/]+)$/, methods: { PUT: "presignedUpload" } }
]

type RouteMatch =
  | { readonly kind: "found"; readonly operation: Exclude<RecordedOperation, "unknown">; readonly resourceId: string }
  | { readonly kind: "methodNotAllowed"; readonly allow: ReadonlyArray<string> }
  | { readonly kind: "notFound" }

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

const matchRoute = (method: string, pathname: string): RouteMatch => {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname)
    if (match === null) continue
    const resourceId = decodeSegment(match[1] ?? "")
    if (resourceId === undefined) return { kind: "notFound" }
    // Own keys only: a method named like an Object.prototype member must not match.
    const operation = Object.hasOwn(route.methods, method) ? route.methods[method] : undefined
    if (operation === undefined) return { kind: "methodNotAllowed", allow: Object.keys(route.methods) }
    return { kind: "found", operation, resourceId }
  }
  return { kind: "notFound" }
}

const isOperationId = (operation: RecordedOperation): operation is OperationId =>
  operation !== "blobContent" && operation !== "presignedUpload" && operation !== "unknown"

const presentedBearerToken = (authorization: string | undefined): string | undefined =>
  /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1]

// Options

const DEFAULT_TOKEN = "test-token"
const DEFAULT_POLLS_UNTIL_DONE = 3
const DEFAULT_TAKE = 20
const MAX_TAKE = 100
const UPLOAD_URL_LIFETIME_MS = 60 * 60 * 1000

const assertCount = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  }
  return value
}

const progressionOf = (options: CivitaiMockOptions): Progression => ({
  pollsUntilDone: assertCount("pollsUntilDone", options.pollsUntilDone ?? DEFAULT_POLLS_UNTIL_DONE),
  outcome: options.outcome ?? "succeeded"
})

const parseCount = (raw: string | null, fallback: number): number | undefined => {
  if (raw === null) return fallback
  return /^\d+$/.test(raw) ? Number(raw) : undefined
}

/** Listens on an ephemeral loopback port; resolves with the port. */
const listen = (server: ReturnType<typeof createServer>): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      const address = server.address()
      if (typeof address === "object" && address !== null) resolve(address.port)
      else reject(new Error(`unexpected server address ${String(address)}`))
    })
  })

/** Starts the mock on 127.0.0.1 with an ephemeral port. */
export const startCivitaiMock = async (options: CivitaiMockOptions = {}): Promise<CivitaiMock> => {
  const token = options.token ?? DEFAULT_TOKEN
  const progression = progressionOf(options)
  for (const [operation, fault] of Object.entries(options.unavailable ?? {})) {
    assertCount(`unavailable.${operation}.times`, fault.times)
  }

  const log: Array<MutableRecordedRequest> = []
  const blobs = new Map<string, StoredBlob>()
  const pendingUploads = new Map<string, PendingUpload>()
  const workflows = new Map<string, WorkflowState>()
  const faultsServed = new Map<OperationId, number>()
  const pendingDelays = new Set<() => void>()
  let blobCount = 0
  let workflowCount = 0
  let closing = false
  let baseUrl = ""

  const nextBlobId = () => `blob_${++blobCount}`

  /** Resolves true after `ms`, or false as soon as the mock closes. */
  const delay = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (closing) return resolve(false)
      const cancel = () => {
        clearTimeout(timer)
        pendingDelays.delete(cancel)
        resolve(false)
      }
      const timer = setTimeout(() => {
        pendingDelays.delete(cancel)
        resolve(true)
      }, ms)
      pendingDelays.add(cancel)
    })

  /** Counts the call against the operation's injected failures; the fault when it is one. */
  const takeFault = (operation: OperationId): UnavailableFault | undefined => {
    const fault = options.unavailable?.[operation]
    const served = faultsServed.get(operation) ?? 0
    if (fault === undefined || served >= fault.times) return undefined
    faultsServed.set(operation, served + 1)
    return fault
  }

  /** An uploaded blob, or the image of a succeeded workflow. */
  const findBlob = (id: string): StoredBlob | undefined => {
    const uploaded = blobs.get(id)
    if (uploaded !== undefined) return uploaded
    const workflow = workflows.get(workflowIdOfOutput(id) ?? "")
    if (workflow?.status !== "succeeded") return undefined
    return storeBlob(
      outputBlobId(workflow.id),
      { bytes: OUTPUT_IMAGE_PNG, mimeType: "image/png", filename: `${id}.png`, moderate: false },
      new Date(workflow.completedAt ?? workflow.createdAt)
    )
  }

  const notFound = (reply: Reply, what: string) => reply.error(404, "not_found", `${what} was not found.`)
  const badRequest = (reply: Reply, message: string) => reply.error(400, "bad_request", message)

  const handlers: Record<Exclude<RecordedOperation, "unknown">, (context: HandlerContext) => Promise<void> | void> = {
    uploadBlob: async ({ req, url, reply }) => {
      const upload = await parseBlobUpload(req, url)
      if (!upload.ok) return badRequest(reply, upload.message)
      const blob = storeBlob(nextBlobId(), upload.value, new Date())
      blobs.set(blob.id, blob)
      reply.json(201, renderBlob(blob, baseUrl))
    },

    getBlobUploadUrl: ({ url, reply }) => {
      const mimeType = url.searchParams.get("mimeType")
      if (mimeType === null || mimeType === "") return badRequest(reply, `the "mimeType" query parameter is required`)
      const rawSize = url.searchParams.get("sizeBytes")
      const sizeBytes = rawSize === null ? undefined : parseCount(rawSize, 0)
      if (rawSize !== null && sizeBytes === undefined) {
        return badRequest(reply, `"sizeBytes" must be a non-negative integer`)
      }
      const blobId = nextBlobId()
      pendingUploads.set(blobId, { mimeType, sizeBytes })
      reply.json(200, {
        blobId,
        uploadUrl: `${baseUrl}/uploads/${encodeURIComponent(blobId)}`,
        expiresAt: new Date(Date.now() + UPLOAD_URL_LIFETIME_MS).toISOString(),
        headers: { "Content-Type": mimeType }
      })
    },

    getBlob: ({ resourceId, reply }) => {
      const blob = findBlob(resourceId)
      if (blob === undefined) return notFound(reply, `Blob "${resourceId}"`)
      reply.json(200, renderBlob(blob, baseUrl))
    },

    submitWorkflow: async ({ req, reply }) => {
      const body = await readJsonBody(req)
      if (!body.ok) return badRequest(reply, body.message)
      const submission = validateSubmission(body.value)
      if (!submission.ok) return badRequest(reply, submission.message)
      const workflow = newWorkflow(`wf_${++workflowCount}`, submission.value, new Date())
      workflows.set(workflow.id, workflow)
      reply.json(202, renderWorkflow(workflow, baseUrl))
    },

    queryWorkflows: ({ url, reply }) => {
      const status = url.searchParams.get("status")
      if (status !== null && !isWorkflowStatus(status)) return badRequest(reply, `"status" is not a workflow status`)
      const take = parseCount(url.searchParams.get("take"), DEFAULT_TAKE)
      if (take === undefined || take < 1 || take > MAX_TAKE) {
        return badRequest(reply, `"take" must be an integer from 1 to ${MAX_TAKE}`)
      }
      // Cursors are offsets this mock handed out.
      const offset = parseCount(url.searchParams.get("cursor"), 0)
      if (offset === undefined) return badRequest(reply, `"cursor" is not a cursor this server issued`)
      const tags = url.searchParams.getAll("tags")
      const matching = [...workflows.values()].filter(
        (workflow) =>
          (status === null || workflow.status === status) && tags.every((tag) => workflow.tags.includes(tag))
      )
      const end = offset + take
      reply.json(200, {
        items: matching.slice(offset, end).map((workflow) => renderWorkflow(workflow, baseUrl)),
        ...(end < matching.length ? { nextCursor: String(end) } : {})
      })
    },

    getWorkflow: ({ resourceId, reply }) => {
      const workflow = workflows.get(resourceId)
      if (workflow === undefined) return notFound(reply, `Workflow "${resourceId}"`)
      advanceOnPoll(workflow, progression, new Date())
      reply.json(200, renderWorkflow(workflow, baseUrl))
    },

    updateWorkflow: async ({ req, resourceId, reply }) => {
      const body = await readJsonBody(req)
      const workflow = workflows.get(resourceId)
      if (workflow === undefined) return notFound(reply, `Workflow "${resourceId}"`)
      if (!body.ok) return badRequest(reply, body.message)
      const update = validateUpdate(body.value)
      if (!update.ok) return badRequest(reply, update.message)
      if (update.value.tags !== undefined) workflow.tags = update.value.tags
      if (update.value.cancel) cancelWorkflow(workflow, new Date())
      reply.json(200, renderWorkflow(workflow, baseUrl))
    },

    blobContent: ({ resourceId, reply }) => {
      const blob = findBlob(resourceId)
      if (blob === undefined) return notFound(reply, `Blob "${resourceId}"`)
      reply.bytes(200, blob.bytes, blob.mimeType)
    },

    presignedUpload: async ({ req, resourceId, reply }) => {
      const bytes = await readBodyBytes(req)
      const pending = pendingUploads.get(resourceId)
      if (pending === undefined) return notFound(reply, `Upload URL for "${resourceId}"`)
      if (pending.sizeBytes !== undefined && pending.sizeBytes !== bytes.byteLength) {
        return badRequest(reply, `expected ${pending.sizeBytes} bytes, received ${bytes.byteLength}`)
      }
      pendingUploads.delete(resourceId)
      blobs.set(
        resourceId,
        storeBlob(resourceId, { bytes, mimeType: pending.mimeType, filename: resourceId, moderate: true }, new Date())
      )
      reply.empty(200)
    }
  }

  /** Delay, auth and injected failures, in that order, before the operation runs. */
  const dispatch = async (req: IncomingMessage, url: URL, match: RouteMatch, reply: Reply): Promise<void> => {
    if (match.kind === "notFound") {
      return reply.error(404, "not_found", `No route for ${req.method ?? "GET"} ${url.pathname}.`)
    }
    if (match.kind === "methodNotAllowed") {
      return reply.error(405, "method_not_allowed", `Use ${match.allow.join(" or ")} on ${url.pathname}.`, {
        allow: match.allow.join(", ")
      })
    }
    const { operation, resourceId } = match
    if (isOperationId(operation)) {
      const delayMs = options.delayMs?.[operation]
      // Closed while waiting: the socket is gone and nothing may change any more.
      if (delayMs !== undefined && !(await delay(delayMs))) return
      if (presentedBearerToken(req.headers.authorization) !== token) {
        return reply.error(401, "unauthorized", "Missing or invalid bearer token.")
      }
      const fault = takeFault(operation)
      if (fault !== undefined) {
        const status = fault.status ?? 503
        const code = status === 429 ? "rate_limited" : "service_unavailable"
        return reply.error(status, code, `${operation} is temporarily unavailable; retry later.`, {
          "retry-after": fault.retryAfter ?? "1"
        })
      }
    }
    await handlers[operation]({ req, url, resourceId, reply })
  }

  /** The request target against the base URL; `undefined` when it does not parse (e.g. "http://["). */
  const parseTarget = (target: string): URL | undefined => {
    try {
      return new URL(target, baseUrl)
    } catch {
      return undefined
    }
  }

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET"
    const url = parseTarget(req.url ?? "/")
    const match: RouteMatch = url === undefined ? { kind: "notFound" } : matchRoute(method, url.pathname)
    const entry: MutableRecordedRequest = {
      operation: match.kind === "found" ? match.operation : "unknown",
      method,
      path: url?.pathname ?? req.url ?? "",
      query: new URLSearchParams(url?.search),
      headers: headerRecord(req),
      status: undefined,
      at: Date.now()
    }
    log.push(entry)
    const reply = makeReply(res, `trace_${log.length}`, (status) => {
      entry.status = status
    })
    try {
      if (url === undefined) return reply.error(400, "bad_request", "The request target is not a valid URL.")
      await dispatch(req, url, match, reply)
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause)
      reply.error(500, "internal_error", `The mock failed: ${message}`)
    }
  }

  const server = createServer((req, res) => {
    // Last resort: whatever escapes must not become an unhandled rejection that ends the process.
    handleRequest(req, res).catch(() => res.destroy())
  })
  baseUrl = `http://127.0.0.1:${await listen(server)}`

  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true
      for (const cancel of [...pendingDelays]) cancel()
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closed
  }

  return {
    url: baseUrl,
    get requests() {
      return log
    },
    calls: (operation) => log.filter((entry) => entry.operation === operation).length,
    blobs,
    workflows,
    close
  }
}

/** The mock for the lifetime of a scope: started on acquisition, closed when the scope closes. */
export const civitaiMock = (options?: CivitaiMockOptions): Effect.Effect<CivitaiMock, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startCivitaiMock(options)),
    (mock) => Effect.promise(() => mock.close())
  )
