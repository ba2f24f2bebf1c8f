import { describe, expect, it } from "vitest";
import type { RouterRules } from "../../src/config/types.js";
import { MemoryLimiterStore, RouterDispatcher, type RouterLogger } from "../../src/router/index.js";
import type { Dispatcher } from "../../src/worker/dispatcher.js";
import type { TaskMessage, TaskResult } from "../../src/worker/messages.js";

/** An inner dispatcher whose tasks finish when the test says, reporting the usage it is given. */
class HeldDispatcher implements Dispatcher {
  readonly seen: TaskMessage[] = [];
  readonly #open = new Map<string, (usage: { input: number; output: number }) => void>();
  closed = false;

  dispatch(task: TaskMessage): Promise<TaskResult> {
    this.seen.push(task);
    return new Promise((resolve) => {
      this.#open.set(task.task_id, (usage) =>
        resolve({
          task_id: task.task_id,
          worker_type: task.worker_type,
          status: "completed",
          output: {},
          error: null,
          model_used: "m",
          token_usage: usage,
          latency_ms: 1,
        }),
      );
    });
  }

  finish(taskId: string, usage = { input: 0, output: 0 }): void {
    this.#open.get(taskId)?.(usage);
    this.#open.delete(taskId);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function recordingLogger(): RouterLogger & { debugs: string[]; warns: string[] } {
  const debugs: string[] = [];
  const warns: string[] = [];
  return {
    debugs,
    warns,
    debug: (data, message) => debugs.push(`${message} ${JSON.stringify(data)}`),
    warn: (data, message) => warns.push(`${message} ${JSON.stringify(data)}`),
  };
}

const task = (id: string, extra: Partial<TaskMessage> = {}): TaskMessage => ({
  task_id: id,
  worker_type: "summarizer",
  payload: { text: "x" },
  ...extra,
});

const rules = (partial: Partial<RouterRules>): RouterRules => ({
  tierOverrides: {},
  rateLimits: {},
  sourcePath: "/project/router_rules.yaml",
  ...partial,
});

