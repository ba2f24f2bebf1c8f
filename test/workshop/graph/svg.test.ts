/** renderGraphSvg: a self-contained, escaped, deterministic drawing of the graph. */
import { describe, expect, it } from "vitest";
import {
  buildPipelineGraph,
  layoutGraph,
  renderGraphSvg,
  type WorkerSchemas,
} from "../../../src/workshop/graph/index.js";
import { analysisPipeline, groups, guideWorkers } from "./helpers.js";

const workers = await guideWorkers();
const any: WorkerSchemas = { inputSchema: {}, outputSchema: {} };

describe("renderGraphSvg", () => {
  it("the analysis_pipeline: three stages, two edges from extract labelled with the mapped fields", async () => {
    const graph = buildPipelineGraph(await analysisPipeline(), workers);
    const svg = renderGraphSvg(graph);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="loom-pipeline-graph"')).toBe(true);
    expect(svg.endsWith("</svg>")).toBe(true);
    const stages = groups(svg, "stage");
    expect(stages.map((g) => [g.attrs["data-stage"], g.classes.join(" ")])).toEqual([
      ["extract", "stage"],
      ["classify", "stage"],
      ["summarize", "stage"],
    ]);
    expect(stages[1]?.body).toContain("<rect ");
    expect(stages[1]?.body).toContain(">classify</text>");
    expect(stages[1]?.body).toContain(">doc_classifier · local</text>");
    const edges = groups(svg, "edge");
    expect(edges.map((g) => [g.attrs["data-from"], g.attrs["data-to"], g.classes.join(" ")])).toEqual([
      ["extract", "classify", "edge mapping"],
      ["extract", "summarize", "edge mapping"],
    ]);
    expect(edges[0]?.body).toMatch(/<path d="M[^"]+" marker-end="url\(#loom-graph-arrow\)"\/>/);
    expect(edges[0]?.body).toContain(">text_preview, page_count</text>");
    expect(edges[1]?.body).toContain(">text</text>");
    expect(svg).not.toContain("<title>error");
  });

  it("a broken mapping makes its edge red with the problem in a <title>", async () => {
    const pipeline = await analysisPipeline();
    (pipeline.pipeline_stages[1]?.input_mapping as Record<string, string>).page_count =
      "extract.output.no_such_field";
    const svg = renderGraphSvg(buildPipelineGraph(pipeline, workers));
    const edge = groups(svg, "edge").find((g) => g.attrs["data-to"] === "classify");
    expect(edge?.classes).toEqual(["edge", "mapping", "has-problem"]);
    expect(edge?.body).toContain(
      "<title>error: classify.input_mapping.page_count: doc_extractor (stage extract) has no output field &#39;no_such_field&#39; (its output fields: text_preview, page_count)</title>",
    );
    expect(edge?.body).toContain('marker-end="url(#loom-graph-arrow-problem)"');
    expect(groups(svg, "edge").find((g) => g.attrs["data-to"] === "summarize")?.classes).toEqual([
      "edge",
      "mapping",
    ]);
  });

  it("stage classes: conditional, has-problem, in-cycle, selected and the run state", () => {
    const graph = buildPipelineGraph(
      {
        name: "p",
        pipeline_stages: [
          { name: "extract", worker_type: "w", input_mapping: { f: "goal.context.f" } },
          { name: "ocr", worker_type: "w", condition: "extract.output.needs_ocr == true" },
          { name: "lost", worker_type: "nope" },
          { name: "x", worker_type: "w", input_mapping: { a: "y.output.a" } },
          { name: "y", worker_type: "w", input_mapping: { a: "x.output.a" } },
          { name: "after", worker_type: "w", depends_on: ["extract"] },
        ],
      },
      new Map([["w", any]]),
    );
    const svg = renderGraphSvg(graph, layoutGraph(graph), {
      selected: "extract",
      stageStates: { extract: "completed", ocr: "running", lost: "bogus" as never },
    });
    const classes = Object.fromEntries(
      groups(svg, "stage").map((g) => [g.attrs["data-stage"], g.classes.join(" ")]),
    );
    expect(classes).toEqual({
      extract: "stage selected state-completed",
      ocr: "stage conditional state-running",
      lost: "stage has-problem",
      x: "stage in-cycle",
      y: "stage in-cycle",
      after: "stage",
    });
    const edges = groups(svg, "edge").map(
      (g) => `${g.attrs["data-from"]}→${g.attrs["data-to"]}: ${g.classes.join(" ")}`,
    );
    expect(edges).toEqual([
      "extract→ocr: edge condition",
      "y→x: edge mapping has-problem",
      "x→y: edge mapping has-problem",
      "extract→after: edge depends-on",
    ]);
    expect(svg).toContain(">if extract.output.needs_ocr == true</text>");
    expect(svg).toMatch(/\.edge\.depends-on path\{stroke-dasharray:7 4\}/);
    expect(svg).toMatch(/\.edge\.condition path\{stroke-dasharray:1\.5 3\}/);
  });

  it("names from YAML are escaped everywhere: no script, no broken attribute", () => {
    const evil = `<script>alert("x")</script>&'`;
    const graph = buildPipelineGraph(
      {
        name: evil,
        pipeline_stages: [
          { name: evil, worker_type: `w"><script>`, tier: "<b>", input_mapping: { "<i>": "goal.context.x" } },
          { name: "next", worker_type: "w", input_mapping: { "a<b": `${evil}.output.x` } },
        ],
      },
      new Map([["w", any]]),
    );
    const svg = renderGraphSvg(graph);
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    // Every attribute value is quoted and contains no raw quote or angle bracket.
    for (const tag of svg.match(/<[^>]*>/g) ?? []) {
      expect(tag.slice(1, -1).replace(/="[^"<>]*"/g, "=''"), tag).not.toMatch(/["<>]/);
    }
    expect(groups(svg, "stage")[0]?.attrs["data-stage"]).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
    );
  });

  it("is self-contained and the same for the same input", async () => {
    const graph = buildPipelineGraph(await analysisPipeline(), workers);
    const svg = renderGraphSvg(graph);
    expect(renderGraphSvg(buildPipelineGraph(await analysisPipeline(), workers))).toBe(svg);
    expect(svg).not.toMatch(/<script|href=|xlink|url\((?!#)|@import|javascript:/i);
    expect(svg).toContain("<style>");
  });
});
