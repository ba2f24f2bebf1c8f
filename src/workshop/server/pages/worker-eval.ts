/** Worker → Eval: the suite editor, the run form with live progress, and the run history. */
import { TIERS } from "../../../config/types.js";
import type { WorkerEntry } from "../../catalog.js";
import type { EvalRun } from "../../eval/index.js";
import { type Html, html } from "../html.js";
import { layout, type PageContext, workerTabs } from "./layout.js";
import { trendChart } from "./trend-chart.js";

export function workerEvalPage(
  ctx: PageContext,
  entry: WorkerEntry,
  suite: { text: string; path: string; exists: boolean },
  runs: readonly EvalRun[],
  baselineId: string | undefined,
): string {
  const base = `/workers/${encodeURIComponent(entry.name)}`;
  return layout(
    ctx,
    `${entry.name} · Eval`,
    html`${workerTabs(entry.name, "eval")}
<section><h2>Suite</h2><p class="muted">${suite.path}${suite.exists ? "" : " (not saved yet: this is a starting point)"}</p>
<form id="suite-form" hx-post="${base}/eval/suite" hx-target="#suite-status">
<textarea name="suite" data-editor="yaml" spellcheck="false" rows="18">${suite.text}</textarea>
<p><button type="submit">Save suite</button></p></form><div id="suite-status" aria-live="polite"></div></section>
<section><h2>Run</h2>
<form id="eval-form" data-eval-url="${base}/eval/runs">
<label>Tier <select name="tier">${TIERS.map((t) => html`<option ${t === entry.tier ? html`selected` : ""}>${t}</option>`)}</select></label>
<label>Concurrency <input name="concurrency" type="number" min="1" max="32" value="4"></label>
<button type="submit">Run suite</button></form>
<div id="eval-progress" aria-live="polite"></div></section>
<section><h2>History</h2>${runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : historyTable(entry.name, runs, baselineId)}</section>`,
    { editor: true },
  ).value;
}

function historyTable(name: string, runs: readonly EvalRun[], baselineId: string | undefined): Html {
  return html`${trendChart([...runs].reverse())}
<table class="history"><thead><tr><th>Run</th><th>Tier</th><th>Pass rate</th><th>Mean score</th><th>p50 / p95</th><th>Tokens</th><th></th></tr></thead><tbody>${runs.map(
    (
      r,
    ) => html`<tr><td><a href="/workers/${encodeURIComponent(name)}/eval/runs/${encodeURIComponent(r.id)}">${r.started_at}</a></td><td>${r.tier}</td>
<td>${percent(r.summary.pass_rate)}</td><td>${r.summary.mean_score.toFixed(2)}</td><td>${r.summary.latency_p50_ms} / ${r.summary.latency_p95_ms} ms</td>
<td>${r.summary.tokens.input + r.summary.tokens.output}</td><td>${r.id === baselineId ? html`<span class="badge baseline">baseline</span>` : ""}</td></tr>`,
  )}</tbody></table>`;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
