/**
 * The run report as one self-contained HTML page: inline CSS, a few lines of inline script and
 * the workflow's graph as inline SVG (laid out by generator/graph/svg.ts), nothing fetched. It
 * shows how the run ended, the graph with the path taken, a timeline of every step and poll
 * attempt (duration, status, outcome) with its requests and responses (bodies cut to a few KB),
 * the outputs and the error. Every text goes through `redact` before it is escaped, and the page
 * once more as a whole, so secret input values cannot appear in it.
 */
import type { RecordedBody, RecordedExchange } from "../../../runtime/effect3/recording.js"
import { workflowGraph } from "../../graph/model.js"
import { toSvg, xmlText } from "../../graph/svg.js"
import { outputsJson } from "../run-outcome.js"
import { endLines, formatMs, type RunEnd } from "../trace-printer.js"
import type { ReportAttempt, RunReport } from "./collect.js"
import { runPath } from "./path.js"

/** Bodies longer than this are cut in the report (the recording, if any, has them whole). */
export const BODY_LIMIT = 4000

const bodyText = (body: RecordedBody): string | undefined => {
  if ("json" in body) return JSON.stringify(body.json, null, 2)
  if (body.text !== undefined) return body.text
  if (body.base64 !== undefined) return `(${Math.floor((body.base64.length * 3) / 4)} bytes of binary data)`
  if (body.sha256 !== undefined) return `(${body.size ?? "?"} bytes, sha256 ${body.sha256})`
  return undefined
}

