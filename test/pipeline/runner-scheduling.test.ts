import { describe, expect, it } from "vitest";
import { PipelineRunner } from "../../src/pipeline/index.js";
import type { PipelineEvent } from "../../src/pipeline/types.js";
import { FakeDispatcher, flush, pipeline, stage } from "./fake-dispatcher.js";

/** The guide's analysis_pipeline (Part 3), as the config loader would produce it. */
const analysisPipeline = pipeline([
  stage("extract", {
    workerType: "doc_extractor",
    tier: "local",
    inputMapping: { file_ref: "goal.context.file_ref" },
  }),
  stage("classify", {
    workerType: "doc_classifier",
    tier: "local",
    inputMapping: { text_preview: "extract.output.text_preview", page_count: "extract.output.page_count" },
  }),
  stage("summarize", {
    workerType: "entity_extractor",
    tier: "local",
    inputMapping: { text: "extract.output.text_preview" },
  }),
]);

describe("pipeline runner: scheduling", () => {
  it("analysis_pipeline: classify and summarize both start before either finishes", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(analysisPipeline, { dispatcher });
    expect(runner.levels).toEqual([["extract"], ["classify", "summarize"]]);

    const done = runner.run({ goal_id: "g1", context: { file_ref: "report.pdf" } });
    const extract = await dispatcher.started("extract");
    expect(extract.task).toMatchObject({
      worker_type: "doc_extractor",
      tier: "local",
      goal_id: "g1",
      payload: { file_ref: "report.pdf" },
      metadata: { stage: "extract" },
    });
    expect(dispatcher.hasStarted("classify")).toBe(false);

    dispatcher.complete("extract", { text_preview: "Hello", page_count: 3 });
    const classify = await dispatcher.started("classify");
    const summarize = await dispatcher.started("summarize");
    expect(dispatcher.log).toEqual(["start:extract", "end:extract", "start:classify", "start:summarize"]);
    expect(classify.task.payload).toEqual({ text_preview: "Hello", page_count: 3 });
    expect(summarize.task.payload).toEqual({ text: "Hello" });
    expect(classify.task.task_id).not.toBe(summarize.task.task_id);

    dispatcher.complete("summarize", { entities: [] });
    dispatcher.complete("classify", { label: "report" });
    const result = await done;
    expect(result.status).toBe("completed");
    expect(result.stages.classify).toMatchObject({ status: "completed", output: { label: "report" } });
    expect(result.stages.summarize?.output).toEqual({ entities: [] });
    expect(result.timeline.map((t) => t.stage)).toEqual(["extract", "classify", "summarize"]);
    expect(result.stages.extract?.started_at).toBeTypeOf("string");
  });

  it("a stage starts as soon as its own dependency finishes, not when its level does", async () => {
    // a -> fast -> after_fast ; a -> slow. after_fast is level 2, slow is level 1.
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(
      pipeline([
        stage("a"),
        stage("slow", { inputMapping: { x: "a.output.x" } }),
        stage("fast", { inputMapping: { x: "a.output.x" } }),
        stage("after_fast", { inputMapping: { y: "fast.output.y" } }),
      ]),
      { dispatcher },
    );
    const done = runner.run({ goal_id: "g", context: {} });
    await dispatcher.started("a");
    dispatcher.complete("a", { x: 1 });
    await dispatcher.started("fast");
    dispatcher.complete("fast", { y: 2 });
    const afterFast = await dispatcher.started("after_fast");
    expect(afterFast.task.payload).toEqual({ y: 2 });
    expect(dispatcher.log).not.toContain("end:slow");
    dispatcher.complete("after_fast");
    dispatcher.complete("slow");
    expect((await done).status).toBe("completed");
  });

  it("an independent slow stage does not hold back a chain beside it", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(
      pipeline([stage("slow"), stage("b"), stage("c", { inputMapping: { v: "b.output.v" } })]),
      { dispatcher },
    );
    const done = runner.run({ goal_id: "g", context: {} });
    await dispatcher.started("b");
    dispatcher.complete("b", { v: 1 });
    await dispatcher.started("c");
    expect(dispatcher.log).toEqual(["start:slow", "start:b", "end:b", "start:c"]);
    dispatcher.complete("c");
    dispatcher.complete("slow");
    expect((await done).status).toBe("completed");
  });

  it("diamond: the join starts only after both branches finish, right after the last one", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(
      pipeline([
        stage("top", { inputMapping: { q: "goal.context.q" } }),
        stage("left", { inputMapping: { v: "top.output.v" } }),
        stage("right", { inputMapping: { v: "top.output.v" } }),
        stage("join", { inputMapping: { l: "left.output.r", r: "right.output.r" } }),
      ]),
      { dispatcher },
    );
    expect(runner.levels).toEqual([["top"], ["left", "right"], ["join"]]);
    const done = runner.run({ goal_id: "g", context: { q: "?" } });
    await dispatcher.started("top");
    dispatcher.complete("top", { v: 1 });
    await dispatcher.started("right");
    dispatcher.complete("right", { r: "R" });
    await flush();
    expect(dispatcher.hasStarted("join")).toBe(false);
    dispatcher.complete("left", { r: "L" });
    const join = await dispatcher.started("join");
    expect(join.task.payload).toEqual({ l: "L", r: "R" });
    expect(dispatcher.log.slice(-2)).toEqual(["end:left", "start:join"]);
    dispatcher.complete("join");
    expect((await done).status).toBe("completed");
  });

  it("depends_on forces a stage to wait for a stage it does not read from", async () => {
    const config = structuredClone(analysisPipeline);
    config.stages[2]!.dependsOn = ["extract", "classify"];
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(config, { dispatcher });
    expect(runner.levels).toEqual([["extract"], ["classify"], ["summarize"]]);
    const done = runner.run({ goal_id: "g", context: { file_ref: "f" } });
    await dispatcher.started("extract");
    dispatcher.complete("extract", { text_preview: "t", page_count: 1 });
    await dispatcher.started("classify");
    await flush();
    expect(dispatcher.hasStarted("summarize")).toBe(false);
    dispatcher.complete("classify", { label: "x" });
    await dispatcher.started("summarize");
    expect(dispatcher.log).toEqual([
      "start:extract",
      "end:extract",
      "start:classify",
      "end:classify",
      "start:summarize",
    ]);
    dispatcher.complete("summarize");
    expect((await done).status).toBe("completed");
  });

  it("emits progress events with counts in the order stages move", async () => {
    const dispatcher = new FakeDispatcher({ respond: () => ({ text_preview: "t", page_count: 1 }) });
    const config = structuredClone(analysisPipeline);
    config.stages.push(stage("ocr", { condition: "extract.output.needs_ocr == true" }));
    const events: PipelineEvent[] = [];
    const result = await new PipelineRunner(config, { dispatcher }).run(
      { goal_id: "g", context: { file_ref: "f" } },
      { onEvent: (e) => events.push(e) },
    );
    expect(result.status).toBe("completed");
    const brief = events.map((e) => `${e.type}:${e.stage}:${e.completed}/${e.total}`);
    expect(brief.slice(0, 2)).toEqual(["stage_started:extract:0/4", "stage_completed:extract:1/4"]);
    expect(brief.slice(2, 5)).toEqual([
      "stage_started:classify:1/4",
      "stage_started:summarize:1/4",
      "stage_skipped:ocr:2/4",
    ]);
    expect(brief.slice(5).sort()).toEqual(
      ["stage_completed:classify:3/4", "stage_completed:summarize:4/4"].sort(),
    );
    expect(events.every((e) => e.goal_id === "g")).toBe(true);
    expect(events.find((e) => e.type === "stage_skipped")?.reason).toContain("needs_ocr");
  });

  it("a throwing progress listener does not break the run", async () => {
    const dispatcher = new FakeDispatcher({ respond: () => ({ ok: true }) });
    const result = await new PipelineRunner(pipeline([stage("a"), stage("b")]), { dispatcher }).run(
      { goal_id: "g", context: {} },
      {
        onEvent: () => {
          throw new Error("listener bug");
        },
      },
    );
    expect(result.status).toBe("completed");
  });
});
