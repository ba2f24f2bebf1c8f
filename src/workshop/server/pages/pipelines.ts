/** The Pipelines page: every pipeline of the configs folder with its stages, levels and status. */
import type { PipelineEntry } from "../../pipeline-catalog.js";
import { type Html, html } from "../html.js";
import { layout, type PageContext } from "./layout.js";

export function pipelinesPage(
  ctx: PageContext,
  pipelines: readonly PipelineEntry[],
  configsDir: string,
): string {
  const rows = pipelines.map(
    (
      p,
    ) => html`<tr data-pipeline="${p.name}"><td><a href="/pipelines/${encodeURIComponent(p.name)}/graph">${p.name}</a><div class="muted">${p.relativePath}</div></td>
<td>${p.stageCount}</td><td>${levelsText(p.levels)}</td>
<td>${p.valid ? html`<span class="badge ok">valid</span>` : html`<span class="badge error">${p.issues.filter((i) => i.severity === "error").length} error(s)</span><ul class="issues">${p.issues.map((i) => html`<li class="${i.severity}"><span class="pos">${i.line}:${i.column}</span> ${i.message}</li>`)}</ul>`}</td></tr>`,
  );
  return layout(
    ctx,
    "Pipelines",
    html`<h1>Pipelines</h1><p class="muted">${pipelines.length} pipeline(s) in ${configsDir}/orchestrators</p>
<table id="pipelines"><thead><tr><th>Name</th><th>Stages</th><th>Levels</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>`,
  ).value;
}

export function levelsText(levels: readonly string[][]): Html {
  if (levels.length === 0) return html`<span class="muted">—</span>`;
  return html`${levels.map((level, i) => html`${i > 0 ? " → " : ""}${level.join(" + ")}`)}`;
}

/** The pipeline page's tabs. */
export function pipelineTabs(name: string, active: "graph" | "edit" | "run"): Html {
  const tab = (id: typeof active, label: string) =>
    html`<a href="/pipelines/${encodeURIComponent(name)}/${id}" class="${id === active ? "tab active" : "tab"}">${label}</a>`;
  return html`<h1><a href="/pipelines">Pipelines</a> → ${name}</h1><nav class="tabs">${tab("graph", "Graph")}${tab("edit", "Edit")}${tab("run", "Run")}</nav>`;
}
