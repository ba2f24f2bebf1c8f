import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dependantsOf, editPipeline } from "../../src/workshop/pipeline-edit.js";

const ANALYSIS = await readFile(
  new URL("../../configs/orchestrators/analysis_pipeline.yaml", import.meta.url),
  "utf8",
);

describe("pipeline stage edits", () => {
  it("inserts a stage after another, keeping comments and the other stages as written", () => {
    const text = editPipeline(ANALYSIS, {
      op: "insert_after",
      after: "extract",
      stage: {
        name: "translate",
        worker_type: "summarizer",
        tier: "local",
        input_mapping: { text: "extract.output.text_preview" },
      },
    });
    expect(text).toContain("# The guide's Part 3 pipeline.");
    expect(text).toContain('    worker_type: "doc_extractor"');
    const names = (parse(text).pipeline_stages as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(["extract", "translate", "classify", "summarize"]);
  });

  it("refuses to remove a stage others depend on, naming them, and removes a leaf", () => {
    expect(() => editPipeline(ANALYSIS, { op: "remove", stage: "extract" })).toThrow(
      /feeds 'classify', 'summarize'/,
    );
    expect(dependantsOf(parse(ANALYSIS), "extract")).toEqual(["classify", "summarize"]);
    const text = editPipeline(ANALYSIS, { op: "remove", stage: "summarize" });
    expect((parse(text).pipeline_stages as unknown[]).length).toBe(2);
    expect(text).toContain("#   Level 1: classify + summarize");
  });

  it("swaps a worker and a tier and edits a mapping", () => {
    let text = editPipeline(ANALYSIS, { op: "set_worker", stage: "summarize", worker_type: "summarizer" });
    text = editPipeline(text, { op: "set_tier", stage: "summarize", tier: "frontier" });
    text = editPipeline(text, { op: "set_mapping", stage: "classify", field: "page_count", path: null });
    text = editPipeline(text, {
      op: "set_mapping",
      stage: "classify",
      field: "title",
      path: "goal.context.title",
    });
    const stages = parse(text).pipeline_stages as Record<string, unknown>[];
    expect(stages[2]).toMatchObject({ worker_type: "summarizer", tier: "frontier" });
    expect(stages[1]?.input_mapping).toEqual({
      text_preview: "extract.output.text_preview",
      title: "goal.context.title",
    });
  });

  it("says what is wrong with a bad edit", () => {
    expect(() => editPipeline(ANALYSIS, { op: "set_tier", stage: "nope", tier: "local" })).toThrow(
      "there is no stage 'nope'",
    );
    const stage = { name: "extract", worker_type: "x", input_mapping: {} };
    expect(() => editPipeline(ANALYSIS, { op: "insert_after", after: "extract", stage })).toThrow(
      "already a stage 'extract'",
    );
    expect(() =>
      editPipeline(ANALYSIS, { op: "insert_after", after: "extract", stage: { ...stage, name: "Bad Name" } }),
    ).toThrow("not a stage name");
  });
});
