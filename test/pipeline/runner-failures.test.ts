import { describe, expect, it } from "vitest";
import { PipelineRunner } from "../../src/pipeline/index.js";
import type { PipelineEvent } from "../../src/pipeline/types.js";
import type { Dispatcher } from "../../src/worker/dispatcher.js";
import { FakeDispatcher, flush, pipeline, stage } from "./fake-dispatcher.js";

/** a -> (b, c) -> d */
const fanOut = (fields: { bTimeout?: number; goalTimeout?: number } = {}) =>
  pipeline(
    [
      stage("a"),
      stage("b", { inputMapping: { v: "a.output.v" }, timeoutSeconds: fields.bTimeout }),
      stage("c", { inputMapping: { v: "a.output.v" } }),
      stage("d", { inputMapping: { b: "b.output.v", c: "c.output.v" } }),
    ],
    { timeoutSeconds: fields.goalTimeout ?? 300 },
  );

async function startBranches(dispatcher: FakeDispatcher): Promise<void> {
  await dispatcher.started("a");
  dispatcher.complete("a", { v: 1 });
  await dispatcher.started("b");
  await dispatcher.started("c");
}

describe("pipeline runner: failures, timeouts, cancellation", () => {
  it("a failed stage fails the goal and cancels the stages still running", async () => {
    const dispatcher = new FakeDispatcher();
    const events: PipelineEvent[] = [];
    const done = new PipelineRunner(fanOut(), { dispatcher }).run(
      { goal_id: "g", context: {} },
      { onEvent: (e) => events.push(e) },
    );
    await startBranches(dispatcher);
    dispatcher.fail("b", "backend_error", "disk full");
    const result = await done;
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "backend_error", stage: "b" });
    expect(result.error?.message).toContain("disk full");
    expect(result.stages.a?.status).toBe("completed");
    expect(result.stages.b).toMatchObject({ status: "failed", error: { code: "backend_error" } });
    expect(result.stages.c).toMatchObject({ status: "cancelled", error: { code: "cancelled" } });
    expect(result.stages.c?.error?.message).toContain("stage 'b'");
    expect(result.stages.d?.status).toBe("pending");
    expect(dispatcher.log).toContain("abort:c");
    expect(dispatcher.calls.find((c) => c.task.metadata?.stage === "c")?.signal?.aborted).toBe(true);
    expect(events.filter((e) => e.type === "stage_failed").map((e) => e.stage)).toEqual(["b"]);
    expect(result.timeline.map((t) => `${t.stage}:${t.status}`)).toEqual([
      "a:completed",
      "b:failed",
      "c:cancelled",
    ]);
  });

  it("a stage timeout aborts that stage and the result says which stage timed out", async () => {
    const dispatcher = new FakeDispatcher({ resolveOnAbort: false });
    const done = new PipelineRunner(fanOut({ bTimeout: 0.02 }), { dispatcher }).run({
      goal_id: "g",
      context: {},
    });
    await startBranches(dispatcher);
    const result = await done;
    expect(result.status).toBe("timeout");
    expect(result.error).toMatchObject({ code: "timeout", stage: "b" });
    expect(result.error?.message).toContain("stage 'b' timed out");
    expect(result.stages.b?.status).toBe("timeout");
    expect(result.stages.c?.status).toBe("cancelled");
    expect(result.stages.d?.status).toBe("pending");
    expect(dispatcher.log.slice(-2).sort()).toEqual(["abort:b", "abort:c"]);
  });

  it("the pipeline timeout stops every running stage and names them", async () => {
    const dispatcher = new FakeDispatcher({ resolveOnAbort: false });
    const done = new PipelineRunner(fanOut({ goalTimeout: 0.05 }), { dispatcher }).run({
      goal_id: "g",
      context: {},
    });
    await startBranches(dispatcher);
    const result = await done;
    expect(result.status).toBe("timeout");
    expect(result.error?.code).toBe("timeout");
    expect(result.error?.message).toContain("pipeline 'test_pipeline' timed out");
    expect(result.error?.message).toContain("while running stage(s) b, c");
    expect(result.stages.b?.status).toBe("timeout");
    expect(result.stages.c?.status).toBe("timeout");
    expect(result.stages.d?.status).toBe("pending");
    expect(dispatcher.log).toEqual(expect.arrayContaining(["abort:b", "abort:c"]));
  });

  it("a result arriving after the goal ended does not change the result", async () => {
    const dispatcher = new FakeDispatcher({ resolveOnAbort: false });
    const done = new PipelineRunner(fanOut({ bTimeout: 0.02 }), { dispatcher }).run({
      goal_id: "g",
      context: {},
    });
    await startBranches(dispatcher);
    const result = await done;
    const snapshot = structuredClone(result);
    dispatcher.complete("b", { v: 2 });
    dispatcher.complete("c", { v: 3 });
    await flush();
    expect(result).toEqual(snapshot);
    expect(dispatcher.hasStarted("d")).toBe(false);
  });

  it("aborting the goal's signal cancels running stages", async () => {
    const dispatcher = new FakeDispatcher();
    const controller = new AbortController();
    const done = new PipelineRunner(fanOut(), { dispatcher }).run(
      { goal_id: "g9", context: {} },
      { signal: controller.signal },
    );
    await startBranches(dispatcher);
    controller.abort(new Error("user pressed stop"));
    const result = await done;
    expect(result.status).toBe("cancelled");
    expect(result.error).toMatchObject({ code: "cancelled" });
    expect(result.error?.message).toContain("user pressed stop");
    expect(result.stages.a?.status).toBe("completed");
    expect(result.stages.b?.status).toBe("cancelled");
    expect(result.stages.c?.status).toBe("cancelled");
    expect(result.stages.d?.status).toBe("pending");
    expect(dispatcher.log.slice(-2).sort()).toEqual(["abort:b", "abort:c"]);
  });

  it("an already-aborted signal dispatches nothing", async () => {
    const dispatcher = new FakeDispatcher();
    const result = await new PipelineRunner(fanOut(), { dispatcher }).run(
      { goal_id: "g", context: {} },
      { signal: AbortSignal.abort() },
    );
    expect(result.status).toBe("cancelled");
    expect(dispatcher.calls).toHaveLength(0);
  });

  it("a dispatcher that rejects fails the stage instead of crashing the run", async () => {
    const dispatcher: Dispatcher = {
      dispatch: () => Promise.reject(new Error("connection lost")),
    };
    const result = await new PipelineRunner(pipeline([stage("a")]), { dispatcher }).run({
      goal_id: "g",
      context: {},
    });
    expect(result.status).toBe("failed");
    expect(result.stages.a?.error).toMatchObject({ code: "internal", stage: "a" });
    expect(result.error?.message).toContain("connection lost");
  });

  it("rejects a pipeline whose stages form a cycle, naming it", () => {
    const config = pipeline([
      stage("a", { inputMapping: { x: "b.output.x" } }),
      stage("b", { inputMapping: { x: "a.output.x" } }),
    ]);
    expect(() => new PipelineRunner(config, { dispatcher: new FakeDispatcher() })).toThrow(
      /cycle: a -> b -> a/,
    );
  });

  it("rejects a malformed condition with what would be right", () => {
    const config = pipeline([stage("a"), stage("b", { condition: "a.output.x = yes" })]);
    expect(() => new PipelineRunner(config, { dispatcher: new FakeDispatcher() })).toThrow(
      /pipeline_stages\[1\] \(b\)\.condition: invalid condition 'a.output.x = yes': expected/,
    );
  });
});
