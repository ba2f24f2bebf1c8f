/** Pipeline → Edit: the YAML with live validation, and stage operations validated before save. */
import { TIERS } from "../../../config/types.js";
import type { PipelineEntry } from "../../pipeline-catalog.js";
import type { ConfigVersion } from "../../versions.js";
import { type Html, html } from "../html.js";
import { issueList, layout, type PageContext } from "./layout.js";
import { pipelineTabs } from "./pipelines.js";
import { versionsSection } from "./worker-edit.js";

export interface StageChoices {
  stages: string[];
  workers: string[];
  /** `goal.context.x` and `stage.output.field` paths a mapping can use. */
  paths: string[];
}

export function pipelineEditPage(
  ctx: PageContext,
  entry: PipelineEntry,
  text: string,
  versions: readonly ConfigVersion[],
  choices: StageChoices,
  notice?: { ok: boolean; message: string },
): string {
  const base = `/pipelines/${encodeURIComponent(entry.name)}`;
  const stageSelect = (name: string) =>
    html`<select name="${name}" required>${choices.stages.map((s) => html`<option>${s}</option>`)}</select>`;
  const workerSelect = html`<select name="worker_type" required>${choices.workers.map((w) => html`<option>${w}</option>`)}</select>`;
  const tierSelect = html`<select name="tier"><option value="">the worker's default</option>${TIERS.map((t) => html`<option>${t}</option>`)}</select>`;
  const csrf = html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
  const op = (name: string, legend: string, fields: Html) =>
    html`<form method="post" action="${base}/stages" class="stage-op" data-op="${name}">${csrf}<input type="hidden" name="op" value="${name}"><fieldset><legend>${legend}</legend>${fields} <button type="submit">Apply and save</button></fieldset></form>`;
  return layout(
    ctx,
    `${entry.name} · Edit`,
    html`${pipelineTabs(entry.name, "edit")}
${notice ? html`<p class="${notice.ok ? "ok" : "error"}" role="status" id="notice">${notice.message}</p>` : ""}
<datalist id="mapping-paths">${choices.paths.map((p) => html`<option value="${p}">`)}</datalist>
<section class="stage-ops"><h2>Stages</h2>
${op("insert_after", "Insert a stage after another (a parallel branch: map it from the same producers)", html`<label>After ${stageSelect("after")}</label> <label>Name <input name="name" required pattern="[a-z][a-z0-9_]*" placeholder="new_stage"></label> <label>Worker ${workerSelect}</label> <label>Tier ${tierSelect}</label> <label>Mapping <input name="mapping" placeholder="text=extract.output.text_preview, title=goal.context.title" list="mapping-paths" size="48"></label>`)}
${op("remove", "Remove a stage (refused while others depend on it: they are named)", html`<label>Stage ${stageSelect("stage")}</label>`)}
${op("set_worker", "Swap a stage's worker", html`<label>Stage ${stageSelect("stage")}</label> <label>Worker ${workerSelect}</label>`)}
${op("set_tier", "Change a stage's tier", html`<label>Stage ${stageSelect("stage")}</label> <label>Tier ${tierSelect}</label>`)}
${op("set_mapping", "Map an input field (empty path removes it)", html`<label>Stage ${stageSelect("stage")}</label> <label>Field <input name="field" required></label> <label>from <input name="path" list="mapping-paths" size="36"></label>`)}
</section>
<h2>YAML</h2>
<form id="save-form" method="post" action="${base}/save">${csrf}
<textarea name="text" data-editor="yaml" data-validate-url="${base}/validate" spellcheck="false" rows="24">${text}</textarea>
<div id="issues" aria-live="polite">${issueList(entry.issues)}</div>
<p><button type="submit">Save</button> <label><input type="checkbox" name="force" value="1"> Save even if invalid</label></p></form>
${versionsSection(entry.name, versions, false, `/pipelines/${encodeURIComponent(entry.name)}`)}`,
    { editor: true },
  ).value;
}
