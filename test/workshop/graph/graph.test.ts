import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadWorkerConfig } from "../../../src/config/index.js";
import {
  buildPipelineGraph,
  layoutGraph,
  renderGraphSvg,
  type WorkerSchemas,
} from "../../../src/workshop/graph/index.js";

const CONFIGS = path.resolve(import.meta.dirname, "..", "..", "..", "configs");
const ANALYSIS_TEXT = await readFile(path.join(CONFIGS, "orchestrators", "analysis_pipeline.yaml"), "utf8");
const ANALYSIS = parse(ANALYSIS_TEXT) as { pipeline_stages: Record<string, unknown>[] };

const WORKERS = new Map<string, WorkerSchemas>();
for (const name of ["doc_extractor", "doc_classifier", "entity_extractor", "summarizer"]) {
  const worker = await loadWorkerConfig(path.join(CONFIGS, "workers", `${name}.yaml`));
  WORKERS.set(worker.name, { inputSchema: worker.inputSchema, outputSchema: worker.outputSchema });
}

const withStages = (stages: Record<string, unknown>[]) => ({ name: "p", pipeline_stages: stages });
const stage = (
  name: string,
  worker: string,
  mapping: Record<string, string>,
  extra: Record<string, unknown> = {},
) => ({
  name,
  worker_type: worker,
  input_mapping: mapping,
  ...extra,
});

describe("pipeline graph", () => {
  it("models analysis_pipeline: two edges from extract, classify and summarize on level 1, no problems", () => {
    const graph = buildPipelineGraph(ANALYSIS, WORKERS);
    expect(graph.stages.map((s) => [s.name, s.level])).toEqual([
      ["extract", 0],
      ["classify", 1],
      ["summarize", 1],
    ]);
    expect(graph.edges.map((e) => [e.from, e.to, e.kind, e.fields])).toEqual([
      ["extract", "classify", "mapping", ["text_preview", "page_count"]],
      ["extract", "summarize", "mapping", ["text"]],
    ]);
    expect(graph.problems).toEqual([]);
    const svg = renderGraphSvg(graph);
    expect(svg.match(/<g class="stage[^"]*" data-stage=/g)).toHaveLength(3);
    expect(svg.match(/<g class="edge[^"]*" data-from="extract"/g)).toHaveLength(2);
    expect(svg).toContain(">text_preview, page_count</text>");
  });

  it("lays levels out left to right", () => {
    const graph = buildPipelineGraph(ANALYSIS, WORKERS);
    const layout = layoutGraph(graph);
    const x = (name: string) => layout.nodes.find((n) => n.name === name)?.x ?? Number.NaN;
    expect(x("classify")).toBeGreaterThan(x("extract"));
    expect(x("classify")).toBe(x("summarize"));
  });

  it("flags a mapped field the producer's output schema lacks, on its edge, listing what it has", () => {
    const broken = structuredClone(ANALYSIS);
    (broken.pipeline_stages[1]?.input_mapping as Record<string, string>).page_count =
      "extract.output.no_such_field";
    const graph = buildPipelineGraph(broken, WORKERS);
    const edge = graph.edges.find((e) => e.to === "classify");
    expect(edge?.problems[0]?.message).toContain(
      "no field 'no_such_field' (it has: text_preview, page_count)",
    );
    const svg = renderGraphSvg(graph);
    expect(svg).toMatch(
      /<g class="edge has-problem" data-from="extract" data-to="classify"><title>[^<]*no_such_field/,
    );
  });

  it("reports unknown workers, unknown source stages, unfilled required inputs and type mismatches", () => {
    const graph = buildPipelineGraph(
      withStages([
        stage("extract", "doc_extractr", { file_ref: "goal.context.file_ref" }),
        stage("classify", "doc_classifier", { text_preview: "extrct.output.text_preview" }),
        stage("count", "doc_classifier", {
          text_preview: "pages.output.page_count",
          page_count: "goal.context.n",
        }),
        stage("pages", "doc_extractor", { file_ref: "goal.context.file_ref" }),
      ]),
      WORKERS,
    );
    const messages = graph.problems.map((p) => p.message);
    expect(messages).toContainEqual(
      expect.stringContaining("unknown worker 'doc_extractr' — did you mean 'doc_extractor'?"),
    );
    expect(messages).toContainEqual(expect.stringContaining("there is no stage 'extrct'"));
    expect(messages).toContainEqual(expect.stringContaining("requires input 'page_count'"));
    expect(messages).toContainEqual(
      expect.stringContaining(
        "'pages.output.page_count' is integer but doc_classifier's input 'text_preview' expects string",
      ),
    );
  });

  it("marks a cycle on its edges and its stages' level, and draws depends_on and condition edges apart", () => {
    const cyclic = buildPipelineGraph(
      withStages([
        stage("a", "summarizer", { text: "b.output.summary" }),
        stage("b", "summarizer", { text: "a.output.summary" }),
      ]),
      WORKERS,
    );
    expect(cyclic.stages.map((s) => s.level)).toEqual([-1, -1]);
    expect(cyclic.edges.every((e) => e.problems.some((p) => p.message.includes("dependency cycle")))).toBe(
      true,
    );

    const kinds = buildPipelineGraph(
      withStages([
        stage("extract", "doc_extractor", { file_ref: "goal.context.file_ref" }),
        stage("later", "summarizer", { text: "goal.context.text" }, { depends_on: ["extract"] }),
        stage(
          "maybe",
          "summarizer",
          { text: "goal.context.text" },
          { condition: "extract.output.page_count != null" },
        ),
      ]),
      WORKERS,
    );
    expect(kinds.edges.map((e) => [e.to, e.kind])).toEqual([
      ["later", "depends_on"],
      ["maybe", "condition"],
    ]);
    const svg = renderGraphSvg(kinds);
    expect(svg).toContain('class="edge depends-on"');
    expect(svg).toContain('class="edge condition"');
    expect(svg).toContain('class="stage conditional"');
  });

  it("never throws on malformed input and escapes what it draws", () => {
    for (const bad of [
      undefined,
      null,
      42,
      "text",
      { pipeline_stages: "x" },
      { pipeline_stages: [null, 1, { name: 3 }] },
    ]) {
      expect(() => renderGraphSvg(buildPipelineGraph(bad, WORKERS))).not.toThrow();
    }
    const graph = buildPipelineGraph(
      withStages([stage("<script>alert(1)</script>", "summarizer", { text: "goal.context.t" })]),
      WORKERS,
    );
    const svg = renderGraphSvg(graph);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
  });
});
