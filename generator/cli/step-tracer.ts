/**
 * Step events from the runtime's spans. Every step attempt runs in an `arazzo.step <stepId>` span
 * whose attributes say which step, operation, method, URL template and attempt it is, and which
 * status came back; a Tracer that only listens to those spans turns them into start/end events,
 * so the CLI traces a run without the runtime knowing about the CLI.
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

export interface StepStarted {
  readonly _tag: "StepStarted"
  readonly workflowId: string
  readonly stepId: string
  readonly operationId: string | undefined
  readonly method: string | undefined
  readonly urlTemplate: string | undefined
  readonly attempt: number
  /** When the attempt started (or, for `StepEnded`, ended), epoch milliseconds. */
  readonly at: number
}

export interface StepEnded extends Omit<StepStarted, "_tag"> {
  readonly _tag: "StepEnded"
  readonly status: number | undefined
  readonly durationMs: number
  readonly outcome: "success" | "failure" | "interrupted"
  /** What the attempt failed with: a WorkflowError tag, or `criteria not met` when a success criterion did not hold. */
  readonly error: string | undefined
}

export type StepEvent = StepStarted | StepEnded

const STEP_SPAN = "arazzo.step "

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined

const number = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/** The failure's tag; the runtime's internal "criteria unmet" failure (handled by failure actions) in words. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): Pick<StepEnded, "outcome" | "error"> => {
  if (Exit.isSuccess(exit)) return { outcome: "success", error: undefined }
  if (Cause.isInterruptedOnly(exit.cause)) return { outcome: "interrupted", error: undefined }
  const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
  const tag = typeof failure === "object" && failure !== null && "_tag" in failure ? String(failure._tag) : undefined
  return { outcome: "failure", error: tag === "CriteriaUnmet" ? "criteria not met" : tag ?? "defect" }
}

let spans = 0

/** A span that remembers its attributes; step spans report their start and end. */
class ListeningSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = `cli-span-${++spans}`
  readonly traceId: string
  readonly sampled = true
  readonly attributes = new Map<string, unknown>()
  readonly links: Array<Tracer.SpanLink>
  status: Tracer.SpanStatus
  private readonly startedAt = Date.now()

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    attributes: Readonly<Record<string, unknown>>,
    private readonly onEvent: (event: StepEvent) => void
  ) {
    this.traceId = Option.isSome(parent) ? parent.value.traceId : `cli-trace-${spans}`
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
    for (const [key, value] of Object.entries(attributes)) this.attributes.set(key, value)
    if (this.isStep) this.onEvent({ _tag: "StepStarted", ...this.step() })
  }

  private get isStep() {
    return this.name.startsWith(STEP_SPAN)
  }

  private step(): Omit<StepStarted, "_tag"> {
    const get = (key: string) => this.attributes.get(key)
    return {
      workflowId: text(get("arazzo.workflow.id")) ?? "",
      stepId: text(get("arazzo.step.id")) ?? this.name.slice(STEP_SPAN.length),
      operationId: text(get("arazzo.operation.id")),
      method: text(get("http.request.method")),
      urlTemplate: text(get("url.template")),
      attempt: number(get("arazzo.step.attempt")) ?? 1,
      at: this.startedAt
    }
  }

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    const startTime = this.status.startTime
    this.status = { _tag: "Ended", startTime, endTime, exit }
    if (!this.isStep) return
    this.onEvent({
      _tag: "StepEnded",
      ...this.step(),
      at: Date.now(),
      status: number(this.attributes.get("http.response.status_code")),
      durationMs: Math.round(Number(endTime - startTime) / 1e5) / 10,
      ...failureOf(exit)
    })
  }

  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }

  event(): void {}

  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** A Tracer that reports step attempts to `onEvent` as their spans start and end. */
export const stepTracer = (onEvent: (event: StepEvent) => void): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) =>
      new ListeningSpan(name, parent, context, links, startTime, kind, options?.attributes ?? {}, onEvent),
    context: (f) => f()
  })
