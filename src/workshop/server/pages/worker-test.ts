/** Worker → Test: a payload editor, tier and variant choices, and what each run produced. */
import { TIERS } from "../../../config/types.js";
import type { WorkerEntry } from "../../catalog.js";
import type { TestOutcome } from "../../test-run.js";
import { type Html, html } from "../html.js";
import { issueList, layout, type PageContext, workerTabs } from "./layout.js";

function variantFields(prefix: "a" | "b", tier: string): Html {
  return html`<label>Config <select name="${prefix}_source"><option value="saved">saved file</option><option value="draft">unsaved edit (from the Edit tab)</option></select></label>
<label>Tier <select name="${prefix}_tier">${TIERS.map((t) => html`<option ${t === tier ? html`selected` : ""}>${t}</option>`)}</select></label>`;
}

export function workerTestPage(ctx: PageContext, entry: WorkerEntry, skeleton: string): string {
  return layout(
    ctx,
    `${entry.name} · Test`,
    html`${workerTabs(entry.name, "test")}
<form id="test-form" hx-post="/workers/${encodeURIComponent(entry.name)}/test" hx-target="#test-results" hx-indicator="#running" data-draft-key="${entry.name}">
<label for="payload">Input payload (JSON)</label>
<textarea id="payload" name="payload" data-editor="json" spellcheck="false" rows="10">${skeleton}</textarea>
<input type="hidden" name="draft" value="">
<fieldset><legend>A</legend>${variantFields("a", entry.tier)}</fieldset>
<label><input type="checkbox" name="compare" value="1" data-toggle="#variant-b"> Compare side by side with B</label>
<fieldset id="variant-b" hidden><legend>B</legend>${variantFields("b", entry.tier)}</fieldset>
<p><button type="submit">Run</button> <span id="running" class="htmx-indicator">running…</span></p>
</form>
<div id="test-results" aria-live="polite"></div>`,
    { editor: true },
  ).value;
}

export function testResults(outcomes: readonly TestOutcome[]): Html {
  return html`<div class="${outcomes.length > 1 ? "side-by-side" : ""}">${outcomes.map(outcomeCard)}</div>`;
}

function outcomeCard(outcome: TestOutcome, index: number): Html {
  const label = `${String.fromCharCode(65 + index)}: ${outcome.variant.source === "draft" ? "unsaved edit" : "saved file"}, tier ${outcome.variant.tier ?? "default"}`;
  const r = outcome.result;
  if (!r) {
    return html`<section class="result failed"><h3>${label}</h3><p class="error">This config cannot run.</p>${
      outcome.configIssues
        ? issueList(outcome.configIssues)
        : html`<p class="error">${outcome.configError}</p>`
    }</section>`;
  }
  const violations = (r.error?.details?.violations ?? []) as { path: string; message: string }[];
  return html`<section class="result ${r.status}" data-status="${r.status}"><h3>${label}</h3>
<dl class="facts"><dt>Status</dt><dd class="status">${r.status}</dd><dt>Model</dt><dd class="model">${r.model_used ?? "—"}</dd>
<dt>Latency</dt><dd class="latency">${r.latency_ms} ms</dd>
<dt>Tokens</dt><dd class="tokens">${r.token_usage.input} in / ${r.token_usage.output} out</dd></dl>
${r.error ? html`<p class="error"><code>${r.error.code}</code> ${r.error.message}</p>` : ""}
${violations.length > 0 ? html`<h4>Validation errors</h4><ul class="violations">${violations.map((v) => html`<li><code>${v.path}</code> ${v.message}</li>`)}</ul>` : ""}
${r.output ? html`<h4>Output</h4><pre class="output">${JSON.stringify(r.output, null, 2)}</pre>` : ""}
${r.raw_response ? html`<details><summary>Raw model response</summary><pre class="raw">${r.raw_response}</pre></details>` : ""}
</section>`;
}
