/**
 * The trace on a terminal: one line per finished step, and a live line for the step in flight
 * (spinner, step, attempt count, last status, time so far) redrawn in place. A polling step stays
 * on its live line while it repeats, so a long poll reads as a counter rather than a scroll.
 */
import { stripAnsi } from "./plain-console.js"
import type { StepEnded, StepEvent, StepStarted } from "./step-tracer.js"
import { endLines, formatMs, type RunEnd, type TracePrinter } from "./trace-printer.js"

export interface TerminalLike {
  readonly write: (text: string) => void
  readonly columns: number | undefined
  readonly colour: boolean
}

interface InFlight {
  readonly step: StepStarted
  /** When its first attempt started. */
  readonly since: number
  attempts: number
  last: StepEnded | undefined
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
const CLEAR_LINE = "\r\x1b[2K"

export const progressPrinter = (
  terminal: TerminalLike,
  now: () => number = Date.now
): TracePrinter & { readonly tick: () => void } => {
  const paint = (code: string, text: string) => (terminal.colour ? `\x1b[${code}m${text}\x1b[0m` : text)
  let current: InFlight | undefined
  let frame = 0
  let live = false

  /** Cut to the terminal's width (a wrapped live line could not be redrawn in place); colour codes take no room. */
  const fit = (line: string) => {
    const width = terminal.columns !== undefined && terminal.columns >= 20 ? terminal.columns : 120
    const plain = stripAnsi(line)
    return plain.length > width - 1 ? `${plain.slice(0, width - 2)}…` : line
  }
  const clearLive = () => {
    if (live) terminal.write(CLEAR_LINE)
    live = false
  }
  const request = (
    s: StepStarted
  ) => (s.method === undefined ? "runs a workflow" : `${s.method} ${s.urlTemplate ?? ""}`)
  const attempts = (n: number) => (n > 1 ? `  ${n} attempts` : "")

  const drawLive = () => {
    if (current === undefined) return
    const status = current.last?.status !== undefined ? `  -> ${current.last.status}` : ""
    const line =
      `${paint("36", SPINNER[frame % SPINNER.length]!)} ${current.step.stepId}${attempts(current.attempts)}  ` +
      `${request(current.step)}${status}  ${formatMs(now() - current.since)}`
    terminal.write(`${CLEAR_LINE}${fit(line)}`)
    live = true
  }

  /** The finished step as a permanent line. */
  const settle = () => {
    if (current === undefined) return
    const { step, last } = current
    const ok = last?.outcome === "success"
    const mark = ok ? paint("32", "✓") : paint("31", "✗")
    const status = last?.status !== undefined
      ? ` -> ${last.status}`
      : last?.error !== undefined
      ? ` -> ${last.error}`
      : ""
    const why = last?.status !== undefined && last.outcome === "failure" ? ` (${last.error})` : ""
    const took = formatMs((last?.at ?? now()) - current.since)
    clearLive()
    terminal.write(
      `${fit(`${mark} ${step.stepId}${attempts(current.attempts)}  ${request(step)}${status}${why}  ${took}`)}\n`
    )
    current = undefined
  }

  return {
    step: (event: StepEvent) => {
      if (event._tag === "StepStarted") {
        if (current !== undefined && current.step.stepId !== event.stepId) settle()
        if (event.method === undefined) {
          // A step that runs another workflow: its own steps follow on their own lines.
          clearLive()
          terminal.write(`${paint("36", "▸")} ${event.stepId}  runs a workflow\n`)
          return
        }
        current ??= { step: event, since: event.at, attempts: 0, last: undefined }
        current.attempts = Math.max(current.attempts, event.attempt)
      } else if (current !== undefined && current.step.stepId === event.stepId) {
        current.last = event
      }
      drawLive()
    },
    tick: () => {
      frame++
      drawLive()
    },
    end: (end: RunEnd, durationMs: number) => {
      settle()
      clearLive()
      for (const line of endLines(end, durationMs)) terminal.write(`${line}\n`)
    }
  }
}
