/**
 * The pipeline graph as a self-contained SVG (inline styles, no scripts, no external references):
 * a `g.stage[data-stage]` per stage and a `g.edge[data-from][data-to]` per edge, classed by kind,
 * problems and run state so pages can style and light them up.
 */
import { escapeHtml } from "../server/html.js";
import { type LaidOutGraph, layoutGraph } from "./layout.js";
import type { PipelineGraph } from "./model.js";

export type StageState = "pending" | "running" | "completed" | "failed" | "skipped" | "cancelled";

export interface RenderGraphOptions {
  selected?: string;
  stageStates?: Record<string, StageState>;
}

const STYLE = `
.stage rect{fill:#fff;stroke:#8892a6;stroke-width:1.5}
.stage.conditional rect{stroke-dasharray:6 3}
.stage.selected rect{stroke:#3451b2;stroke-width:3}
.stage.has-problem rect{stroke:#b3261e;stroke-width:2}
.stage.state-running rect{fill:#fff6d6;stroke:#c79a00}
.stage.state-completed rect{fill:#e6f6ec;stroke:#1a7f47}
.stage.state-failed rect{fill:#fde8e6;stroke:#b3261e}
.stage.state-cancelled rect{fill:#f1f1f1;stroke:#b3261e;stroke-dasharray:2 2}
.stage.state-skipped rect{fill:#f4f4f4;stroke:#aaa}
.stage text{font:12px system-ui,sans-serif;fill:#1d2330}
.stage .name{font-weight:700}
.stage .meta{fill:#667}
.edge path{fill:none;stroke:#8892a6;stroke-width:1.5}
.edge.depends-on path{stroke-dasharray:6 4}
.edge.condition path{stroke-dasharray:2 3}
.edge.has-problem path{stroke:#b3261e;stroke-width:2}
.edge text{font:11px system-ui,sans-serif;fill:#445}
.edge.has-problem text{fill:#b3261e}`;

export function renderGraphSvg(
  graph: PipelineGraph,
  layout: LaidOutGraph = layoutGraph(graph),
  options: RenderGraphOptions = {},
): string {
  const e = escapeHtml;
  const problemsOf = (stage: string) => graph.problems.filter((p) => p.stage === stage && !p.edge);
  const edges = graph.edges.map((edge, i) => {
    const laid = layout.edges[i];
    const points = laid?.points ?? [];
    const d = points.map((p, j) => `${j === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    const classes = [
      "edge",
      edge.kind === "depends_on" ? "depends-on" : edge.kind === "condition" ? "condition" : "",
      edge.problems.length > 0 ? "has-problem" : "",
    ].filter(Boolean);
    const title =
      edge.problems.length > 0
        ? `<title>${e(edge.problems.map((p) => p.message).join("\n"))}</title>`
        : `<title>${e(`${edge.from} → ${edge.to}`)}</title>`;
    const label =
      edge.fields.length > 0 && laid
        ? `<text x="${laid.labelX.toFixed(1)}" y="${(laid.labelY - 4).toFixed(1)}" text-anchor="middle">${e(edge.fields.join(", "))}</text>`
        : "";
    return `<g class="${classes.join(" ")}" data-from="${e(edge.from)}" data-to="${e(edge.to)}">${title}<path d="${d}" marker-end="url(#arrow)"/>${label}</g>`;
  });
  const nodes = graph.stages.map((stage) => {
    const laid = layout.nodes.find((n) => n.name === stage.name);
    if (!laid) return "";
    const problems = problemsOf(stage.name);
    const state = options.stageStates?.[stage.name];
    const classes = [
      "stage",
      stage.condition ? "conditional" : "",
      problems.length > 0 ? "has-problem" : "",
      options.selected === stage.name ? "selected" : "",
      state ? `state-${state}` : "",
    ].filter(Boolean);
    const x = laid.x - laid.width / 2;
    const y = laid.y - laid.height / 2;
    const title = [
      `${stage.name}: ${stage.workerType}`,
      stage.condition ? `when ${stage.condition}` : "",
      ...problems.map((p) => p.message),
    ]
      .filter(Boolean)
      .join("\n");
    return `<g class="${classes.join(" ")}" data-stage="${e(stage.name)}"${state ? ` data-state="${state}"` : ""}><title>${e(title)}</title><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${laid.width}" height="${laid.height}" rx="6"/><text class="name" x="${(x + 12).toFixed(1)}" y="${(y + 22).toFixed(1)}">${e(stage.name)}</text><text class="meta" x="${(x + 12).toFixed(1)}" y="${(y + 42).toFixed(1)}">${e(`${stage.workerType} · ${stage.tier ?? "default tier"}`)}${stage.condition ? " · if" : ""}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="pipeline-graph" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="${e(`dependency graph of ${graph.name}`)}"><style>${STYLE}</style><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8892a6"/></marker></defs>${edges.join("")}${nodes.join("")}</svg>`;
}
