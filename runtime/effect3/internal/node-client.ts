/**
 * An `HttpClient` straight over `node:http` / `node:https`, for applications that opt into it
 * (`Arazzo.NodeClient.layer`). Every client of @effect/platform goes through `HttpClient.make`,
 * which per request parses the URL again, makes an `AbortController`, masks interruption, registers
 * the response with a `FinalizationRegistry` and wraps it; undici adds its own request machinery.
 * This one sends each request with one `Effect.async` on a keep-alive `Agent`: interrupting it
 * destroys the request. Its limits: no client spans (the runtime records its own step spans),
 * and a response's body must be read (or the response dropped by interruption) for its
 * connection to be reused, as the runtime always does.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
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
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private bytes: Uint8Array | undefined
  private cachedHeaders: Headers.Headers | undefined
  constructor(readonly request: HttpClientRequest.HttpClientRequest, private readonly source: Http.IncomingMessage) {}

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
    return Option.fromNullable(this.source.socket?.remoteAddress)
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /** The whole body, read off the socket on the first read; later reads get the same bytes. */
  private get body(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return Effect.suspend(() =>
      this.bytes !== undefined
        ? Effect.succeed(this.bytes)
        : Effect.async<Uint8Array, HttpClientError.ResponseError>((resume) => {
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

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.map(this.body, (bytes) =>
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer as ArrayBuffer
        : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.map(this.body, (bytes) => utf8.decode(bytes))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(
      this.text,
      (text) =>
        Effect.try({ try: () => text === "" ? null : JSON.parse(text) as unknown, catch: (e) => this.decodeError(e) })
    )
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.map(this.text, (text) => UrlParams.fromInput(new URLSearchParams(text)))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
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
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const source = this.source
    return Stream.async<Uint8Array, HttpClientError.ResponseError>((emit) => {
      const onData = (chunk: Buffer) => void emit.single(chunk)
      const onEnd = () => void emit.end()
      const onError = (cause: unknown) => void emit.fail(this.decodeError(cause))
      const onAborted = () => onError(new Error("the response was cut short"))
      source.on("data", onData).once("end", onEnd).once("error", onError).once("aborted", onAborted)
      return Effect.sync(() => {
        source.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onAborted)
        if (!source.complete) source.destroy()
      })
    })
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
  toString(): string {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Transport", cause })

/** The body's bytes and content type (a stream or form data is read or encoded first). */
const payload = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array | string | undefined, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(undefined)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
        ? Effect.succeed(body.body)
        : Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Encode",
            description: "a raw body must be bytes or text"
          })
        )
    case "FormData":
      return Effect.die(new Error("FormData bodies are encoded before sending (see execute)"))
    case "Stream":
      return Effect.map(
        Stream.runCollect(
          Stream.mapError(
            body.stream,
            (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
          )
        ),
        (chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks))
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
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async((resume) => {
    let sent: Http.ClientRequest
    try {
      const https = url.startsWith("https:")
      sent = (https ? Https : Http).request(url, {
        method: request.method,
        headers,
        agent: https ? agents.https : agents.http
      })
    } catch (cause) {
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause })))
      return
    }
    sent.once("response", (response) => resume(Effect.succeed(new NodeResponse(request, response))))
    // Kept for the request's life: an error after the response (the body cut short) is the body read's.
    sent.on("error", (cause) => resume(Effect.fail(transportError(request, cause))))
    sent.end(bytes)
    return Effect.sync(() => void sent.destroy())
  })

/** The request's URL with its `urlParams` and hash (the runtime puts its query in the URL itself). */
const urlOf = (request: HttpClientRequest.HttpClientRequest): string | HttpClientError.RequestError => {
  if (request.urlParams.length === 0 && Option.isNone(request.hash)) return request.url
  const made = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return made._tag === "Left"
    ? new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: made.left })
    : made.right.toString()
}

const execute = (agents: Agents, request: HttpClientRequest.HttpClientRequest) => {
  const url = urlOf(request)
  if (typeof url !== "string") return Effect.fail(url)
  const body = request.body
  if (body._tag === "FormData") {
    // Encoded the way fetch encodes it, with the boundary in the content type it gives.
    const encoded = new Response(body.formData)
    return Effect.flatMap(
      Effect.tryPromise({ try: () => encoded.arrayBuffer(), catch: (cause) => transportError(request, cause) }),
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
  Layer.scoped(
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
