/**
 * An `HttpClient` straight over `node:http` / `node:https`, for applications that opt into it
 * (`runtime/effect4/node-client.ts`); the Effect 4 twin of the Effect 3 line's. `HttpClient.make`
 * (what every platform client uses) parses the URL again per request, makes an `AbortController`,
 * masks interruption and registers each response for cleanup; this one sends each request with
 * one `Effect.callback` on a keep-alive `Agent`, and interrupting it destroys the request. Its
 * limits: no client spans (the runtime records its own step spans), and a response's body must
 * be read (or the response dropped by interruption) for its connection to be reused, as the
 * runtime always does.
 */
import * as Effect from "effect/Effect"
import * as Formatter from "effect/Formatter"
import * as Cookies from "effect/http/Cookies"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Pipeable from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import * as Https from "node:https"

export interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

const utf8 = new TextDecoder()

/** A response whose body is read off the `IncomingMessage` on demand, once. */
class NodeResponse implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private bytes: Uint8Array | undefined
  private cachedHeaders: Headers.Headers | undefined
  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly url: string,
    private readonly source: Http.IncomingMessage
  ) {}

  get status(): number {
    return this.source.statusCode ?? 0
  }
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers)
  }
  get cookies(): Cookies.Cookies {
    return Cookies.fromSetCookie(this.source.headers["set-cookie"] ?? [])
  }
  get remoteAddress(): Option.Option<string> {
    return Option.fromNullishOr(this.source.socket?.remoteAddress)
  }

  private decodeError(cause: unknown): HttpClientError.HttpClientError {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }

  /** The whole body, read off the socket on the first read; later reads get the same bytes. */
  private get body(): Effect.Effect<Uint8Array, HttpClientError.HttpClientError> {
    return Effect.suspend(() =>
      this.bytes !== undefined
        ? Effect.succeed(this.bytes)
        : Effect.callback<Uint8Array, HttpClientError.HttpClientError>((resume) => {
          const source = this.source
          const chunks: Array<Buffer> = []
          const onData = (chunk: Buffer) => void chunks.push(chunk)
          const onEnd = () => {
            cleanup()
            resume(Effect.succeed(this.bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
          }
          const onError = (cause: unknown) => {
            cleanup()
            resume(Effect.fail(this.decodeError(cause)))
          }
          const onAborted = () => onError(new Error("the response was cut short"))
          const cleanup = () => {
            source.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onAborted)
          }
          source.on("data", onData).once("end", onEnd).once("error", onError).once("aborted", onAborted)
          return Effect.sync(() => {
            cleanup()
            source.destroy()
          })
        })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.map(this.body, (bytes) =>
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer as ArrayBuffer
        : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    return Effect.map(this.body, (bytes) => utf8.decode(bytes))
  }
  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(
      this.text,
      (text) =>
        Effect.try({
          try: () => text === "" ? null : JSON.parse(text) as Schema.Json,
          catch: (e) => this.decodeError(e)
        })
    )
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.body, (bytes) =>
      Effect.tryPromise({
        try: () =>
          new Response(bytes as Uint8Array<ArrayBuffer>, {
            headers: { "content-type": this.headers["content-type"] ?? "" }
          })
            .formData(),
        catch: (e) => this.decodeError(e)
      }))
  }
  /** The body as it arrives; ending the stream early destroys the response (the connection is not reused). */
  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    return Stream.fromAsyncIterable(this.source as AsyncIterable<Uint8Array>, (e) => this.decodeError(e))
  }

  /** Connections are never handed over (no upgrades), as with fetch. */
  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    return Effect.fail(
      requestError(this.request, "Transport", undefined, "this client does not hand over connections (no upgrades)")
    )
  }

  pipe() {
    return Pipeable.pipeArguments(this, arguments)
  }
  toJSON(): unknown {
    return { _id: "HttpClientResponse", request: this.request.toJSON(), url: this.url, status: this.status }
  }
  toString(): string {
    return Formatter.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const requestError = (
  request: HttpClientRequest.HttpClientRequest,
  kind: "Transport" | "Encode" | "InvalidUrl",
  cause: unknown,
  description?: string
) =>
  new HttpClientError.HttpClientError({
    reason: kind === "Transport"
      ? new HttpClientError.TransportError({ request, cause, ...(description ? { description } : {}) })
      : kind === "Encode"
      ? new HttpClientError.EncodeError({ request, cause, ...(description ? { description } : {}) })
      : new HttpClientError.InvalidUrlError({ request, cause })
  })

/** The body's bytes (a stream is read first; form data is encoded in `execute`). */
const payload = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array | string | undefined, HttpClientError.HttpClientError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed(body.body)
        : Effect.fail(requestError(request, "Encode", undefined, "a raw body must be bytes or text"))
    case "FormData":
      return Effect.die(new Error("FormData bodies are encoded before sending (see execute)"))
    case "Stream":
      return Effect.map(
        Stream.runCollect(Stream.mapError(body.stream, (cause) => requestError(request, "Encode", cause))),
        (chunks) => Buffer.concat(chunks)
      )
  }
}

