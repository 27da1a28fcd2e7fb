/**
 * The runtime against a server that misbehaves, over real HTTP on 127.0.0.1. Step 1 of a
 * two-step workflow succeeds; step 2 meets the misbehaviour. Every case ends in a typed error
 * (never a defect) that names the step, says what went wrong and keeps step 1's outputs, or
 * in a success whose missing outputs are `undefined`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Arazzo from "arazzo-effect/runtime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { ServerResponse } from "node:http"
import {
  closedPort,
  type Exchange,
  type Handler,
  type MisbehavingServer,
  misbehavingServer,
  sendJson,
  sendRaw,
  sendText,
  streamBytes
} from "../support/misbehaving-server.js"
import { twoStep, type TwoStepResult } from "../support/two-step-workflow.js"

const TOKEN = "sk-test-0123456789abcdef"
const MiB = 1024 * 1024
const STEP1 = { createJob: { jobId: "job_1" } }

/** Step 2 on the GET route of a scenario; a GET is idempotent, so transport failures are retried. */
const route = (scenario: string) => `GET /results/${scenario}`

/** Writes the head and part of a body, then resets the connection once the bytes are out. */
const resetMidBody = (res: ServerResponse, headers: Record<string, string | number>) => {
  res.writeHead(200, { "content-type": "application/json", ...headers })
  res.write("{\"result\": {\"title\": \"Moby", () => res.socket?.resetAndDestroy())
}

const HTML_ERROR = "<!doctype html><html><body><h1>500 Internal Server Error</h1><p>upstream crashed</p></body></html>"

/** `[[[[…]]]]`: parses fine, but overflows the stack of anything that walks it recursively. */
const DEEP = "[".repeat(20_000) + "]".repeat(20_000)

const routes: Readonly<Record<string, Handler>> = {
  "POST /jobs": (_req, res) => sendJson(res, 201, { id: "job_1" }),
  [route("ok")]: (_req, res) => sendJson(res, 200, { result: { title: "Moby Dick", pages: 635 } }),
  [route("bad-json")]: (_req, res) => sendText(res, 200, "{\"result\": {\"title\": \"Moby", "application/json"),
  [route("bad-json-echo")]: (req, res) => sendText(res, 200, `key ${req.headers.authorization}`, "application/json"),
  [route("missing-field")]: (_req, res) => sendJson(res, 200, { result: { author: "Melville" } }),
  [route("wrong-type")]: (_req, res) => sendJson(res, 200, { result: { title: 42, pages: 635 } }),
  [route("wrong-type-echo")]: (req, res) =>
    sendJson(res, 200, { result: { title: { echo: req.headers.authorization } } }),
  [route("html")]: (_req, res) =>
    sendText(res, 200, "<html><body>Please sign in</body></html>", "text/html; charset=utf-8"),
  [route("empty")]: (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 0 })
    res.end()
  },
  [route("near-limit")]: (_req, res) => sendJson(res, 200, { result: { title: "x".repeat(MiB - 100), pages: 1 } }),
  [route("huge")]: (_req, res, { exchange }) => streamBytes(res, exchange, 64 * MiB),
  [route("huge-announced")]: (_req, res, { exchange }) =>
    streamBytes(res, exchange, 64 * MiB, { "content-length": 64 * MiB }),
  [route("reset-mid-body")]: (_req, res) => resetMidBody(res, { "content-length": 1000 }),
  [route("reset-mid-chunked-body")]: (_req, res) => resetMidBody(res, {}),
  [route("no-response")]: (req) => req.socket.destroy(),
  [route("slow")]: (_req, res, { after }) => after(10_000, () => sendJson(res, 200, { result: {} })),
  [route("stalled-body")]: (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": 1000 })
    res.write("{\"result\": ")
  },
  [route("server-error")]: (_req, res) => sendText(res, 500, HTML_ERROR, "text/html"),
  [route("deep-json-error")]: (_req, res) => sendText(res, 500, DEEP, "application/json"),
  [route("deep-json-output")]: (_req, res) => sendText(res, 200, `{"result": {"title": ${DEEP}}}`, "application/json"),
  [route("bad-gateway-claiming-json")]: (_req, res) => sendText(res, 502, HTML_ERROR, "application/json"),
  [route("invalid-chunked")]: (_req, res) =>
    sendRaw(
      res,
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    ),
  [route("short-content-length")]: (_req, res) =>
    sendRaw(res, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"result\": {}}"),
  [route("short-content-length-kept-open")]: (_req, res) => {
    const socket = res.socket
    socket?.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"result\": {}}")
  }
}

