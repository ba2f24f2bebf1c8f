import { describe, expect, it } from "vitest";
import { PipelineRunner } from "../../src/pipeline/index.js";
import { FakeDispatcher, pipeline, stage } from "./fake-dispatcher.js";

/** extract -> ocr (conditional) -> clean_ocr ; extract -> summarize. */
function ocrPipeline(condition: string) {
  return pipeline([
    stage("extract", { inputMapping: { file_ref: "goal.context.file_ref" } }),
    stage("ocr", { condition, inputMapping: { file_ref: "goal.context.file_ref" } }),
    stage("clean_ocr", { inputMapping: { text: "ocr.output.text" } }),
    stage("summarize", { inputMapping: { text: "extract.output.text" } }),
  ]);
}

async function runWithExtractOutput(condition: string, output: Record<string, unknown>) {
  const dispatcher = new FakeDispatcher({
    respond: (task) => (task.metadata?.stage === "extract" ? output : { text: "done" }),
  });
  const result = await new PipelineRunner(ocrPipeline(condition), { dispatcher }).run({
    goal_id: "g",
    context: { file_ref: "scan.pdf" },
  });
  return { result, dispatcher };
}

describe("pipeline runner: conditions and skipping", () => {
  it.each([
    ["extract.output.needs_ocr == true", { needs_ocr: true, text: "" }, "completed"],
    ["extract.output.needs_ocr == true", { needs_ocr: false, text: "" }, "skipped"],
    ["extract.output.needs_ocr != false", { needs_ocr: true, text: "" }, "completed"],
    ["extract.output.needs_ocr != false", { needs_ocr: false, text: "" }, "skipped"],
    ['extract.output.kind == "scan"', { kind: "scan", text: "" }, "completed"],
    ["extract.output.kind == 'scan'", { kind: "born-digital", text: "" }, "skipped"],
    ["extract.output.kind == null", { kind: null, text: "" }, "completed"],
    ["extract.output.meta.flags[1] == true", { meta: { flags: [false, true] }, text: "" }, "completed"],
  ])("%s with %j → ocr %s", async (condition, output, expected) => {
    const { result } = await runWithExtractOutput(condition, output);
    expect(result.status).toBe("completed");
    expect(result.stages.ocr?.status).toBe(expected);
    expect(result.stages.summarize?.status).toBe("completed");
  });

  it.each(["extract.output.needs_ocr == true", "extract.output.needs_ocr != true"])(
    "a missing path makes '%s' false: the stage is skipped, and says why",
    async (condition) => {
      const { result, dispatcher } = await runWithExtractOutput(condition, { text: "t" });
      expect(result.status).toBe("completed");
      expect(result.stages.ocr?.status).toBe("skipped");
      expect(result.stages.ocr?.reason).toContain("path 'extract.output.needs_ocr' not found");
      expect(result.stages.ocr?.reason).toContain("extract.output has keys text");
      expect(dispatcher.hasStarted("ocr")).toBe(false);
    },
  );

  it("stages that depend on a skipped stage are skipped too, and the result says so", async () => {
    const { result, dispatcher } = await runWithExtractOutput("extract.output.needs_ocr == true", {
      needs_ocr: false,
      text: "t",
    });
    expect(result.stages.ocr).toMatchObject({ status: "skipped" });
    expect(result.stages.ocr?.reason).toContain("is false");
    expect(result.stages.clean_ocr).toMatchObject({
      status: "skipped",
      reason: "depends on skipped stage 'ocr'",
    });
    expect(dispatcher.hasStarted("clean_ocr")).toBe(false);
    expect(result.timeline.map((t) => t.stage).sort()).toEqual(["extract", "summarize"]);
  });
});

describe("pipeline runner: input mapping", () => {
  it("resolves nested paths and array indices from goal and stage outputs", async () => {
    const dispatcher = new FakeDispatcher({
      respond: (task) =>
        task.metadata?.stage === "extract"
          ? { meta: { pages: 12 }, items: [{ title: "first" }, { title: "second" }] }
          : {},
    });
    const config = pipeline([
      stage("extract"),
      stage("use", {
        inputMapping: {
          pages: "extract.output.meta.pages",
          second: "extract.output.items[1].title",
          all: "extract.output.items",
          question: "goal.instruction",
          id: "goal.goal_id",
          nested: "goal.context.doc.tags[0]",
        },
      }),
    ]);
    const result = await new PipelineRunner(config, { dispatcher }).run({
      goal_id: "g7",
      instruction: "Summarize",
      context: { doc: { tags: ["legal"] } },
    });
    expect(result.status).toBe("completed");
    const use = await dispatcher.started("use");
    expect(use.task.payload).toEqual({
      pages: 12,
      second: "second",
      all: [{ title: "first" }, { title: "second" }],
      question: "Summarize",
      id: "g7",
      nested: "legal",
    });
  });

  it("a path that does not resolve fails the stage, naming the path and what was there", async () => {
    const dispatcher = new FakeDispatcher({
      respond: (task) => (task.metadata?.stage === "extract" ? { page_count: 3, title: "T" } : {}),
    });
    const config = pipeline([
      stage("extract"),
      stage("summarize", { inputMapping: { text: "extract.output.text_preview" } }),
      stage("report", { inputMapping: { s: "summarize.output.s" } }),
    ]);
    const result = await new PipelineRunner(config, { dispatcher }).run({ goal_id: "g", context: {} });
    expect(result.status).toBe("failed");
    expect(result.error?.stage).toBe("summarize");
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain(
      "input_mapping.text: path 'extract.output.text_preview' not found: extract.output has keys page_count, title",
    );
    expect(result.stages.summarize?.status).toBe("failed");
    expect(result.stages.report?.status).toBe("pending");
    expect(dispatcher.hasStarted("summarize")).toBe(false);
  });

  it("an index past the end of an array says how long the array is", async () => {
    const dispatcher = new FakeDispatcher({ respond: () => ({ items: ["a"] }) });
    const config = pipeline([stage("a"), stage("b", { inputMapping: { x: "a.output.items[3]" } })]);
    const result = await new PipelineRunner(config, { dispatcher }).run({ goal_id: "g", context: {} });
    expect(result.stages.b?.error?.message).toContain(
      "path 'a.output.items[3]' not found: a.output.items is an array of length 1",
    );
  });

  it("a missing goal context key fails the first stage with what the context holds", async () => {
    const dispatcher = new FakeDispatcher();
    const config = pipeline([stage("a", { inputMapping: { f: "goal.context.file_ref" } })]);
    const result = await new PipelineRunner(config, { dispatcher }).run({
      goal_id: "g",
      context: { file: "x.pdf" },
    });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain(
      "path 'goal.context.file_ref' not found: goal.context has keys file",
    );
  });
});
