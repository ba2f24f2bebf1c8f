/**
 * Lays a pipeline graph out left to right with dagre: one column per level, edges routed around
 * stages, space kept for edge labels.
 */
import dagre from "@dagrejs/dagre";
import { EDGE_LABEL_HEIGHT_PX, edgeLabel, stageSize, textWidth } from "./labels.js";
import type { GraphStage, PipelineGraph } from "./model.js";

/** A point in SVG user units. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Where everything goes. Node `x`, `y` are the top-left corner of the stage box; edge `points`
 * run from the producer's border to the consumer's; `labelX`, `labelY` are the label's centre.
 */
export interface LaidOutGraph {
  width: number;
  height: number;
  nodes: { name: string; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; points: Point[]; labelX: number; labelY: number }[];
}

const MARGIN_PX = 16;
const SELF_LOOP_PX = 22;
/** A node that keeps every connected part of the graph starting in the same column. */
const ROOT = "\u0000root";

/**
 * Lays out `graph` with dagre (`rankdir: LR`): stages of level n in column n, boxes sized to their
 * text. Stages in a cycle (level -1) go one column right of what they read outside the cycle;
 * edges that go against the columns (only in broken pipelines) are drawn as straight lines.
 *
 * @example const svg = renderGraphSvg(graph, layoutGraph(graph));
 */
export function layoutGraph(graph: PipelineGraph): LaidOutGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 56, edgesep: 14, marginx: 0, marginy: 0 });
  const rank = columns(graph);
  for (const stage of graph.stages) g.setNode(stage.name, { ...stageSize(stage) });
  const routed = new Map<number, { reversed: boolean }>();
  graph.edges.forEach((edge, index) => {
    const span = (rank.get(edge.to) ?? 0) - (rank.get(edge.from) ?? 0);
    if (span === 0) return;
    const label = edgeLabel(graph, edge);
    const [v, w] = span > 0 ? [edge.from, edge.to] : [edge.to, edge.from];
    // minlen = the column distance, so with every edge at its minimum length (what dagre's
    // network simplex ranker aims for) each stage lands in its level's column.
    const size =
      label === "" ? { width: 0, height: 0 } : { width: textWidth(label), height: EDGE_LABEL_HEIGHT_PX };
    g.setEdge(v, w, { minlen: Math.abs(span), weight: 1, ...size, labelpos: "c" }, String(index));
    routed.set(index, { reversed: span < 0 });
  });
  const sources = graph.stages.filter((s) => (rank.get(s.name) ?? 0) === 0);
  if (sources.length > 1) {
    g.setNode(ROOT, { width: 0, height: 0 });
    for (const s of sources) g.setEdge(ROOT, s.name, { minlen: 1, weight: 1, width: 0, height: 0 });
  }
  dagre.layout(g);

  const nodes = graph.stages.map((stage) => {
    const n = g.node(stage.name);
    return {
      name: stage.name,
      x: n.x - n.width / 2,
      y: n.y - n.height / 2,
      width: n.width,
      height: n.height,
    };
  });
  const box = new Map(nodes.map((n) => [n.name, n]));
  const edges = graph.edges.map((edge, index) => {
    const how = routed.get(index);
    const from = box.get(edge.from);
    const to = box.get(edge.to);
    if (!how || !from || !to) return { from: edge.from, to: edge.to, ...straight(from, to) };
    const label = how.reversed
      ? g.edge(edge.to, edge.from, String(index))
      : g.edge(edge.from, edge.to, String(index));
    const points = (label.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    if (how.reversed) points.reverse();
    const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    const hasLabel = typeof label.x === "number" && typeof label.y === "number";
    return {
      from: edge.from,
      to: edge.to,
      points,
      labelX: hasLabel ? (label.x as number) : middle.x,
      labelY: hasLabel ? (label.y as number) : middle.y,
    };
  });
  return normalize(
    nodes,
    edges,
    graph.edges.map((e) => textWidth(edgeLabel(graph, e))),
  );
}

