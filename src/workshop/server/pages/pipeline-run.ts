/** Pipeline → Run: a goal form, the graph lighting up as stages run, and the timeline. */
import type { PipelineResult } from "../../../pipeline/types.js";
import type { PipelineEntry } from "../../pipeline-catalog.js";
import { type Html, html, raw } from "../html.js";
import { layout, type PageContext } from "./layout.js";
import { pipelineTabs } from "./pipelines.js";

export function pipelineRunPage(
  ctx: PageContext,
  entry: PipelineEntry,
  contextFields: readonly string[],
  svg: string,
): string {
  const base = `/pipelines/${encodeURIComponent(entry.name)}`;
  return layout(
    ctx,
    `${entry.name} · Run`,
    html`${pipelineTabs(entry.name, "run")}
<form id="goal-form" data-run-url="${base}/runs">
<label>Instruction <input name="instruction" size="60" placeholder="optional"></label>
${contextFields.map((f) => html`<label class="context-field">goal.context.${f} <input name="context.${f}" data-field="${f}" size="60" placeholder="text, or JSON"></label>`)}
<p><button type="submit">Run</button> <button type="button" id="cancel-run" hidden>Cancel</button></p></form>
<div class="graph" id="graph">${raw(svg)}</div>
<table id="run-stages" hidden><thead><tr><th>Stage</th><th>Status</th><th>Time</th><th>Detail</th></tr></thead><tbody></tbody></table>
<div id="run-result" aria-live="polite"></div>`,
  ).value;
}

/** The finished goal: status, each stage's output or error, and the timeline as bars. */
export function pipelineResultFragment(result: PipelineResult): Html {
  return html`<section class="run-result" data-status="${result.status}"><h2>Goal ${result.status} in ${result.duration_ms} ms</h2>
${result.error ? html`<p class="error"><code>${result.error.code}</code> ${result.error.message}</p>` : ""}
${gantt(result)}
${Object.entries(result.stages).map(
  ([
    name,
    s,
  ]) => html`<details class="stage-result" data-stage="${name}" data-status="${s.status}"><summary><code>${name}</code> ${s.status}${s.duration_ms === undefined ? "" : ` · ${s.duration_ms} ms`}</summary>
${s.error ? html`<p class="error">${s.error.message}</p>` : ""}${s.reason ? html`<p class="muted">${s.reason}</p>` : ""}
${s.output ? html`<pre>${JSON.stringify(s.output, null, 2)}</pre>` : ""}</details>`,
)}</section>`;
}

const BAR_HEIGHT = 22;

function gantt(result: PipelineResult): Html {
  if (result.timeline.length === 0) return html``;
  const total = Math.max(1, ...result.timeline.map((t) => t.end_ms));
  const width = 640;
  const label = 140;
  const scale = (ms: number) => (ms / total) * (width - label - 10);
  const bars = result.timeline.map((t, i) => {
    const y = i * (BAR_HEIGHT + 4);
    const x = (label + scale(t.start_ms)).toFixed(1);
    const barWidth = Math.max(2, scale(t.end_ms - t.start_ms)).toFixed(1);
    return html`<g class="bar state-${t.status}" data-stage="${t.stage}"><text x="0" y="${y + 15}">${t.stage}</text><rect x="${x}" y="${y}" width="${barWidth}" height="${BAR_HEIGHT}" rx="3"><title>${t.stage}: ${t.start_ms}–${t.end_ms} ms (${t.status})</title></rect></g>`;
  });
  const height = result.timeline.length * (BAR_HEIGHT + 4);
  return html`<figure class="gantt"><svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline">${bars}</svg><figcaption>Timeline: 0 to ${total} ms</figcaption></figure>`;
}
