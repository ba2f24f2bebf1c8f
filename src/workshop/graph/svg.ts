/**
 * Renders a pipeline graph as a self-contained SVG string on the server: no scripts, no external
 * references, every user-provided text escaped, the same bytes for the same input.
 */
import { escapeXml } from "../escape.js";
import { clip, edgeLabel, FONT_SIZE_PX, stageLines } from "./labels.js";
import { type LaidOutGraph, layoutGraph, type Point } from "./layout.js";
import { type GraphProblem, type PipelineGraph, StageState } from "./model.js";
import { ARROW_ID, ARROW_PROBLEM_ID, GRAPH_CSS, ROOT_CLASS } from "./svg-style.js";

/** What to highlight when rendering. */
export interface RenderGraphOptions {
  /** The stage drawn as selected (class `selected`). */
  selected?: string;
  /** Run state per stage name, drawn as class `state-<state>`. */
  stageStates?: Record<string, StageState>;
}

const num = (n: number) => String(Math.round(n * 10) / 10);

/** A smooth path through dagre's points: straight ends, rounded bends. */
function pathData(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${num(first.x)},${num(first.y)}`;
  rest.forEach((p, i) => {
    const next = rest[i + 1];
    if (!next) d += ` L${num(p.x)},${num(p.y)}`;
    else d += ` Q${num(p.x)},${num(p.y)} ${num((p.x + next.x) / 2)},${num((p.y + next.y) / 2)}`;
  });
  return d;
}

function title(problems: readonly GraphProblem[]): string {
  if (problems.length === 0) return "";
  const text = problems.map((p) => `${p.severity}: ${p.message}`).join("\n");
  return `<title>${escapeXml(text)}</title>`;
}

/**
 * Renders `graph` as an SVG document fragment (`<svg>…</svg>`), laid out with
 * {@link layoutGraph} unless a layout is given.
 *
 * Each stage is `<g class="stage" data-stage="NAME">` (plus `conditional`, `has-problem`,
 * `in-cycle`, `selected`, `state-<state>`), each edge `<g class="edge" data-from="A" data-to="B">`
 * (plus `mapping`, `depends-on`, `condition`, `has-problem`) with a `<title>` listing its problems.
 *
 * @example res.type("image/svg+xml").send(renderGraphSvg(buildPipelineGraph(data, workers)));
 */
export function renderGraphSvg(
  graph: PipelineGraph,
  layout: LaidOutGraph = layoutGraph(graph),
  options: RenderGraphOptions = {},
): string {
  const out: string[] = [];
  const { width, height } = layout;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="${ROOT_CLASS}" width="${num(width)}" height="${num(height)}" ` +
      `viewBox="0 0 ${num(width)} ${num(height)}" role="img" aria-label="${escapeXml(`pipeline ${graph.name}`)}">`,
    `<style>\n${GRAPH_CSS}\n</style>`,
    "<defs>",
    marker(ARROW_ID, "#5b6b7f"),
    marker(ARROW_PROBLEM_ID, "#d1242f"),
    "</defs>",
  );
  out.push('<g class="edges">');
  graph.edges.forEach((edge, index) => {
    const laid = layout.edges[index];
    if (!laid) return;
    const problem = edge.problems.length > 0;
    const classes = ["edge", edge.kind === "depends_on" ? "depends-on" : edge.kind];
    if (problem) classes.push("has-problem");
    const label = edgeLabel(graph, edge);
    out.push(
      `<g class="${classes.join(" ")}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}">`,
      title(edge.problems),
      `<path d="${pathData(laid.points)}" marker-end="url(#${problem ? ARROW_PROBLEM_ID : ARROW_ID})"/>`,
      label === ""
        ? ""
        : `<text x="${num(laid.labelX)}" y="${num(laid.labelY)}" text-anchor="middle" dominant-baseline="central">${escapeXml(clip(label))}</text>`,
      "</g>",
    );
  });
  out.push("</g>", '<g class="stages">');
  const boxes = new Map(layout.nodes.map((n) => [n.name, n]));
  const stageProblems = new Map<string, GraphProblem[]>();
  for (const p of graph.problems) {
    if (p.stage === undefined || p.edge) continue;
    stageProblems.set(p.stage, [...(stageProblems.get(p.stage) ?? []), p]);
  }
  for (const stage of graph.stages) {
    const box = boxes.get(stage.name);
    if (!box) continue;
    const problems = stageProblems.get(stage.name) ?? [];
    const classes = ["stage"];
    if (stage.condition !== undefined) classes.push("conditional");
    if (problems.length > 0) classes.push("has-problem");
    if (stage.level < 0) classes.push("in-cycle");
    if (options.selected === stage.name) classes.push("selected");
    const state = options.stageStates?.[stage.name];
    if (state !== undefined && Object.hasOwn(StageState, state)) classes.push(`state-${state}`);
    const [name, meta] = stageLines(stage);
    const tooltip = [
      `${stage.name} (${stage.workerType || "no worker_type"})`,
      ...(stage.condition !== undefined ? [`if ${stage.condition}`] : []),
      ...problems.map((p) => `${p.severity}: ${p.message}`),
    ].join("\n");
    const cx = box.x + box.width / 2;
    out.push(
      `<g class="${classes.join(" ")}" data-stage="${escapeXml(stage.name)}">`,
      `<title>${escapeXml(tooltip)}</title>`,
      `<rect x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}" rx="6"/>`,
      `<text class="name" x="${num(cx)}" y="${num(box.y + box.height / 2 - FONT_SIZE_PX * 0.55)}" text-anchor="middle" dominant-baseline="central">${escapeXml(clip(name))}</text>`,
      `<text class="meta" x="${num(cx)}" y="${num(box.y + box.height / 2 + FONT_SIZE_PX * 0.75)}" text-anchor="middle" dominant-baseline="central">${escapeXml(clip(meta))}</text>`,
      "</g>",
    );
  }
  out.push("</g>", "</svg>");
  return out.filter((line) => line !== "").join("\n");
}

function marker(id: string, color: string): string {
  return (
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`
  );
}
