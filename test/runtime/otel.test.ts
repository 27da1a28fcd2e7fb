/**
 * Tracing through OpenTelemetry: the img2img workflow runs over real HTTP against the local
 * Civitai mock with `@effect/opentelemetry`'s NodeSdk and an in-memory exporter, and the
 * exported spans are checked: one per workflow and per step attempt with their attributes,
 * nested workflow › step › HTTP client, and no trace of the API token anywhere.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { describe, expect, it } from "@effect/vitest"
import { SpanStatusCode } from "@opentelemetry/api"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { civitaiMock } from "../mock/civitai-orchestration.js"
import { runImg2img } from "../support/img2img.js"

const SECRET = "sk-live-otel-5f3a9c0d2e7b41"

/** Runs `self` with an OpenTelemetry tracer; the spans are read before the SDK shuts down (which clears them). */
const traced = <A, E, R>(self: Effect.Effect<A, E, R>) => {
  const exporter = new InMemorySpanExporter()
  return Effect.gen(function*() {
    const exit = yield* Effect.exit(self)
    return { exit, spans: [...exporter.getFinishedSpans()] }
  }).pipe(Effect.provide(NodeSdk.layer(() => ({
    resource: { serviceName: "arazzo-effect-test" },
    spanProcessor: new SimpleSpanProcessor(exporter)
  }))))
}

const named = (spans: ReadonlyArray<ReadableSpan>, name: string) => spans.filter((s) => s.name === name)
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId

/** Everything a span exports as text: name, attributes, events, status, links, resource. */
const exported = (span: ReadableSpan) =>
  JSON.stringify({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
    links: span.links,
    resource: span.resource.attributes
  })

describe("OpenTelemetry spans of a workflow run", () => {
  it.scopedLive("one workflow span, one span per step attempt with its attributes, nested over the HTTP client spans", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ token: SECRET, pollsUntilDone: 3 })
      const { exit, spans } = yield* traced(runImg2img(mock, { apiKey: SECRET }))
      expect(Exit.isSuccess(exit)).toBe(true)

      const [workflow, ...otherWorkflows] = named(spans, "arazzo.workflow blob-upload-img2img")
      expect(otherWorkflows).toHaveLength(0)
      expect(workflow?.attributes["arazzo.workflow.id"]).toBe("blob-upload-img2img")
      expect(workflow?.status.code).toBe(SpanStatusCode.OK)
      expect(parentOf(workflow)).toBeUndefined()

      const steps = spans.filter((s) => s.name.startsWith("arazzo.step "))
      expect(steps.map((s) => [s.attributes["arazzo.step.id"], s.attributes["arazzo.step.attempt"]])).toEqual([
        ["uploadSource", 1],
        ["submitImg2Img", 1],
        ["pollWorkflow", 1],
        ["pollWorkflow", 2],
        ["pollWorkflow", 3],
        ["pollWorkflow", 4],
        ["readResult", 1]
      ])
      for (const step of steps) {
        expect(parentOf(step)).toBe(workflow?.spanContext().spanId)
        expect(step.spanContext().traceId).toBe(workflow?.spanContext().traceId)
        expect(step.attributes["arazzo.workflow.id"]).toBe("blob-upload-img2img")
      }
      const [upload] = named(spans, "arazzo.step uploadSource")
      expect(upload?.attributes).toMatchObject({
        "arazzo.operation.id": "uploadBlob",
        "http.request.method": "POST",
        "url.template": "/v2/consumer/blobs",
        "http.response.status_code": 201
      })
      const [lastPoll] = named(spans, "arazzo.step pollWorkflow").slice(-1)
      expect(lastPoll?.attributes).toMatchObject({
        "arazzo.operation.id": "getWorkflow",
        "http.request.method": "GET",
        "url.template": "/v2/consumer/workflows/{workflowId}",
        "http.response.status_code": 200
      })

      // The platform's client spans sit under the step that sent them, secret headers redacted.
      const clients = spans.filter((s) => s.name.startsWith("http.client"))
      expect(clients).toHaveLength(steps.length)
      const stepIds = new Set(steps.map((s) => s.spanContext().spanId))
      for (const client of clients) expect(stepIds.has(parentOf(client) ?? "")).toBe(true)
      expect(clients[0]?.attributes["http.request.header.authorization"]).toBe("<redacted>")

      const leaks = spans.filter((span) => exported(span).includes(SECRET))
      expect(leaks.map((s) => s.name)).toEqual([])
    }))

  it.scopedLive("a failed step marks its span and the workflow span as errors, still without the token", () =>
    Effect.gen(function*() {
      const mock = yield* civitaiMock({ token: "the-right-token" })
      const { exit, spans } = yield* traced(runImg2img(mock, { apiKey: SECRET }))
      expect(Exit.isFailure(exit)).toBe(true)

      const [workflow] = named(spans, "arazzo.workflow blob-upload-img2img")
      const [upload] = named(spans, "arazzo.step uploadSource")
      expect(upload?.attributes["http.response.status_code"]).toBe(401)
      expect(upload?.status.code).toBe(SpanStatusCode.ERROR)
      expect(upload?.events.map((e) => e.name)).toContain("exception")
      expect(workflow?.status.code).toBe(SpanStatusCode.ERROR)
      expect(workflow?.status.message).toMatch(/`\$statusCode == 201` of step uploadSource .* \(status 401\)/)
      expect(named(spans, "arazzo.step submitImg2Img")).toHaveLength(0)

      const leaks = spans.filter((span) => exported(span).includes(SECRET))
      expect(leaks.map((s) => s.name)).toEqual([])
    }))
})