/** The column of each stage: its level, or for a stage in a cycle one right of its other inputs. */
function columns(graph: PipelineGraph): Map<string, number> {
  const rank = new Map<string, number>();
  const levelOf = new Map<string, GraphStage>(graph.stages.map((s) => [s.name, s]));
  for (const s of graph.stages) if (s.level >= 0) rank.set(s.name, s.level);
  for (const s of graph.stages) {
    if (s.level >= 0) continue;
    const inputs = graph.edges
      .filter((e) => e.to === s.name && (levelOf.get(e.from)?.level ?? -1) >= 0)
      .map((e) => rank.get(e.from) ?? 0);
    rank.set(s.name, inputs.length > 0 ? Math.max(...inputs) + 1 : 0);
  }
  return rank;
}

type Box = { x: number; y: number; width: number; height: number };

/** A straight edge between two boxes in the same column, or a loop over one box. */
function straight(
  from: Box | undefined,
  to: Box | undefined,
): { points: Point[]; labelX: number; labelY: number } {
  if (!from || !to) return { points: [], labelX: 0, labelY: 0 };
  if (from === to) {
    const left = from.x + from.width / 3;
    const right = from.x + (2 * from.width) / 3;
    const top = from.y;
    return {
      points: [
        { x: right, y: top },
        { x: right, y: top - SELF_LOOP_PX },
        { x: left, y: top - SELF_LOOP_PX },
        { x: left, y: top },
      ],
      labelX: from.x + from.width / 2,
      labelY: top - SELF_LOOP_PX - 8,
    };
  }
  const a = border(from, to);
  const b = border(to, from);
  return { points: [a, b], labelX: (a.x + b.x) / 2, labelY: (a.y + b.y) / 2 };
}

/** Where the line from the centre of `box` towards the centre of `other` leaves `box`. */
function border(box: Box, other: Box): Point {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = other.x + other.width / 2 - cx;
  const dy = other.y + other.height / 2 - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : box.width / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : box.height / 2 / Math.abs(dy),
  );
  return { x: cx + dx * scale, y: cy + dy * scale };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Moves everything so the drawing starts at the margin, rounds, and measures it. */
function normalize(
  nodes: LaidOutGraph["nodes"],
  edges: LaidOutGraph["edges"],
  labelWidths: readonly number[],
): LaidOutGraph {
  const xs: number[] = [];
  const ys: number[] = [];
  const extend = (x: number, y: number) => {
    xs.push(x);
    ys.push(y);
  };
  for (const n of nodes) {
    extend(n.x, n.y);
    extend(n.x + n.width, n.y + n.height);
  }
  edges.forEach((e, i) => {
    for (const p of e.points) extend(p.x, p.y);
    const half = (labelWidths[i] ?? 0) / 2;
    if (half === 0) return;
    extend(e.labelX - half, e.labelY - EDGE_LABEL_HEIGHT_PX / 2);
    extend(e.labelX + half, e.labelY + EDGE_LABEL_HEIGHT_PX / 2);
  });
  if (xs.length === 0) return { width: 2 * MARGIN_PX, height: 2 * MARGIN_PX, nodes: [], edges: [] };
  const dx = MARGIN_PX - Math.min(...xs);
  const dy = MARGIN_PX - Math.min(...ys);
  return {
    width: round(Math.max(...xs) - Math.min(...xs) + 2 * MARGIN_PX),
    height: round(Math.max(...ys) - Math.min(...ys) + 2 * MARGIN_PX),
    nodes: nodes.map((n) => ({ ...n, x: round(n.x + dx), y: round(n.y + dy) })),
    edges: edges.map((e) => ({
      ...e,
      points: e.points.map((p) => ({ x: round(p.x + dx), y: round(p.y + dy) })),
      labelX: round(e.labelX + dx),
      labelY: round(e.labelY + dy),
    })),
  };
}
