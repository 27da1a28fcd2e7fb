/**
 * `arazzo-effect/testing`: run generated workflows without a network. `MockApi.layer(routes)`
 * is an `HttpClient` that answers from a table of routes and records every request it
 * receives, so a test can check both what the workflow returned and what it sent.
 *
 * @example
 * const api = MockApi.layer({
 *   "POST /v2/consumer/blobs": { status: 201, json: { id: "blob_1" } },
 *   "GET /v2/consumer/workflows/{workflowId}": [
 *     { json: { status: "processing" } },
 *     { json: { status: "succeeded" } } // the last answer repeats
 *   ]
 * })
 * // then: Effect.provide(api), and `yield* MockApi` for the recorded requests
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import {
  matchRoute,
  type MockBody,
  type MockTransportError,
  parseRouteKey,
  type RouteKey,
  toWebResponse
} from "../core/mock-routes.js"
import {
  currentStep,
  readRecording,
  type Recording,
  type RecordingInvalid,
  Replay,
  replayer,
  type ReplayOptions,
  replayResponse,
  requestBody
} from "./recording.js"

export type { MockBody, MockTransportError } from "../core/mock-routes.js"
export {
  bodyBytes,
  CREDENTIAL_HEADERS,
  currentStep,
  decodeRecording,
  type Difference,
  encodeRecording,
  readRecording,
  type RecordedBody,
  type RecordedExchange,
  type RecordedRequest as RecordedExchangeRequest,
  type RecordedResponse,
  Recorder,
  type RecorderOptions,
  type RecorderService,
  type Recording,
  RecordingDrift,
  RecordingInvalid,
  Replay,
  type ReplayOptions,
  type ReplayService,
  type StepRef
} from "./recording.js"

/**
 * One answer. `status` defaults to 200. `content-type` defaults by body kind
 * (`application/json`, `text/plain`, `application/octet-stream`); `headers` override it.
 * `delay` waits on the Effect clock before answering, so `TestClock` controls it.
 */
export type MockResponse = MockBody & {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly delay?: Duration.DurationInput
}

export type MockReply = MockResponse | MockTransportError

/**
 * How a route answers: one reply for every call; a sequence, one per call in order, whose
 * last reply repeats once the others are used (drives polls: processing, processing,
 * succeeded); or a function of the request.
 */
export type MockRoute =
  | MockReply
  | ReadonlyArray<MockReply>
  | ((request: RecordedRequest) => MockReply | Effect.Effect<MockReply>)

/**
 * Routes keyed `"METHOD /path"`. The path is the URL path as sent (a server URL's base path
 * included) and may hold `{name}` templates, each matching one path segment:
 * `"GET /v2/consumer/workflows/{workflowId}"`. A key may name the origin too
 * (`"GET https://api.example.com/pets"`); otherwise any host matches. When several routes
 * match, the one with the most literal segments wins.
 */
export type MockRoutes = Readonly<Record<string, MockRoute>>

/** A recorded body could not be read the way a test asked for. */
export class MockBodyError extends Data.TaggedError("MockBodyError")<{
  readonly request: string
  readonly detail: string
}> {
  override get message() {
    return `Body of ${this.request}: ${this.detail}`
  }
}

/** A request as the mock received it. Headers are kept as sent, secrets included: it is for tests. */
export class RecordedRequest {
  constructor(
    readonly method: string,
    /** The full URL, query included. */
    readonly url: URL,
    /** Header values by lower-cased name; `content-type` is the body's. */
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Uint8Array,
    /** The key of the route that answered, or `undefined` when none matched. */
    readonly route: string | undefined,
    /** Values of the route's `{name}` path templates, decoded. */
    readonly params: Readonly<Record<string, string>>
  ) {}

  /** `"GET /v2/consumer/workflows/wf_1"`. */
  get target(): string {
    return `${this.method} ${this.url.pathname}`
  }

  get path(): string {
    return this.url.pathname
  }

  /** Query parameters; `getAll` for repeated names. */
  get query(): URLSearchParams {
    return this.url.searchParams
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return new TextDecoder().decode(this.body)
  }

  /** The body parsed as JSON; throws `MockBodyError` when it is not JSON. */
  json(): unknown {
    try {
      return JSON.parse(this.text)
    } catch (cause) {
      throw new MockBodyError({ request: this.target, detail: `not JSON (${String(cause)})` })
    }
  }

  /** The body parsed as `multipart/form-data` or `application/x-www-form-urlencoded`. */
  get formData(): Effect.Effect<FormData, MockBodyError> {
    return Effect.tryPromise({
      try: () =>
        new Response(this.body as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": this.headers["content-type"] ?? "" }
        })
          .formData(),
      catch: (cause) => new MockBodyError({ request: this.target, detail: `not form data (${String(cause)})` })
    })
  }
}

/** The recorded traffic of one mock, and the `HttpClient` that answers it. */
export interface MockApiService {
  readonly client: HttpClient.HttpClient
  /** Every request received, in order. */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** The requests a route answered, by its key exactly as written in the table. */
  readonly calls: (route: string) => ReadonlyArray<RecordedRequest>
  /** The requests no route matched; each was answered 404. */
  readonly unmatched: ReadonlyArray<RecordedRequest>
}

/**
 * A mock API. `MockApi.layer(routes)` provides both the `HttpClient` a workflow needs and this
 * service, which tests read (`yield* MockApi`) to see what was sent. Each build of the layer
 * starts with fresh sequences and an empty record.
 *
 * A request no route matches is answered `404` with a JSON body naming it and listing the
 * routes: a workflow then fails at once with `StepFailed` (status 404, the message in its
 * `body`), where a transport error would be retried and wait on the clock.
 */
