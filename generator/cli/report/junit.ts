/**
 * The run as JUnit XML for CI systems: one test suite for the workflow, one test case per step
 * of the workflow (in document order), so a poll with forty attempts is one test and a step that
 * needed a retry but then succeeded passes. A step fails when the run failed or ended through a
 * failure action there (the typed error's tag as the failure type, its message as the message);
 * a step the run never reached is skipped. Every attempt is listed in the case's system-out.
 */
import { xmlText } from "../../graph/svg.js"
import { formatMs } from "../trace-printer.js"
import type { ReportAttempt, RunReport } from "./collect.js"

const seconds = (ms: number) => (ms / 1000).toFixed(3)

/** XML 1.0 cannot carry most control characters, even escaped. */
const xml = (text: string) => xmlText(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "\ufffd"))

const attemptLine = (a: ReportAttempt) => {
  const e = a.ended
  const request = a.method !== undefined ? `${a.method} ${a.urlTemplate ?? ""}` : "runs a workflow"
  const result = e === undefined
    ? "did not finish"
    : `${e.status ?? e.outcome}${e.outcome === "failure" && e.error !== undefined ? ` (${e.error})` : ""} in ${
      formatMs(e.durationMs)
    }`
  return `attempt ${a.attempt}  ${request} -> ${result}`
}

interface Failure {
  readonly stepId: string
  readonly type: string
  readonly message: string
  readonly detail: string
}

/** Where the run failed, if it did, and how to say it. */
const failureOf = (report: RunReport): Failure | undefined => {
  const own = report.attempts.filter((a) => a.workflowId === report.workflow.workflowId)
  const lastStep = own.at(-1)?.stepId ?? report.workflow.steps[0]?.stepId ?? "workflow"
  const end = report.end
  switch (end._tag) {
    case "Completed":
      return undefined
    case "Ended":
      if (end.via !== "onFailure") return undefined
      return {
        stepId: end.stepId,
        type: end.failure?.tag ?? "Ended",
        message: `ended by failure action ${end.action}${end.failure !== undefined ? `: ${end.failure.message}` : ""}`,
        detail: end.failure?.body !== undefined ? JSON.stringify(end.failure.body, null, 2) : ""
      }
    case "Failed":
      return {
        stepId: report.errorStepId ?? lastStep,
        type: end.error.tag,
        message: end.error.message,
        detail: end.error.body !== undefined ? JSON.stringify(end.error.body, null, 2) : ""
      }
    case "Interrupted":
      return { stepId: lastStep, type: "Interrupted", message: "the run was interrupted", detail: "" }
  }
}

export const renderJunit = (report: RunReport, redact: (text: string) => string): string => {
  const text = (s: string) => xml(redact(s))
  const { workflowId } = report.workflow
  const failure = failureOf(report)
  const stepIds = report.workflow.steps.map((s) => s.stepId)
  // A failure at a step this workflow does not list (a dependsOn workflow's) gets a case of its own.
  if (failure !== undefined && !stepIds.includes(failure.stepId)) stepIds.push(failure.stepId)
  let failures = 0
  let skipped = 0
  const cases = stepIds.map((stepId) => {
    const attempts = report.attempts.filter((a) => a.workflowId === workflowId && a.stepId === stepId)
    const time = attempts.reduce((sum, a) => sum + (a.ended?.durationMs ?? 0), 0)
    const open = `    <testcase classname="${text(workflowId)}" name="${text(stepId)}" time="${seconds(time)}">`
    const out = attempts.length > 0
      ? `\n      <system-out>${text(attempts.map(attemptLine).join("\n"))}</system-out>`
      : ""
    if (failure?.stepId === stepId) {
      failures++
      return `${open}\n      <failure type="${text(failure.type)}" message="${text(failure.message)}">${
        text([failure.message, failure.detail].filter((s) => s !== "").join("\n"))
      }</failure>${out}\n    </testcase>`
    }
    if (attempts.length === 0) {
      skipped++
      return `${open}\n      <skipped message="not reached in this run"/>\n    </testcase>`
    }
    return `${open}${out}\n    </testcase>`
  })
  const time = seconds(report.durationMs)
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="arazzo-effect run" ${counts}>`,
    `  <testsuite name="${text(workflowId)}" ${counts} timestamp="${new Date(report.startedAt).toISOString()}">`,
    `    <properties>`,
    `      <property name="document" value="${text(report.document)}"/>`,
    `      <property name="result" value="${text(report.end._tag)}"/>`,
    `      <property name="mode" value="${report.mode}"/>`,
    `    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ""
  ].join("\n")
}
