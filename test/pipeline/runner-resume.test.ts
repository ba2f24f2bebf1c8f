import { describe, expect, it } from "vitest";
import { PipelineRunner } from "../../src/pipeline/index.js";
import type { StageOutcome } from "../../src/pipeline/types.js";
import { FakeDispatcher, pipeline, stage } from "./fake-dispatcher.js";

const threeStages = pipeline([
  stage("extract", { inputMapping: { text: "goal.context.text" } }),
  stage("classify", { inputMapping: { text: "extract.output.text" } }),
  stage("summarize", { inputMapping: { label: "classify.output.label", text: "extract.output.text" } }),
]);

describe("pipeline runner: checkpoints and resume", () => {
  it("reports every finished stage's outcome, with its output, after each stage", async () => {
    const dispatcher = new FakeDispatcher({
      respond: (task) => ({ text: "T", label: "L", from: task.worker_type }),
    });
    const checkpoints: Array<Record<string, StageOutcome>> = [];
    const result = await new PipelineRunner(threeStages, { dispatcher }).run(
      { goal_id: "g", context: { text: "t" } },
      { onCheckpoint: (stages) => checkpoints.push(stages) },
    );
    expect(result.status).toBe("completed");
    expect(checkpoints.map((c) => Object.values(c).filter((o) => o.status === "completed").length)).toEqual([
      1, 2, 3,
    ]);
    expect(checkpoints[0]?.extract).toMatchObject({ status: "completed", output: { text: "T" } });
  });

  it("a resumed goal never runs its finished stages again and maps their restored outputs", async () => {
    const dispatcher = new FakeDispatcher({ respond: () => ({ label: "L", summary: "S" }) });
    const resume: Record<string, StageOutcome> = {
      extract: { status: "completed", worker_type: "extract", output: { text: "from the checkpoint" } },
      classify: { status: "pending", worker_type: "classify" },
    };
    const events: string[] = [];
    const result = await new PipelineRunner(threeStages, { dispatcher }).run(
      { goal_id: "g", context: { text: "t" } },
      { resume, onEvent: (e) => events.push(`${e.type}:${e.stage}${e.resumed ? ":resumed" : ""}`) },
    );
    expect(result.status).toBe("completed");
    expect(dispatcher.calls.map((c) => c.task.metadata?.stage)).toEqual(["classify", "summarize"]);
    expect(dispatcher.calls[0]?.task.payload).toEqual({ text: "from the checkpoint" });
    expect(result.stages.extract?.output).toEqual({ text: "from the checkpoint" });
    expect(events[0]).toBe("stage_completed:extract:resumed");
  });
});