export class MockApi extends Context.Tag("arazzo-effect/testing/MockApi")<MockApi, MockApiService>() {
  static make(routes: MockRoutes): MockApiService {
    return makeMockApi(routes)
  }

  static layer(routes: MockRoutes): Layer.Layer<MockApi | HttpClient.HttpClient> {
    return Layer.effectContext(Effect.sync(() => {
      const api = makeMockApi(routes)
      return Context.make(MockApi, api).pipe(Context.add(HttpClient.HttpClient, api.client))
    }))
  }

  /**
   * A mock that answers from a recording (`run --record`, or `Recorder`): each request gets the
   * next response recorded for the step that sends it, offline. A request the recording does not
   * have (the step sent more, or something else) dies with a `RecordingDrift` naming the step and
   * what was expected and sent. Redacted values in the recording match whatever is sent in their
   * place; give `secrets` (the run's secret inputs) to keep them out of drift messages. `Replay`
   * tells which recorded exchanges were not used. `route` of a replayed request is `workflowId/stepId`.
   */
  static fromRecording(
    source: string | Recording,
    options: ReplayOptions = {}
  ): Layer.Layer<MockApi | Replay | HttpClient.HttpClient, RecordingInvalid> {
    return Layer.effectContext(Effect.map(
      typeof source === "string" ? readRecording(source) : Effect.succeed(source),
      (recording) => {
        const { api, replay } = makeReplayApi(recording, options)
        return Context.make(MockApi, api).pipe(
          Context.add(HttpClient.HttpClient, api.client),
          Context.add(Replay, replay)
        )
      }
    ))
  }

  /** Every request the mock in context received, in order. */
  static readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>, never, MockApi> = Effect.map(
    MockApi,
    (api) => api.requests
  )
}

interface CompiledRoute extends RouteKey {
  readonly answer: (request: RecordedRequest) => Effect.Effect<MockReply>
}

const compileRoute = (key: string, route: MockRoute): CompiledRoute => ({
  ...parseRouteKey(key),
  answer: answerer(route)
})

const answerer = (route: MockRoute): CompiledRoute["answer"] => {
  if (typeof route === "function") {
    return (request) => {
      const reply = route(request)
      return Effect.isEffect(reply) ? reply : Effect.succeed(reply)
    }
  }
  if (!isSequence(route)) return () => Effect.succeed(route)
  if (route.length === 0) throw new Error("MockApi: a sequence of replies cannot be empty")
  let next = 0
  return () => Effect.sync(() => route[Math.min(next++, route.length - 1)]!)
}

const isSequence = (route: MockReply | ReadonlyArray<MockReply>): route is ReadonlyArray<MockReply> =>
  Array.isArray(route)

const makeMockApi = (routes: MockRoutes): MockApiService => {
  const compiled = Object.entries(routes)
    .map(([key, route]) => compileRoute(key, route))
    // Most literal segments first; the table's order breaks ties (sort is stable).
    .sort((a, b) => b.literals - a.literals)
  const log: Array<RecordedRequest> = []

  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const { bytes, contentType } = yield* requestBody(request).pipe(
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
      const headers: Record<string, string> = { ...request.headers }
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      let matched: { readonly route: CompiledRoute; readonly params: Record<string, string> } | undefined
      for (const route of compiled) {
        const params = matchRoute(route, request.method, url)
        if (params !== undefined) {
          matched = { route, params }
          break
        }
      }
      const recorded = new RecordedRequest(
        request.method,
        url,
        headers,
        bytes,
        matched?.route.key,
        matched?.params ?? {}
      )
      log.push(recorded)
      const reply: MockReply = matched === undefined
        ? {
          status: 404,
          json: {
            error: `MockApi has no route for ${recorded.target}`,
            routes: compiled.map((r) => r.key)
          }
        }
        : yield* matched.route.answer(recorded)
      if ("transportError" in reply) {
        return yield* new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new Error(reply.transportError),
          description: reply.transportError
        })
      }
      if (reply.delay !== undefined) yield* Effect.sleep(reply.delay)
      return HttpClientResponse.fromWeb(request, toWebResponse(reply))
    })
  )

  return {
    client,
    get requests() {
      return [...log]
    },
    calls: (route) => log.filter((request) => request.route === route),
    get unmatched() {
      return log.filter((request) => request.route === undefined)
    }
  }
}

const makeReplayApi = (recording: Recording, options: ReplayOptions) => {
  const { answer, service } = replayer(recording, options)
  const log: Array<RecordedRequest> = []
  const drifted: Array<RecordedRequest> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const step = yield* currentStep(request)
      const { bytes, contentType } = yield* requestBody(request).pipe(
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
      const headers: Record<string, string> = { ...request.headers }
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      const route = step.stepId === undefined ? undefined : `${step.workflowId ?? ""}/${step.stepId}`
      const recorded = new RecordedRequest(request.method, url, headers, bytes, route, {})
      log.push(recorded)
      const exchange = yield* answer(step, { method: request.method, url: url.toString(), headers, bytes, contentType })
        .pipe(
          // A drift is not the API's answer, to be retried or handled: the run stops and says why.
          Effect.catchAll((drift) => Effect.zipRight(Effect.sync(() => drifted.push(recorded)), Effect.die(drift)))
        )
      return yield* replayResponse(request, exchange)
    })
  )
  const api: MockApiService = {
    client,
    get requests() {
      return [...log]
    },
    calls: (route) => log.filter((request) => request.route === route),
    get unmatched() {
      return [...drifted]
    }
  }
  return { api, replay: service }
}