/** Three attempts at most, 1 ms apart: retries are visible but quick. */
const fastRetry = Schedule.spaced("1 millis").pipe(Schedule.intersect(Schedule.recurs(2)))

/** Runs the workflow on `scenario`; every run is bounded by a 5 s step and 10 s workflow timeout. */
const runScenario = (
  server: MisbehavingServer,
  scenario: string,
  options: { readonly policy?: Arazzo.PolicySettings; readonly resultsUrl?: string } = {}
): Effect.Effect<Exit.Exit<TwoStepResult, Arazzo.WorkflowError>> =>
  twoStep({ apiKey: TOKEN, scenario }).pipe(
    Effect.provide(Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Arazzo.Servers.layer({ jobsApi: server.url, resultsApi: options.resultsUrl ?? server.url }),
      Arazzo.Policies.layer({
        retry: fastRetry,
        stepTimeout: "5 seconds",
        workflowTimeout: "10 seconds",
        ...options.policy
      })
    )),
    Effect.exit
  )

/** The typed failure of a run: fails the test on success, on a defect and on an interruption. */
const typedFailure = (exit: Exit.Exit<TwoStepResult, Arazzo.WorkflowError>): Arazzo.WorkflowError => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  expect(Option.isNone(Cause.dieOption(exit.cause)), `a defect: ${Cause.pretty(exit.cause)}`).toBe(true)
  expect(Cause.isInterruptedOnly(exit.cause)).toBe(false)
  const failure = Cause.failureOption(exit.cause)
  expect(Option.isSome(failure)).toBe(true)
  return Option.getOrThrow(failure)
}

/** What every failure of step 2 must say: where, what, and step 1's outputs; never the token. */
const expectStep2Failure = <T extends Arazzo.WorkflowError["_tag"]>(
  error: Arazzo.WorkflowError,
  tag: T
): Extract<Arazzo.WorkflowError, { readonly _tag: T }> => {
  expect(error._tag).toBe(tag)
  if (error._tag === "InputsInvalid" || error._tag === "DependencyFailed") {
    throw new Error(`unexpected ${error.message}`)
  }
  expect(error.stepOutputs).toEqual(STEP1)
  if (error._tag !== "WorkflowTimeout" && error._tag !== "StepLimitExceeded" && error._tag !== "CallFailed") {
    expect(error.stepId).toBe("readResult")
    expect(error.request.method).toBe("GET")
    expect(error.request.url).toMatch(/\/results\/[a-z-]+\?job=job_1$/)
    expect(error.message).toContain("step readResult")
  }
  for (const text of [error.message, JSON.stringify(error)]) expect(text).not.toContain(TOKEN)
  return error as Extract<Arazzo.WorkflowError, { readonly _tag: T }>
}

