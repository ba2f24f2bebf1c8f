/** One eval run: aggregates, each case against the golden baseline, filters kept in the URL. */
import type { CaseDelta, CaseResult, DeltaFilter, EvalRun } from "../../eval/index.js";
import { type Html, html } from "../html.js";
import { layout, type PageContext, workerTabs } from "./layout.js";
import { percent } from "./worker-eval.js";

const FILTERS: readonly DeltaFilter[] = ["regressions", "improvements", "errors", "changed"];

export function evalRunPage(
  ctx: PageContext,
  run: EvalRun,
  baseline: EvalRun | undefined,
  deltas: readonly CaseDelta[] | undefined,
  filter: DeltaFilter | undefined,
): string {
  const base = `/workers/${encodeURIComponent(run.worker)}/eval/runs/${encodeURIComponent(run.id)}`;
  const s = run.summary;
  const isBaseline = baseline?.id === run.id;
  const byName = new Map(run.cases.map((c) => [c.name, c]));
  const order = deltas ? deltas.map((d) => d.name) : run.cases.map((c) => c.name);
  const deltaOf = new Map((deltas ?? []).map((d) => [d.name, d]));
  return layout(
    ctx,
    `${run.worker} · Eval run`,
    html`${workerTabs(run.worker, "eval")}
<h2>Run ${run.started_at} ${isBaseline ? html`<span class="badge baseline">baseline</span>` : ""}</h2>
<dl class="facts summary"><dt>Pass rate</dt><dd class="pass-rate">${percent(s.pass_rate)} (${s.passed}/${s.cases})</dd>
<dt>Mean score</dt><dd>${s.mean_score.toFixed(2)}</dd><dt>Errors</dt><dd>${s.errors}</dd>
<dt>Latency p50 / p95</dt><dd>${s.latency_p50_ms} / ${s.latency_p95_ms} ms</dd><dt>Tokens</dt><dd>${s.tokens.input} in / ${s.tokens.output} out</dd>
<dt>Tier</dt><dd>${run.tier}</dd><dt>Scoring</dt><dd>${run.scoring}</dd></dl>
${
  isBaseline
    ? html`<p class="muted">This run is the golden baseline: later runs are compared with it.</p>`
    : html`<form method="post" action="${base}/promote"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">Promote to golden baseline</button></form>`
}
${
  baseline && !isBaseline
    ? html`<p>Compared with the baseline of ${baseline.started_at} (${percent(baseline.summary.pass_rate)}).</p>
<nav class="filters"><a href="${base}" class="${filter ? "" : "active"}">all</a>${FILTERS.map(
        (f) => html` <a href="${base}?filter=${f}" class="${f === filter ? "active" : ""}">${f}</a>`,
      )}</nav>`
    : ""
}
<table class="cases"><thead><tr><th>Case</th><th>Result</th><th>Score</th><th>Latency</th><th>Tokens</th>${deltas ? html`<th>Against baseline</th>` : ""}</tr></thead>
<tbody>${order.map((name) => {
      const c = byName.get(name);
      return c ? caseRow(c, deltaOf.get(name)) : "";
    })}</tbody></table>`,
  ).value;
}

function caseRow(c: CaseResult, delta: CaseDelta | undefined): Html {
  const change = delta?.change.replace("_", " ") ?? "";
  return html`<tr class="case ${c.passed ? "pass" : "fail"} ${delta?.change ?? ""}" data-case="${c.name}">
<td>${c.name}</td><td>${c.error ? html`<span class="badge error">error</span>` : c.passed ? html`<span class="badge ok">pass</span>` : html`<span class="badge error">fail</span>`}</td>
<td>${c.score.toFixed(2)}${delta?.score_delta ? html` <span class="delta">(${delta.score_delta > 0 ? "+" : ""}${delta.score_delta.toFixed(2)})</span>` : ""}</td>
<td>${c.latency_ms} ms</td><td>${c.token_usage.input + c.token_usage.output}</td>
${delta ? html`<td class="change">${change}</td>` : ""}</tr>
<tr class="case-detail"><td colspan="6"><details><summary>output, expected and diff</summary>
${c.error ? html`<p class="error"><code>${c.error.code}</code> ${c.error.message}</p>` : ""}
${c.judge_reason ? html`<p>Judge: ${c.judge_reason}</p>` : ""}
<div class="side-by-side"><div><h4>Output</h4><pre>${JSON.stringify(c.output, null, 2)}</pre></div><div><h4>Expected</h4><pre>${JSON.stringify(c.expected, null, 2)}</pre></div></div>
${
  c.diff.length > 0
    ? html`<table class="diff-table"><thead><tr><th>Path</th><th>Change</th><th>Expected</th><th>Actual</th></tr></thead><tbody>${c.diff.map(
        (d) =>
          html`<tr class="${d.kind}"><td><code>${d.path}</code></td><td>${d.kind}</td><td><code>${JSON.stringify(d.expected)}</code></td><td><code>${JSON.stringify(d.actual)}</code></td></tr>`,
      )}</tbody></table>`
    : html`<p class="ok">Output equals the expected output.</p>`
}
</details></td></tr>`;
}
