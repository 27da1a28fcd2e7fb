/**
 * A Tracer that keeps every span it makes (name, attributes, events, status), so tests can
 * look at what a run reported and the demo can print step progress.
 */
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

export interface RecordedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  startTime: bigint
  endTime: bigint | undefined
  exit: Exit.Exit<unknown, unknown> | undefined
}

let counter = 0

class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = `span${++counter}`
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  links: Array<Tracer.SpanLink>
  readonly record: RecordedSpan

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    onEnd: (span: RecordedSpan) => void
  ) {
    this.traceId = Option.isSome(parent) ? parent.value.traceId : `trace${counter}`
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
    this.record = { name, attributes: this.attributes, events: [], startTime, endTime: undefined, exit: undefined }
    this.onEnd = onEnd
  }

  private readonly onEnd: (span: RecordedSpan) => void

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    this.record.endTime = endTime
    this.record.exit = exit
    this.onEnd(this.record)
  }

  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }

  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.record.events.push({ name, attributes })
  }

  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** A tracer and the spans it has ended, in the order they ended. */
export const recordingTracer = (onEnd: (span: RecordedSpan) => void = () => {}) => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) =>
      new RecordingSpan(name, parent, context, links, startTime, kind, (span) => {
        spans.push(span)
        onEnd(span)
      }),
    context: (f) => f()
  })
  return { tracer, spans }
}