const success = (exit: Exit.Exit<TwoStepResult, Arazzo.WorkflowError>): TwoStepResult => {
  if (Exit.isFailure(exit)) throw new Error(`expected a success, got ${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** Waits (real clock, at most 5 s) until the server saw the connection of an exchange close. */
const closedByClient = (exchange: Exchange | undefined): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    for (let waited = 0; waited < 5_000 && exchange?.closed !== true; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return exchange?.closed === true
  })

const lastExchange = (server: MisbehavingServer, scenario: string) =>
  server.exchanges.filter((e) => e.route === route(scenario)).at(-1)

describe("a server that sends bodies the step cannot use", () => {
  it.scopedLive("a well-behaved answer completes (the baseline the other cases break)", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const result = success(yield* runScenario(server, "ok"))
      expect(result.steps).toEqual({ ...STEP1, readResult: { title: "Moby Dick", pages: 635 } })
      expect(result.outputs).toEqual({ jobId: "job_1", title: "Moby Dick" })
      expect(server.exchanges.find((e) => e.route === route("ok"))?.url).toBe("/results/ok?job=job_1")
    }))

  it.scopedLive("a body that is not valid JSON under application/json is ResponseInvalid (InvalidJson)", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "bad-json")), "ResponseInvalid")
      expect(error.status).toBe(200)
      expect(error.reason).toBe("InvalidJson")
      expect(error.detail).toBe(
        `body is not valid JSON (Unterminated string in JSON at position 26); the body begins ${
          JSON.stringify("{\"result\": {\"title\": \"Moby")
        }`
      )
      expect(error.message).toContain("(status 200) is invalid: body is not valid JSON")
      expect(server.hits(route("bad-json"))).toBe(1) // a bad body is not retried
    }))

  it.scopedLive("a bad JSON body that echoes the token keeps it out of the error", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "bad-json-echo")), "ResponseInvalid")
      expect(error.reason).toBe("InvalidJson")
      expect(error.detail).toBe(
        `body is not valid JSON (Unexpected token 'k'); the body begins "key Bearer ${Arazzo.REDACTED}"`
      )
    }))

  it.scopedLive("a JSON body without the fields the outputs point at succeeds with those outputs undefined", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const result = success(yield* runScenario(server, "missing-field"))
      expect(result._tag).toBe("Completed")
      expect(result.steps).toEqual({ ...STEP1, readResult: { title: undefined, pages: undefined } })
      expect(result.outputs).toEqual({ jobId: "job_1", title: undefined })
    }))

  it.scopedLive("a field of the wrong type is ResponseInvalid (Output) naming the output and its expression", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "wrong-type")), "ResponseInvalid")
      expect(error.status).toBe(200)
      expect(error.reason).toBe("Output")
      expect(error.output).toBe("title")
      expect(error.detail).toBe(
        "output `title` ($response.body#/result/title) does not match its schema: Expected string, actual 42"
      )
    }))

  it.scopedLive("a wrong-typed value that echoes the token keeps it out of the error", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "wrong-type-echo")), "ResponseInvalid")
      expect(error.output).toBe("title")
      expect(error.detail).toContain(`Bearer ${Arazzo.REDACTED}`)
    }))

  // Decision: an HTML (or any non-JSON) body cannot be pointed into. Calling the output
  // `undefined` would pass a sign-in page or a proxy's error page off as "the field is absent",
  // so it is ResponseInvalid naming the output and the content type that came instead.
  it.scopedLive("text/html where the outputs point into JSON is ResponseInvalid (Output), not undefined outputs", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "html")), "ResponseInvalid")
      expect(error.status).toBe(200)
      expect(error.reason).toBe("Output")
      expect(error.output).toBe("title")
      expect(error.detail).toBe(
        "output `title` ($response.body#/result/title) points into a body that is " +
          "text (text/html; charset=utf-8), not JSON"
      )
    }))

  it.scopedLive("an empty 200 body succeeds with the body outputs undefined", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const result = success(yield* runScenario(server, "empty"))
      expect(result.steps).toEqual({ ...STEP1, readResult: { title: undefined, pages: undefined } })
    }))

  it.scopedLive("a 500 with an HTML error page is StepFailed with the status and the page as text", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "server-error")), "StepFailed")
      expect(error.status).toBe(500)
      expect(error.criterion).toBe("$statusCode == 200")
      expect(error.body).toBe(HTML_ERROR)
      expect(error.message).toContain("(status 500)")
      expect(server.hits(route("server-error"))).toBe(1) // 500 is not a transient status here
    }))

  it.scopedLive("a deeply nested JSON error body is StepFailed with the body cut at a safe depth", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "deep-json-error")), "StepFailed")
      expect(error.status).toBe(500)
      let depth = 0
      for (let b: unknown = error.body; Array.isArray(b); b = b[0]) depth++
      expect(depth).toBe(Arazzo.MAX_DEPTH)
      expect(JSON.stringify(error.body)).toContain(Arazzo.TOO_DEEP)
    }))

  it.scopedLive("a deeply nested value where a string is expected is ResponseInvalid (Output), not a crash", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "deep-json-output")), "ResponseInvalid")
      expect(error.reason).toBe("Output")
      expect(error.output).toBe("title")
      expect(error.detail).toBe(
        "output `title` ($response.body#/result/title) does not match its schema (expected string); " +
          "the mismatch cannot be described: RangeError: Maximum call stack size exceeded"
      )
    }))

  // A body that claims JSON is decoded before the criteria run; it is reported as invalid JSON,
  // with the status in the error, rather than judged by criteria against a body that is not there.
  it.scopedLive("a 502 whose HTML body claims to be JSON is ResponseInvalid (InvalidJson) with status 502", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(
        typedFailure(yield* runScenario(server, "bad-gateway-claiming-json")),
        "ResponseInvalid"
      )
      expect(error.status).toBe(502)
      expect(error.reason).toBe("InvalidJson")
      expect(error.message).toContain("(status 502) is invalid: body is not valid JSON (Unexpected token '<')")
      expect(error.detail).toContain("the body begins \"<!doctype html><html><body><h1>500 Internal Server Error")
    }))
})

describe("a body larger than maxResponseBytes", () => {
  const limit = { maxResponseBytes: 1 * MiB }

  it.scopedLive("is ResponseInvalid (TooLarge), read only up to the limit and not retried", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "huge", { policy: limit })
      const error = expectStep2Failure(typedFailure(exit), "ResponseInvalid")
      expect(error.status).toBe(200)
      expect(error.reason).toBe("TooLarge")
      expect(error.detail).toBe("body exceeds 1 MiB, the step's maxResponseBytes; it was not read further")
      expect(server.hits(route("huge"))).toBe(1)
      // The client hung up: the server could not finish the 64 MiB and wrote far less.
      const exchange = lastExchange(server, "huge")
      expect(yield* closedByClient(exchange)).toBe(true)
      expect(exchange?.finished).toBe(false)
      expect(exchange?.written).toBeLessThan(32 * MiB)
    }))

  it.scopedLive("announced by Content-Length fails on the first bytes", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "huge-announced", { policy: limit })
      const error = expectStep2Failure(typedFailure(exit), "ResponseInvalid")
      expect(error.reason).toBe("TooLarge")
      expect(error.detail).toBe(
        "body exceeds 1 MiB, the step's maxResponseBytes (Content-Length announces 64 MiB); it was not read further"
      )
      const exchange = lastExchange(server, "huge-announced")
      expect(yield* closedByClient(exchange)).toBe(true)
      expect(exchange?.finished).toBe(false)
    }))

  it.scopedLive("is a per-step setting: a body just under it is read whole", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const result = success(
        yield* runScenario(server, "near-limit", {
          policy: {
            maxResponseBytes: 1024,
            workflows: { "two-step": { steps: { readResult: { maxResponseBytes: MiB } } } }
          }
        })
      )
      expect(result.steps.readResult?.title).toHaveLength(MiB - 100)
    }))
})

describe("a connection that fails", () => {
  for (const scenario of ["reset-mid-body", "reset-mid-chunked-body"]) {
    it.scopedLive(`${scenario}: RequestFailed (Transport) after the retries of an idempotent GET`, () =>
      Effect.gen(function*() {
        const server = yield* misbehavingServer(routes)
        const error = expectStep2Failure(typedFailure(yield* runScenario(server, scenario)), "RequestFailed")
        expect(error.reason).toBe("Transport")
        expect(error.attempts).toBe(3)
        expect(server.hits(route(scenario))).toBe(3)
        expect(error.detail).toBe("reading the body of the 200 response failed: other side closed (UND_ERR_SOCKET)")
        expect(error.message).toContain("failed after 3 attempt(s): Transport: reading the body of the 200 response")
      }))
  }

  it.scopedLive("closed without any response: RequestFailed (Transport) after the retries", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const error = expectStep2Failure(typedFailure(yield* runScenario(server, "no-response")), "RequestFailed")
      expect(error.reason).toBe("Transport")
      expect(error.attempts).toBe(3)
      expect(server.hits(route("no-response"))).toBe(3)
      expect(error.detail).toBe("other side closed (UND_ERR_SOCKET)")
    }))

  it.scopedLive("an unreachable host (a closed port on 127.0.0.1): RequestFailed mentioning ECONNREFUSED", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const port = yield* closedPort
      const exit = yield* runScenario(server, "ok", { resultsUrl: `http://127.0.0.1:${port}` })
      const error = expectStep2Failure(typedFailure(exit), "RequestFailed")
      expect(error.reason).toBe("Transport")
      expect(error.attempts).toBe(3)
      expect(error.detail).toBe(`connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`)
      expect(error.request.url).toBe(`http://127.0.0.1:${port}/results/ok?job=job_1`)
    }))

  it.scopedLive("invalid chunked encoding: RequestFailed, not a hang", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "invalid-chunked", { policy: { stepTimeout: "2 seconds" } })
      const error = expectStep2Failure(typedFailure(exit), "RequestFailed")
      expect(error.reason).toBe("Transport")
      expect(error.attempts).toBe(3)
      expect(error.detail).toMatch(/^reading the body of the 200 response failed: .*Invalid character in chunk size/)
    }))

  it.scopedLive("a body shorter than its Content-Length, then close: RequestFailed, not a hang", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "short-content-length", { policy: { stepTimeout: "2 seconds" } })
      const error = expectStep2Failure(typedFailure(exit), "RequestFailed")
      expect(error.reason).toBe("Transport")
      expect(error.attempts).toBe(3)
      expect(error.detail).toBe("reading the body of the 200 response failed: other side closed (UND_ERR_SOCKET)")
    }))
})

