import { describe, expect, it } from "vitest";
import { formatTimeline, PipelineRunner } from "../../src/pipeline/index.js";
import { FakeDispatcher, pipeline, stage } from "./fake-dispatcher.js";

describe("timeline", () => {
  it("lists stages that ran in start order, then skipped ones with their reason, then a summary", async () => {
    const dispatcher = new FakeDispatcher({ respond: () => ({ needs_ocr: false }) });
    const config = pipeline([
      stage("extract"),
      stage("ocr", { condition: "extract.output.needs_ocr == true" }),
      stage("summarize", { inputMapping: { x: "extract.output.needs_ocr" } }),
    ]);
    const result = await new PipelineRunner(config, { dispatcher }).run({ goal_id: "g1", context: {} });
    const lines = formatTimeline(result);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^extract\s+completed\s+\d+ms → \d+ms\s+█+/);
    expect(lines[1]).toMatch(/^summarize\s+completed\s+/);
    expect(lines[2]).toMatch(/^ocr\s+skipped\s+condition 'extract\.output\.needs_ocr == true' is false/);
    expect(lines[3]).toMatch(/^goal g1: completed in \d+ms$/);
  });
});