const verdict = (end: RunEnd): { readonly text: string; readonly tone: "ok" | "warn" | "bad" } => {
  switch (end._tag) {
    case "Completed":
      return { text: "completed", tone: "ok" }
    case "Ended":
      return end.via === "onFailure"
        ? { text: `ended by failure action ${end.action} at ${end.stepId}`, tone: "bad" }
        : { text: `ended by success action ${end.action} at ${end.stepId}`, tone: "warn" }
    case "Failed":
      return { text: `failed: ${end.error.tag}`, tone: "bad" }
    case "Interrupted":
      return { text: "interrupted", tone: "bad" }
  }
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
.meta { color: #555; } .badge { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; }
.badge.ok { background: #e6f4ea; color: #1e7e34; } .badge.warn { background: #fff8e1; color: #8a6d00; }
.badge.bad { background: #fdecea; color: #c62828; }
.graph { overflow-x: auto; border: 1px solid #eee; padding: 8px; }
table.timeline { border-collapse: collapse; width: 100%; } .timeline td, .timeline th { padding: 4px 6px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
.timeline th { font-weight: 600; color: #555; } .num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { position: relative; height: 12px; background: #f3f3f3; min-width: 160px; }
.bar span { position: absolute; top: 0; height: 12px; background: #1f5fbf; min-width: 2px; }
tr.failure .bar span { background: #c62828; } tr.failure td.outcome { color: #c62828; font-weight: 600; }
tr.flash { background: #fff3c4; }
details { margin: 4px 0; } summary { cursor: pointer; color: #1f5fbf; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: 4px 0; font-size: 12px; }
table.headers td { padding: 0 8px 0 0; font: 12px monospace; } .note { color: #777; font-size: 12px; }
.error { border-left: 4px solid #c62828; padding: 4px 12px; background: #fdecea; }
`

const SCRIPT = `
document.querySelectorAll("svg [data-step]").forEach(function (node) {
  node.style.cursor = "pointer";
  node.addEventListener("click", function () {
    var row = document.querySelector('tr[data-step="' + node.getAttribute("data-step") + '"]');
    if (!row) return;
    row.scrollIntoView({ behavior: "smooth", block: "center" });
    row.classList.add("flash");
    setTimeout(function () { row.classList.remove("flash"); }, 1500);
  });
});
`

export const renderHtml = (report: RunReport, redact: (text: string) => string): string => {
  const esc = (text: string) => xmlText(redact(text))
  const pre = (text: string | undefined) => {
    if (text === undefined) return `<p class="note">(no body)</p>`
    const cut = text.length > BODY_LIMIT
    return `<pre>${esc(cut ? text.slice(0, BODY_LIMIT) : text)}</pre>${
      cut ? `<p class="note">cut at ${BODY_LIMIT} of ${text.length} characters</p>` : ""
    }`
  }
  const headers = (record: Readonly<Record<string, string>>) => {
    const rows = Object.entries(record).sort(([a], [b]) => a.localeCompare(b))
    return rows.length === 0
      ? ""
      : `<table class="headers">${
        rows.map(([name, value]) => `<tr><td>${esc(name)}:</td><td>${esc(value)}</td></tr>`).join("")
      }</table>`
  }
  const exchange = (e: RecordedExchange, index: number) =>
    `<details><summary>request ${index + 1}: ${esc(`${e.request.method} ${e.request.url}`)} → ${
      e.response !== undefined ? e.response.status : esc(`no response: ${e.transportError ?? "?"}`)
    } (${formatMs(e.durationMs)})</summary>` +
    `<h4>Request</h4>${headers(e.request.headers)}${pre(bodyText(e.request.body))}` +
    (e.response === undefined
      ? ""
      : `<h4>Response ${e.response.status}</h4>${headers(e.response.headers)}${pre(bodyText(e.response.body))}`) +
    `</details>`

  const total = Math.max(report.durationMs, 1)
  const row = (a: ReportAttempt, index: number) => {
    const ended = a.ended
    const offset = a.startedAt - report.startedAt
    const duration = ended?.durationMs ?? 0
    const outcome = ended === undefined ? "running" : ended.outcome === "success" ? "ok" : ended.error ?? ended.outcome
    const nested = a.workflowId !== report.workflow.workflowId
      ? `<span class="note">${esc(a.workflowId)} › </span>`
      : ""
    const left = Math.min(100, (offset / total) * 100)
    const width = Math.max(0.3, Math.min(100 - left, (duration / total) * 100))
    return `<tr data-step="${esc(a.stepId)}" class="${ended?.outcome === "failure" ? "failure" : ""}">` +
      `<td class="num">${index + 1}</td><td>${nested}<b>${esc(a.stepId)}</b></td><td class="num">${a.attempt}</td>` +
      `<td>${a.method !== undefined ? esc(`${a.method} ${a.urlTemplate ?? ""}`) : "runs a workflow"}</td>` +
      `<td class="num">${ended?.status ?? ""}</td><td class="outcome">${esc(outcome)}</td>` +
      `<td class="num">+${formatMs(offset)}</td><td class="num">${formatMs(duration)}</td>` +
      `<td><div class="bar"><span style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></div></td></tr>` +
      (a.exchanges.length > 0
        ? `<tr class="exchanges"><td></td><td colspan="8">${a.exchanges.map(exchange).join("")}</td></tr>`
        : "")
  }

  const graph = workflowGraph(report.workflow)
  const svg = toSvg(graph, runPath(graph, report))
  const { text, tone } = verdict(report.end)
  const failure = report.end._tag === "Failed"
    ? report.end.error
    : report.end._tag === "Ended"
    ? report.end.failure
    : undefined
  const outputs = report.outputs === undefined ? undefined : outputsJson(report.outputs)

  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(`${report.workflow.workflowId}: ${text}`)}</title>
<style>${CSS}</style></head>
<body>
<h1>${esc(report.workflow.workflowId)} <span class="badge ${tone}">${esc(text)}</span></h1>
<p class="meta">${esc(report.title ?? "")} · ${esc(report.document)} · started ${
    esc(new Date(report.startedAt).toISOString())
  } · ${formatMs(report.durationMs)} · ${report.attempts.length} step attempts · ${
    report.mode === "replay" ? "replayed from a recording" : "live run"
  }</p>
<p class="meta">${endLines(report.end, report.durationMs).map(esc).join("<br>")}</p>
${
    failure === undefined
      ? ""
      : `<h2>Error</h2><div class="error"><p><b>${esc(failure.tag)}</b>: ${esc(failure.message)}</p>${
        failure.status !== undefined ? `<p>status ${failure.status}</p>` : ""
      }${failure.body !== undefined ? pre(JSON.stringify(failure.body, null, 2)) : ""}</div>`
  }
<h2>Graph</h2>
<p class="note">The path this run took is drawn thick and blue${
    report.end._tag === "Failed" ? ", the step it failed at in red" : ""
  }; ×n is how many attempts a step had. Click a step to see its attempts.</p>
<div class="graph">${svg}</div>
<h2>Timeline</h2>
<table class="timeline"><thead><tr><th class="num">#</th><th>step</th><th class="num">attempt</th><th>request</th><th class="num">status</th><th>outcome</th><th class="num">start</th><th class="num">took</th><th>when</th></tr></thead>
<tbody>${report.attempts.map(row).join("\n")}</tbody></table>
<h2>Outputs</h2>
${outputs === undefined ? `<p class="note">none: the run produced no result</p>` : pre(outputs)}
<p class="note">Secrets (the values of secret inputs, credential headers) are redacted; bodies are cut at ${BODY_LIMIT} characters.</p>
<script>${SCRIPT}</script>
</body></html>
`
  return redact(page)
}