describe("a server slower than the timeouts", () => {
  it.scopedLive("slower than the step timeout: StepTimeout", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "slow", { policy: { stepTimeout: "200 millis" } })
      const error = expectStep2Failure(typedFailure(exit), "StepTimeout")
      expect(error.message).toBe(`Timed out after 200ms: step readResult (GET ${error.request.url})`)
    }))

  it.scopedLive("a body that stalls, or is shorter than its Content-Length on a live connection: StepTimeout", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      for (const scenario of ["stalled-body", "short-content-length-kept-open"]) {
        const exit = yield* runScenario(server, scenario, { policy: { stepTimeout: "200 millis" } })
        expectStep2Failure(typedFailure(exit), "StepTimeout")
        // The client gave up on the answer and dropped the connection.
        expect(yield* closedByClient(lastExchange(server, scenario))).toBe(true)
      }
    }))

  it.scopedLive("slower than the workflow timeout: WorkflowTimeout with step 1's outputs", () =>
    Effect.gen(function*() {
      const server = yield* misbehavingServer(routes)
      const exit = yield* runScenario(server, "slow", { policy: { workflowTimeout: "300 millis" } })
      const error = expectStep2Failure(typedFailure(exit), "WorkflowTimeout")
      expect(error.message).toBe("Workflow two-step timed out after 300ms")
    }))
})
