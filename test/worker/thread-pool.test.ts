import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isAbortError } from "../../src/errors.js";
import { closeThreadPool, runInThread, ThreadTaskError } from "../../src/worker/thread-pool.js";

const fromFile = fileURLToPath(new URL("../fixtures/backends/worker.yaml", import.meta.url));

afterAll(async () => {
  await closeThreadPool();
});

function busy(busyMs: number, label: string) {
  return runInThread({
    ref: "./busy-backend.js#BusyBackend",
    fromFile,
    init: { busy_ms: busyMs },
    method: "processSync",
    args: [{ label }, {}],
  });
}

describe("runInThread", () => {
  it("thread pool: a CPU-bound processSync runs off the main thread while a main-thread timer keeps ticking", async () => {
    await busy(1, "warm-up"); // start a thread and load the module before counting
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 10);
    try {
      const result = (await busy(300, "heavy")) as { output: Record<string, unknown>; model_used: string };
      expect(result.model_used).toBe("busy-v1");
      expect(result.output.label).toBe("heavy");
      expect(result.output.main_thread).toBe(false);
      expect(result.output.spins).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
    // Had the 300 ms loop run on the main thread, no tick could have fired during it.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it("thread pool: runs executeSync of a SyncToolProvider and caches the instance per thread", async () => {
    const results: { words: number; main_thread: boolean; constructed: number }[] = [];
    for (let i = 0; i < 6; i += 1) {
      const text = await runInThread({
        ref: "./sync-tool.js#WordCountTool",
        fromFile,
        init: { separator: "," },
        method: "executeSync",
        args: [{ text: "a,b,,c,".repeat(i + 1) }],
      });
      results.push(JSON.parse(String(text)));
    }
    expect(results[0]).toMatchObject({ words: 3, main_thread: false });
    expect(results[5]?.words).toBe(18);
    expect(results.every((r) => r.constructed === 1)).toBe(true);
  });

  it("thread pool: an error thrown in the thread keeps its class name and message", async () => {
    const error = await runInThread({
      ref: "./busy-backend.js#ExplodingSync",
      fromFile,
      init: {},
      method: "processSync",
      args: [{}, {}],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadTaskError);
    expect((error as ThreadTaskError).name).toBe("TypeError");
    expect((error as ThreadTaskError).message).toBe("boom in thread");
    expect((error as ThreadTaskError).phase).toBe("call");
  });

  it("thread pool: a ref that cannot be loaded fails in the load phase with config_error", async () => {
    const error = (await runInThread({
      ref: "./busy-backend.js#NoSuchExport",
      fromFile,
      init: {},
      method: "processSync",
      args: [],
    }).catch((e: unknown) => e)) as ThreadTaskError;
    expect(error.phase).toBe("load");
    expect(error.code).toBe("config_error");
    expect(error.message).toContain("NoSuchExport");
  });

  it("thread pool: aborting the signal stops a long call, and the pool keeps working", async () => {
    const controller = new AbortController();
    const pending = runInThread(
      {
        ref: "./busy-backend.js#BusyBackend",
        fromFile,
        init: { busy_ms: 60_000 },
        method: "processSync",
        args: [{}, {}],
      },
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    const after = (await busy(1, "after")) as { output: { label: string } };
    expect(after.output.label).toBe("after");
  });

  it("thread pool: closeThreadPool closes the pool and the next call opens a new one", async () => {
    await busy(1, "before");
    await closeThreadPool();
    const result = (await busy(1, "reopened")) as { output: { label: string } };
    expect(result.output.label).toBe("reopened");
  });
});
