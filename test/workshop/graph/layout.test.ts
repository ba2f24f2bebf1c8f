/** layoutGraph: stages in level columns left to right, every edge and label inside the drawing. */
import { describe, expect, it } from "vitest";
import { buildPipelineGraph, layoutGraph, type WorkerSchemas } from "../../../src/workshop/graph/index.js";
import { analysisPipeline, guideWorkers } from "./helpers.js";

type Box = { x: number; y: number; width: number; height: number };

/** Whether `p` lies on the outline of `box` (to rounding). */
function onBorder(p: { x: number; y: number }, box: Box): boolean {
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.6;
  const inX = p.x >= box.x - 0.6 && p.x <= box.x + box.width + 0.6;
  const inY = p.y >= box.y - 0.6 && p.y <= box.y + box.height + 0.6;
  return (
    (inY && (near(p.x, box.x) || near(p.x, box.x + box.width))) ||
    (inX && (near(p.y, box.y) || near(p.y, box.y + box.height)))
  );
}

const any: WorkerSchemas = { inputSchema: {}, outputSchema: {} };

describe("layoutGraph", () => {
  it("the analysis_pipeline: extract left of classify and summarize, which share a column", async () => {
    const graph = buildPipelineGraph(await analysisPipeline(), await guideWorkers());
    const layout = layoutGraph(graph);
    const node = (name: string) => layout.nodes.find((n) => n.name === name)!;
    expect(node("extract").x + node("extract").width).toBeLessThan(node("classify").x);
    const centre = (name: string) => node(name).x + node(name).width / 2;
    expect(centre("classify")).toBeCloseTo(centre("summarize"), 0);
    expect(Math.abs(node("classify").y - node("summarize").y)).toBeGreaterThanOrEqual(
      node("classify").height,
    );
    expect(layout.edges.map((e) => [e.from, e.to])).toEqual([
      ["extract", "classify"],
      ["extract", "summarize"],
    ]);
  });

  it("every stage of level n+1 is right of every stage of level n, also across unconnected parts", () => {
    // Level 0: a, lone, c0; a feeds only d (level 3) besides b; c0 → c1 is a separate component.
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "a", worker_type: "w", input_mapping: { x: "goal.context.x" } },
          { name: "b", worker_type: "w", input_mapping: { x: "a.output.x" } },
          { name: "b2", worker_type: "w", input_mapping: { x: "b.output.x" } },
          { name: "d", worker_type: "w", input_mapping: { x: "b2.output.x", y: "a.output.y" } },
          { name: "lone", worker_type: "w", input_mapping: { x: "goal.context.x" } },
          { name: "c0", worker_type: "w", input_mapping: { x: "goal.context.x" } },
          { name: "c1", worker_type: "w", input_mapping: { x: "c0.output.x" } },
          { name: "late", worker_type: "w", input_mapping: { x: "c1.output.x", y: "b.output.y" } },
        ],
      },
      new Map([["w", any]]),
    );
    expect(graph.levels).toEqual([["a", "lone", "c0"], ["b", "c1"], ["b2", "late"], ["d"]]);
    const layout = layoutGraph(graph);
    const box = new Map(layout.nodes.map((n) => [n.name, n]));
    for (let level = 0; level + 1 < graph.levels.length; level++) {
      const right = Math.max(...(graph.levels[level] ?? []).map((n) => box.get(n)!.x + box.get(n)!.width));
      for (const name of graph.levels[level + 1] ?? []) expect(box.get(name)!.x, name).toBeGreaterThan(right);
    }
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
    }
    for (const e of layout.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      const from = box.get(e.from)!;
      const to = box.get(e.to)!;
      expect(onBorder(e.points[0]!, from), `${e.from} → ${e.to} starts on ${e.from}`).toBe(true);
      expect(onBorder(e.points.at(-1)!, to), `${e.from} → ${e.to} ends on ${e.to}`).toBe(true);
    }
  });

  it("a cyclic, self-reading pipeline still lays out every stage and edge", () => {
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "a", worker_type: "w", input_mapping: { x: "b.output.x" } },
          { name: "b", worker_type: "w", input_mapping: { x: "a.output.x" } },
          { name: "s", worker_type: "w", input_mapping: { x: "s.output.x" } },
        ],
      },
      new Map([["w", any]]),
    );
    const layout = layoutGraph(graph);
    expect(layout.nodes.map((n) => n.name)).toEqual(["a", "b", "s"]);
    expect(layout.edges).toHaveLength(3);
    for (const e of layout.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      for (const p of e.points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    }
  });

  it("an empty graph is an empty drawing", () => {
    expect(layoutGraph(buildPipelineGraph({}, new Map()))).toEqual({
      width: 32,
      height: 32,
      nodes: [],
      edges: [],
    });
  });
});
