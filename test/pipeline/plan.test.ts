import { describe, expect, it } from "vitest";
import { compilePipeline } from "../../src/pipeline/index.js";
import { pipeline, stage } from "./fake-dispatcher.js";

describe("pipeline plan", () => {
  it("infers the guide's levels for analysis_pipeline", () => {
    const plan = compilePipeline(
      pipeline([
        stage("extract", { inputMapping: { file_ref: "goal.context.file_ref" } }),
        stage("classify", { inputMapping: { t: "extract.output.text_preview" } }),
        stage("summarize", { inputMapping: { t: "extract.output.text_preview" } }),
      ]),
    );
    expect(plan.levels).toEqual([["extract"], ["classify", "summarize"]]);
    expect(plan.byName.get("extract")?.dependents).toEqual(["classify", "summarize"]);
  });

  it("counts a condition's stage as a dependency", () => {
    const plan = compilePipeline(
      pipeline([stage("extract"), stage("ocr", { condition: "extract.output.needs_ocr == true" })]),
    );
    expect(plan.byName.get("ocr")?.dependencies).toEqual(["extract"]);
  });

  it.each([
    [pipeline([stage("a"), stage("a")]), /duplicate stage name 'a'/],
    [pipeline([stage("a", { timeoutSeconds: 0 })]), /timeout_seconds must be a positive number \(got 0\)/],
    [pipeline([stage("a")], { timeoutSeconds: -1 }), /timeout_seconds must be a positive number \(got -1\)/],
    [pipeline([stage("a")], { maxConcurrentGoals: 1.5 }), /max_concurrent_goals must be a positive integer/],
    [
      pipeline([stage("a", { inputMapping: { x: "goal..x" } })]),
      /input_mapping\.x: malformed path 'goal\.\.x'/,
    ],
  ])("rejects a config that cannot run (%#)", (config, message) => {
    expect(() => compilePipeline(config)).toThrow(message);
  });
});
