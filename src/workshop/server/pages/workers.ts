/** The Workers page: every worker of the configs folder, broken ones with their issues. */
import type { WorkerEntry } from "../../catalog.js";
import { html } from "../html.js";
import { layout, type PageContext } from "./layout.js";

export function workersPage(
  ctx: PageContext,
  workers: readonly WorkerEntry[],
  configsDir: string,
  query: string,
): string {
  const q = query.toLowerCase();
  const matches = (w: WorkerEntry) =>
    !q || `${w.name} ${w.description} ${w.kind} ${w.tier}`.toLowerCase().includes(q);
  const rows = workers.map(
    (
      w,
    ) => html`<tr data-search="${`${w.name} ${w.description} ${w.kind} ${w.tier}`.toLowerCase()}" ${matches(w) ? "" : html`hidden`}>
<td><a href="/workers/${encodeURIComponent(w.name)}/edit">${w.name}</a><div class="muted">${w.relativePath}</div></td>
<td>${w.kind}</td><td>${w.tier}</td><td>${w.description}</td>
<td>${
      w.valid
        ? html`<span class="badge ok">valid</span>`
        : html`<span class="badge error">${w.issues.filter((i) => i.severity === "error").length} error(s)</span><ul class="issues">${w.issues.map(
            (i) =>
              html`<li class="${i.severity}"><span class="pos">${i.line}:${i.column}</span> <code>${i.path || "(root)"}</code> ${i.message}</li>`,
          )}</ul>`
    }</td></tr>`,
  );
  return layout(
    ctx,
    "Workers",
    html`<h1>Workers</h1>
<p class="muted">${workers.length} worker(s) in ${configsDir}/workers</p>
<input id="filter" type="search" placeholder="Filter workers" value="${query}" data-filter="#workers tbody tr" aria-label="Filter workers">
<table id="workers"><thead><tr><th>Name</th><th>Kind</th><th>Tier</th><th>Description</th><th>Status</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  ).value;
}