/** One request: sent on the agent, resumed with the response once its head has arrived. */
const exchange = (
  agents: Agents,
  request: HttpClientRequest.HttpClientRequest,
  url: string,
  headers: Readonly<Record<string, string>>,
  bytes: Uint8Array | string | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.callback((resume) => {
    let sent: Http.ClientRequest
    try {
      const https = url.startsWith("https:")
      sent = (https ? Https : Http).request(url, {
        method: request.method,
        headers,
        agent: https ? agents.https : agents.http
      })
    } catch (cause) {
      resume(Effect.fail(requestError(request, "InvalidUrl", cause)))
      return
    }
    sent.once("response", (response) => resume(Effect.succeed(new NodeResponse(request, url, response))))
    // Kept for the request's life: an error after the response (the body cut short) is the body read's.
    sent.on("error", (cause) => resume(Effect.fail(requestError(request, "Transport", cause))))
    sent.end(bytes)
    return Effect.sync(() => void sent.destroy())
  })

/** The request's URL with its `urlParams` and hash (the runtime puts its query in the URL itself). */
const urlOf = (request: HttpClientRequest.HttpClientRequest): string => {
  let url = request.url
  if (request.urlParams.params.length > 0) {
    url += (url.includes("?") ? "&" : "?") + UrlParams.toString(request.urlParams)
  }
  return Option.isSome(request.hash) ? `${url}#${request.hash.value}` : url
}

const execute = (agents: Agents, request: HttpClientRequest.HttpClientRequest) => {
  const url = urlOf(request)
  const body = request.body
  if (body._tag === "FormData") {
    // Encoded the way fetch encodes it, with the boundary in the content type it gives.
    const encoded = new Response(body.formData)
    return Effect.flatMap(
      Effect.tryPromise({ try: () => encoded.arrayBuffer(), catch: (cause) => requestError(request, "Encode", cause) }),
      (buffer) =>
        exchange(agents, request, url, {
          ...request.headers,
          "content-type": encoded.headers.get("content-type") ?? "multipart/form-data"
        }, new Uint8Array(buffer))
    )
  }
  if (body._tag === "Uint8Array" || body._tag === "Empty") {
    return exchange(agents, request, url, request.headers, body._tag === "Empty" ? undefined : body.body)
  }
  return Effect.flatMap(payload(request), (bytes) => exchange(agents, request, url, request.headers, bytes))
}

/** An `HttpClient` over these agents. */
export const make = (agents: Agents): HttpClient.HttpClient =>
  HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) => Effect.flatMap(effect, (request) => execute(agents, request)),
    Effect.succeed
  )

/** The client on keep-alive agents of its own, destroyed with the layer. */
export const layerWith = (options?: Http.AgentOptions): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => ({
          http: new Http.Agent({ keepAlive: true, ...options }),
          https: new Https.Agent({ keepAlive: true, ...options })
        })),
        (agents) =>
          Effect.sync(() => {
            agents.http.destroy()
            agents.https.destroy()
          })
      ),
      make
    )
  )

export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith()
