import { describe, expect, it } from "vitest";
import { GoalSlots, PipelineRunner } from "../../src/pipeline/index.js";
import { FakeDispatcher, flush, pipeline, stage } from "./fake-dispatcher.js";

/** Two sequential stages per goal; the second echoes the goal's own context. */
const twoStages = (maxConcurrentGoals: number) =>
  pipeline(
    [
      stage("first", { inputMapping: { n: "goal.context.n" } }),
      stage("second", { inputMapping: { n: "goal.context.n", seen: "first.output.seen" } }),
    ],
    { maxConcurrentGoals },
  );

describe("pipeline runner: concurrent goals", () => {
  it("max_concurrent_goals=2 with 5 goals never has more than 2 in flight, and starts them in order", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(twoStages(2), { dispatcher });
    const ids = ["g0", "g1", "g2", "g3", "g4"];
    const results = ids.map((id, n) => runner.run({ goal_id: id, context: { n } }));
    await dispatcher.started("first", "g1");
    await flush();
    expect(runner.activeGoals).toBe(2);
    expect(runner.queuedGoals).toBe(3);
    expect(dispatcher.calls.map((c) => c.task.goal_id)).toEqual(["g0", "g1"]);

    // Finish goals out of order; each finished goal lets exactly the next queued one in.
    const finish = async (id: string): Promise<void> => {
      dispatcher.complete("first", { seen: id }, id);
      await dispatcher.started("second", id);
      dispatcher.complete("second", { done: id }, id);
    };
    await finish("g1");
    await dispatcher.started("first", "g2");
    await finish("g0");
    await dispatcher.started("first", "g3");
    await finish("g3");
    await dispatcher.started("first", "g4");
    await finish("g2");
    await finish("g4");
    const all = await Promise.all(results);

    expect(dispatcher.maxInFlight).toBe(2);
    const firstStarts = dispatcher.calls.filter((c) => c.task.metadata?.stage === "first");
    expect(firstStarts.map((c) => c.task.goal_id)).toEqual(ids);
    // Each goal is isolated: its second stage saw its own context and its own first output.
    for (const [n, result] of all.entries()) {
      expect(result.status).toBe("completed");
      expect(result.goal_id).toBe(ids[n]);
      expect(result.stages.second?.output).toEqual({ done: ids[n] });
      const second = dispatcher.calls.find(
        (c) => c.task.goal_id === ids[n] && c.task.metadata?.stage === "second",
      );
      expect(second?.task.payload).toEqual({ n, seen: ids[n] });
    }
    expect(all[4]?.queued_ms).toBeGreaterThan(0);
    expect(runner.activeGoals).toBe(0);
  });

  it("a goal cancelled while queued leaves the queue without running", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(twoStages(1), { dispatcher });
    const first = runner.run({ goal_id: "a", context: { n: 1 } });
    const controller = new AbortController();
    const queued = runner.run({ goal_id: "b", context: { n: 2 } }, { signal: controller.signal });
    const third = runner.run({ goal_id: "c", context: { n: 3 } });
    await dispatcher.started("first", "a");
    controller.abort();
    const cancelled = await queued;
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.error?.message).toContain("while waiting for a slot");
    expect(cancelled.stages.first?.status).toBe("pending");
    expect(runner.queuedGoals).toBe(1);

    dispatcher.complete("first", { seen: 1 }, "a");
    await dispatcher.started("second", "a");
    dispatcher.complete("second", {}, "a");
    await dispatcher.started("first", "c");
    expect(dispatcher.calls.some((c) => c.task.goal_id === "b")).toBe(false);
    dispatcher.complete("first", { seen: 3 }, "c");
    await dispatcher.started("second", "c");
    dispatcher.complete("second", {}, "c");
    expect((await first).status).toBe("completed");
    expect((await third).status).toBe("completed");
  });

  it("a failing goal frees its slot for the next one", async () => {
    const dispatcher = new FakeDispatcher();
    const runner = new PipelineRunner(twoStages(1), { dispatcher });
    const failing = runner.run({ goal_id: "a", context: { n: 1 } });
    const next = runner.run({ goal_id: "b", context: { n: 2 } });
    await dispatcher.started("first", "a");
    dispatcher.fail("first", "llm_error", "model unreachable");
    expect((await failing).status).toBe("failed");
    await dispatcher.started("first", "b");
    dispatcher.complete("first", { seen: 2 }, "b");
    await dispatcher.started("second", "b");
    dispatcher.complete("second", {}, "b");
    expect((await next).status).toBe("completed");
  });
});

describe("GoalSlots", () => {
  it("grants slots first in, first out", async () => {
    const slots = new GoalSlots(1);
    const order: string[] = [];
    const release = await slots.acquire();
    const waiting = ["x", "y", "z"].map((name) =>
      slots.acquire().then((free) => {
        order.push(name);
        free();
      }),
    );
    expect(slots.waiting).toBe(3);
    release();
    release(); // a second call is harmless
    await Promise.all(waiting);
    expect(order).toEqual(["x", "y", "z"]);
    expect(slots.active).toBe(0);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => new GoalSlots(0)).toThrow(/max_concurrent_goals must be a positive integer \(got 0\)/);
  });
});
