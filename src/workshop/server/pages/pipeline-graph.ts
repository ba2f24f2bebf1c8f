/** Pipeline → Graph: the dependency graph as SVG, its static checks, and the selected stage. */
import type { GraphStage, PipelineGraph } from "../../graph/index.js";
import type { PipelineEntry } from "../../pipeline-catalog.js";
import { type Html, html, raw } from "../html.js";
import { layout, type PageContext } from "./layout.js";
import { pipelineTabs } from "./pipelines.js";

export function pipelineGraphPage(
  ctx: PageContext,
  entry: PipelineEntry,
  graph: PipelineGraph,
  svg: string,
  selected: string | undefined,
): string {
  const stage = graph.stages.find((s) => s.name === selected);
  return layout(
    ctx,
    `${entry.name} · Graph`,
    html`${pipelineTabs(entry.name, "graph")}
<div class="graph" id="graph" data-select-url="/pipelines/${encodeURIComponent(entry.name)}/graph">${raw(svg)}</div>
${problemList(graph)}
${stage ? stageDetails(stage, graph) : html`<p class="muted">Click a stage to see its worker, tier, input mapping, condition and timeout.</p>`}`,
  ).value;
}

export function problemList(graph: PipelineGraph): Html {
  if (graph.problems.length === 0)
    return html`<p class="ok" id="graph-problems">No problems found in this graph.</p>`;
  return html`<ul class="issues" id="graph-problems">${graph.problems.map(
    (p) =>
      html`<li class="${p.severity}">${p.stage ? html`<code>${p.stage}</code> ` : ""}${p.edge ? html`<code>${p.edge.from} → ${p.edge.to}</code> ` : ""}${p.message}</li>`,
  )}</ul>`;
}

function stageDetails(stage: GraphStage, graph: PipelineGraph): Html {
  const problems = graph.problems.filter((p) => p.stage === stage.name || p.edge?.to === stage.name);
  return html`<section class="stage-details" id="stage-details"><h2>Stage ${stage.name}</h2>
<dl class="facts"><dt>Worker</dt><dd>${stage.workerType}</dd><dt>Tier</dt><dd>${stage.tier ?? "the worker's default"}</dd>
<dt>Level</dt><dd>${stage.level < 0 ? "in a cycle" : stage.level}</dd>
<dt>Condition</dt><dd>${stage.condition ?? "—"}</dd><dt>Depends on</dt><dd>${stage.dependsOn?.join(", ") ?? "inferred from the mapping"}</dd>
<dt>Timeout</dt><dd>${stage.timeoutSeconds === undefined ? "the worker's" : `${stage.timeoutSeconds} s`}</dd></dl>
<h3>Input mapping</h3><table><tbody>${Object.entries(stage.inputMapping).map(([field, from]) => html`<tr><td><code>${field}</code></td><td>← <code>${from}</code></td></tr>`)}</tbody></table>
${problems.length > 0 ? html`<ul class="issues">${problems.map((p) => html`<li class="${p.severity}">${p.message}</li>`)}</ul>` : ""}</section>`;
}
