/**
 * The Effect 4 side of test/support/recording-tracer.ts (a Tracer that keeps every span it makes),
 * the same `recordingTracer` and `RecordedSpan`, on Effect 4's `Tracer` interface.
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
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  links: Array<Tracer.SpanLink>
  readonly record: RecordedSpan

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly annotations: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    readonly sampled: boolean,
    private readonly onEnd: (span: RecordedSpan) => void
  ) {
    this.traceId = Option.isSome(parent) ? parent.value.traceId : `trace${counter}`
    this.status = { _tag: "Started", startTime }
    this.links = [...links]
    this.record = { name, attributes: this.attributes, events: [], startTime, endTime: undefined, exit: undefined }
  }

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
    span: ({ annotations, kind, links, name, parent, sampled, startTime }) =>
      new RecordingSpan(name, parent, annotations, links, startTime, kind, sampled, (span) => {
        spans.push(span)
        onEnd(span)
      })
  })
  return { tracer, spans }
}