/** Lets the layer's awaits (limiter store calls) run, so a dispatch has reached the inner one. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("RouterDispatcher: tier_overrides", () => {
  it("forces the worker onto its override tier, over the tier the task asked for, and logs it", async () => {
    const inner = new HeldDispatcher();
    const logger = recordingLogger();
    const router = new RouterDispatcher(inner, {
      rules: rules({ tierOverrides: { summarizer: "frontier" } }),
      logger,
    });
    const running = router.dispatch(task("t1", { tier: "local" }));
    await settle();
    expect(inner.seen[0]?.tier).toBe("frontier");
    inner.finish("t1");
    expect((await running).status).toBe("completed");
    expect(logger.debugs.join("\n")).toMatch(/tier override: worker 'summarizer' runs on tier 'frontier'/);
    const other = router.dispatch(task("t2", { worker_type: "classifier" }));
    await settle();
    expect(inner.seen[1]?.tier).toBeUndefined();
    inner.finish("t2");
    await other;
  });
});

describe("RouterDispatcher: max_concurrent", () => {
  it("refuses a task over the tier's limit at once with rate_limited and retry_after_ms", async () => {
    const inner = new HeldDispatcher();
    const logger = recordingLogger();
    const router = new RouterDispatcher(inner, {
      rules: rules({ rateLimits: { local: { maxConcurrent: 2 } } }),
      defaultTier: () => "local",
      logger,
    });
    const first = router.dispatch(task("a"));
    const second = router.dispatch(task("b"));
    const refused = await router.dispatch(task("c"));
    expect(refused).toMatchObject({
      task_id: "c",
      status: "failed",
      error: {
        code: "rate_limited",
        details: { tier: "local", limit: "max_concurrent", max_concurrent: 2, retry_after_ms: 1000 },
      },
    });
    expect(refused.error?.message).toContain("max_concurrent=2");
    expect(refused.error?.message).toContain("/project/router_rules.yaml");
    expect(inner.seen.map((t) => t.task_id)).toEqual(["a", "b"]);
    expect(logger.warns).toHaveLength(1);

    inner.finish("a");
    await first;
    const third = router.dispatch(task("d"));
    await settle();
    expect(inner.seen.map((t) => t.task_id)).toEqual(["a", "b", "d"]);
    inner.finish("b");
    inner.finish("d");
    await Promise.all([second, third]);
  });

  it("counts limits per tier: another tier is not held up", async () => {
    const inner = new HeldDispatcher();
    const router = new RouterDispatcher(inner, {
      rules: rules({ rateLimits: { local: { maxConcurrent: 1 } } }),
      logger: recordingLogger(),
    });
    const a = router.dispatch(task("a", { tier: "local" }));
    const b = router.dispatch(task("b", { tier: "standard" }));
    const c = router.dispatch(task("c", { tier: "standard" }));
    await settle();
    expect(inner.seen.map((t) => t.task_id).sort()).toEqual(["a", "b", "c"]);
    for (const id of ["a", "b", "c"]) inner.finish(id);
    await Promise.all([a, b, c]);
  });
});

describe("RouterDispatcher: tokens_per_minute", () => {
  it("charges an estimate, corrects it with the real usage, and refuses when the bucket is empty", async () => {
    let now = 0;
    const store = new MemoryLimiterStore({ now: () => now });
    const inner = new HeldDispatcher();
    const logger = recordingLogger();
    const router = new RouterDispatcher(inner, {
      rules: rules({ rateLimits: { standard: { tokensPerMinute: 6000 } } }),
      store,
      estimateTokens: () => 1000,
      logger,
    });
    // 1000 estimated, 5500 really used: the bucket of 6000 now holds nothing.
    const first = router.dispatch(task("a"));
    await settle();
    inner.finish("a", { input: 5000, output: 500 });
    await first;
    const refused = await router.dispatch(task("b"));
    expect(refused.error).toMatchObject({
      code: "rate_limited",
      details: {
        tier: "standard",
        limit: "tokens_per_minute",
        tokens_per_minute: 6000,
        estimated_tokens: 1000,
        available_tokens: 500,
        // 500 tokens missing at 100 tokens per second.
        retry_after_ms: 5000,
      },
    });
    expect(inner.seen).toHaveLength(1);
    expect(logger.warns.join("\n")).toContain("out of tokens_per_minute=6000");

    now += 5000;
    const later = router.dispatch(task("c"));
    await settle();
    expect(inner.seen.map((t) => t.task_id)).toEqual(["a", "c"]);
    // Using less than estimated gives the rest back.
    inner.finish("c", { input: 0, output: 0 });
    await later;
    const next = router.dispatch(task("d"));
    await settle();
    expect(inner.seen.map((t) => t.task_id)).toEqual(["a", "c", "d"]);
    inner.finish("d");
    await next;
  });

  it("a refusal by tokens frees the concurrency slot it took", async () => {
    const store = new MemoryLimiterStore({ now: () => 0 });
    const router = new RouterDispatcher(new HeldDispatcher(), {
      rules: rules({ rateLimits: { standard: { maxConcurrent: 1, tokensPerMinute: 100 } } }),
      store,
      estimateTokens: () => 100,
      logger: recordingLogger(),
    });
    void router.dispatch(task("a"));
    await settle();
    expect(store.slotsHeld("standard")).toBe(1);
    const refused = await router.dispatch(task("b"));
    expect(refused.error?.details).toMatchObject({ limit: "max_concurrent" });
    expect(store.slotsHeld("standard")).toBe(1);
  });
});

describe("RouterDispatcher: dead letters and lifecycle", () => {
  it("a task for an unknown tier is unroutable", async () => {
    const inner = new HeldDispatcher();
    const logger = recordingLogger();
    const router = new RouterDispatcher(inner, { rules: rules({}), logger });
    const result = await router.dispatch(task("a", { tier: "gpu" as never }));
    expect(result.error).toMatchObject({ code: "unroutable", details: { tier: "gpu" } });
    expect(result.error?.message).toContain("unknown tier 'gpu' (tiers: local, standard, frontier)");
    expect(inner.seen).toHaveLength(0);
    expect(logger.warns).toHaveLength(1);
  });

  it("close() closes the inner dispatcher", async () => {
    const inner = new HeldDispatcher();
    await new RouterDispatcher(inner, { rules: rules({}) }).close();
    expect(inner.closed).toBe(true);
  });
});
