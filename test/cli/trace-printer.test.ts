/** The three trace printers of `run`, fed step events as the step tracer reports them. */
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { progressPrinter } from "../../generator/cli/progress-printer.js"
import { type StepEvent, stepTracer } from "../../generator/cli/step-tracer.js"
import { jsonPrinter, linePrinter, stepLine } from "../../generator/cli/trace-printer.js"

const step = (
  stepId: string,
  attempt: number,
  status: number | undefined,
  method = "GET",
  urlTemplate = "/v2/consumer/workflows/{workflowId}"
) => {
  const base = { workflowId: "wf", stepId, operationId: stepId, method, urlTemplate, attempt, at: 0 }
  return [
    { _tag: "StepStarted", ...base },
    {
      _tag: "StepEnded",
      ...base,
      status,
      durationMs: 12,
      outcome: status === 200 || status === 201 ? "success" : "failure",
      error: status === 401 ? "criteria not met" : undefined
    }
  ] as const satisfies ReadonlyArray<StepEvent>
}

const run: ReadonlyArray<StepEvent> = [
  ...step("upload", 1, 201, "POST", "/v2/consumer/blobs"),
  ...step("poll", 1, 200),
  ...step("poll", 2, 200),
  ...step("poll", 3, 200),
  ...step("read", 1, 200)
]

describe("trace printers", () => {
  it("plain lines: one per finished attempt, in the documented format", () => {
    const lines: Array<string> = []
    const printer = linePrinter((l) => lines.push(l))
    run.forEach(printer.step)
    printer.end({ _tag: "Completed", workflowId: "wf" }, 2400)
    expect(lines).toEqual([
      "upload attempt 1  POST /v2/consumer/blobs -> 201 (12 ms)",
      "poll attempt 1  GET /v2/consumer/workflows/{workflowId} -> 200 (12 ms)",
      "poll attempt 2  GET /v2/consumer/workflows/{workflowId} -> 200 (12 ms)",
      "poll attempt 3  GET /v2/consumer/workflows/{workflowId} -> 200 (12 ms)",
      "read attempt 1  GET /v2/consumer/workflows/{workflowId} -> 200 (12 ms)",
      "workflow wf completed in 2.4 s"
    ])
    expect(stepLine(step("upload", 1, 401, "POST", "/b")[1])).toBe(
      "upload attempt 1  POST /b -> 401 (12 ms, criteria not met)"
    )
  })

  it("NDJSON: a parseable event per line, the failure last with its tag, status and body", () => {
    const lines: Array<string> = []
    const printer = jsonPrinter((l) => lines.push(l))
    step("upload", 1, 401, "POST", "/b").forEach(printer.step)
    printer.end({
      _tag: "Failed",
      workflowId: "wf",
      error: { tag: "StepFailed", message: "m", status: 401, body: { code: "unauthorized" } }
    }, 30)
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(events.map((e) => e["event"])).toEqual(["step.start", "step.end", "workflow.end"])
    expect(events[1]).toMatchObject({
      stepId: "upload",
      attempt: 1,
      status: 401,
      outcome: "failure",
      error: "criteria not met",
      time: "1970-01-01T00:00:00.000Z"
    })
    expect(events[2]).toMatchObject({
      result: "Failed",
      error: { tag: "StepFailed", status: 401, body: { code: "unauthorized" } }
    })
  })

  it("on a terminal: a poll stays on one live line counting attempts; finished steps become permanent lines", () => {
    let written = ""
    let clock = 0
    const printer = progressPrinter({ write: (t) => (written += t), columns: 200, colour: false }, () => clock)
    const live: Array<string> = []
    for (const event of run) {
      clock += 100
      printer.step({ ...event, at: clock })
      // What the live line shows now: the text after the last line clear.
      live.push(written.slice(written.lastIndexOf("\r\x1b[2K") + 5))
    }
    printer.end({ _tag: "Completed", workflowId: "wf" }, 1000)
    // Redrawn in place: every live line is cleared first and none wraps.
    expect(live.every((l) => !l.includes("\n"))).toBe(true)
    expect(live).toContain("⠋ poll  2 attempts  GET /v2/consumer/workflows/{workflowId}  -> 200  200 ms")
    expect(live).toContain("⠋ poll  3 attempts  GET /v2/consumer/workflows/{workflowId}  -> 200  500 ms")
    const permanent = written.split("\n").map((l) => l.slice(l.lastIndexOf("\r\x1b[2K") + 1).replace(/^\x1b\[2K/, ""))
      .filter((l) => l !== "")
    expect(permanent).toEqual([
      "✓ upload  POST /v2/consumer/blobs -> 201  100 ms",
      "✓ poll  3 attempts  GET /v2/consumer/workflows/{workflowId} -> 200  500 ms",
      "✓ read  GET /v2/consumer/workflows/{workflowId} -> 200  100 ms",
      "workflow wf completed in 1.0 s"
    ])
  })

  it("on a narrow terminal, lines are cut to its width, colour codes not counted", () => {
    let written = ""
    const printer = progressPrinter({ write: (t) => (written += t), columns: 40, colour: true }, () => 0)
    run.forEach(printer.step)
    const visible = written.split(/\r\x1b\[2K|\n/).map((l) => l.replace(/\x1b\[[0-9;]*m/g, "")).filter((l) => l !== "")
    expect(visible.length).toBeGreaterThan(5)
    for (const line of visible) expect(line.length).toBeLessThanOrEqual(39)
    expect(visible.some((l) => l.startsWith("✓ upload  POST /v2/consumer/blobs") && l.endsWith("…"))).toBe(true)
  })
})

describe("the step tracer", () => {
  it("reports arazzo.step spans (with their attributes and status) and ignores other spans", async () => {
    const events: Array<StepEvent> = []
    const attributes = {
      "arazzo.workflow.id": "wf",
      "arazzo.step.id": "poll",
      "arazzo.operation.id": "getWorkflow",
      "arazzo.step.attempt": 2,
      "http.request.method": "GET",
      "url.template": "/w/{id}"
    }
    const program = Effect.annotateCurrentSpan("http.response.status_code", 200).pipe(
      Effect.zipRight(Effect.void.pipe(Effect.withSpan("http.client GET"))),
      Effect.withSpan("arazzo.step poll", { attributes }),
      Effect.zipRight(
        Effect.fail("boom").pipe(Effect.withSpan("arazzo.step other", { attributes: { "arazzo.step.id": "other" } }))
      ),
      Effect.withSpan("arazzo.workflow wf"),
      Effect.withTracer(stepTracer((e) => events.push(e)))
    )
    await Effect.runPromiseExit(program)
    expect(events.map((e) => [e._tag, e.stepId])).toEqual([["StepStarted", "poll"], ["StepEnded", "poll"], [
      "StepStarted",
      "other"
    ], ["StepEnded", "other"]])
    expect(events[0]).toMatchObject({
      workflowId: "wf",
      operationId: "getWorkflow",
      method: "GET",
      urlTemplate: "/w/{id}",
      attempt: 2
    })
    expect(events[1]).toMatchObject({ status: 200, outcome: "success", error: undefined })
    expect(events[3]).toMatchObject({ status: undefined, outcome: "failure", attempt: 1 })
  })
})
