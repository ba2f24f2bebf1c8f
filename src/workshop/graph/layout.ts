/** Positions for a pipeline graph: dagre, levels left to right, node sizes from their labels. */
import dagre from "@dagrejs/dagre";
import type { PipelineGraph } from "./model.js";

export interface LaidOutGraph {
  width: number;
  height: number;
  nodes: { name: string; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; points: { x: number; y: number }[]; labelX: number; labelY: number }[];
}

/** Width of a line of the graph's 12 px text, roughly. */
export const textWidth = (text: string): number => Math.ceil(text.length * 7.2);
export const NODE_HEIGHT = 58;

export function layoutGraph(graph: PipelineGraph): LaidOutGraph {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 90, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const stage of graph.stages) {
    const width = Math.max(
      120,
      textWidth(stage.name) + 24,
      textWidth(`${stage.workerType} · ${stage.tier ?? "default tier"}`) + 24,
    );
    g.setNode(stage.name, { width, height: NODE_HEIGHT });
  }
  graph.edges.forEach((edge, i) => {
    const label = edge.fields.join(", ");
    g.setEdge(
      edge.from,
      edge.to,
      { width: textWidth(label), height: label ? 14 : 0, labelpos: "c" },
      String(i),
    );
  });
  dagre.layout(g);
  const nodes = graph.stages.map((stage) => {
    const n = g.node(stage.name);
    return { name: stage.name, x: n.x, y: n.y, width: n.width, height: n.height };
  });
  const edges = graph.edges.map((edge, i) => {
    const e = g.edge({ v: edge.from, w: edge.to, name: String(i) }) as {
      points?: { x: number; y: number }[];
      x?: number;
      y?: number;
    };
    const points = e.points ?? [];
    const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { from: edge.from, to: edge.to, points, labelX: e.x ?? middle.x, labelY: e.y ?? middle.y };
  });
  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), nodes, edges };
}
