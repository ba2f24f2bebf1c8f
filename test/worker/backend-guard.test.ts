import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { callBackend, installProcessGuard, type StrayError } from "../../src/worker/backend-guard.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { workerConfig } from "../fixtures/worker-config.js";

const BACKENDS = fileURLToPath(new URL("../fixtures/fault-backends.js", import.meta.url));

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

const processor = (backend: string) =>
  workerConfig({
    name: backend,
    workerKind: "processor",
    processingBackend: `${BACKENDS}#${backend}`,
    outputSchema: { type: "object" },
    timeoutSeconds: 5,
  });

describe("executeTask: cancellation never leaves a rejection unobserved", () => {
  it("a task whose signal is already aborted fails as cancelled, and its backend's late rejection is observed", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const controller = new AbortController();
      controller.abort();
      const result = await executeTask(
        { task_id: "t", worker_type: "RejectsAfterCancelBackend", payload: { text: "x" } },
        { worker: processor("RejectsAfterCancelBackend"), signal: controller.signal },
      );
      expect(result.error?.code).toBe("cancelled");
      // The aborted run() rejects on its next tick; give any unobserved rejection time to surface.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("the process guard: a backend's stray error fails its call, not the process", () => {
  const strays: StrayError[] = [];
  const guard = () => {
    strays.length = 0;
    uninstall = installProcessGuard({ onStray: (stray) => strays.push(stray) });
  };

  it("process.exit inside a backend call throws into that call", async () => {
    guard();
    const failure = await callBackend("w", "B", () => process.exit(7)).catch((e: unknown) => e);
    expect(String(failure)).toMatch(/backend B of worker 'w' called process.exit\(7\)/);
  });

  it("a throw in a timer callback fails the call that scheduled it and is reported", async () => {
    guard();
    const call = callBackend("w", "Timer", () => {
      setTimeout(() => {
        throw new Error("boom in timer");
      }, 1);
      return new Promise(() => {});
    });
    await expect(call).rejects.toThrow(/Timer threw in a callback: boom in timer/);
    expect(strays).toMatchObject([
      { kind: "uncaughtException", worker: "w", backend: "Timer", failedCall: true },
    ]);
  });

  it("an unhandled rejection after the call ended is only logged", async () => {
    guard();
    const value = await callBackend("w", "Late", () => {
      setTimeout(() => void Promise.reject(new Error("late")), 1);
      return 42;
    });
    expect(value).toBe(42);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The promise was made while no backend call ran (the scope store was off): no backend named.
    expect(strays).toMatchObject([{ kind: "unhandledRejection", failedCall: false }]);
  });

  it("process.exit from a backend's timer after its call ended still throws, naming the backend", async () => {
    guard();
    const value = await callBackend("w", "LateExit", () => {
      setTimeout(() => process.exit(3), 1);
      return 42;
    });
    expect(value).toBe(42);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(strays).toMatchObject([
      { kind: "uncaughtException", worker: "w", backend: "LateExit", failedCall: false },
    ]);
    expect(String(strays[0]?.error)).toMatch(/backend LateExit of worker 'w' called process.exit\(3\)/);
  });

  it("a stray of a call still running is its own, while other calls come and go", async () => {
    guard();
    let release: (value: string) => void = () => {};
    const slow = callBackend("w", "Slow", () => {
      setTimeout(() => {
        throw new Error("slow's own");
      }, 20);
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    });
    // Quick calls end while Slow runs; the store must stay on for Slow.
    for (let i = 0; i < 5; i += 1) await callBackend("w", "Quick", () => i);
    await expect(slow).rejects.toThrow(/Slow threw in a callback: slow's own/);
    release("too late");
    expect(strays).toMatchObject([{ kind: "uncaughtException", backend: "Slow", failedCall: true }]);
  });

  it("outside every backend, process.exit is the real one again once uninstalled", () => {
    const realExit = process.exit;
    guard();
    expect(process.exit).not.toBe(realExit);
    uninstall?.();
    uninstall = undefined;
    expect(process.exit).toBe(realExit);
  });
});
