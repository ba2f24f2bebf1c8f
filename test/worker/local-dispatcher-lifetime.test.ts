import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { LocalDispatcher } from "../../src/worker/local-dispatcher.js";
import { workerConfig } from "../fixtures/worker-config.js";

const BACKEND = fileURLToPath(new URL("../fixtures/lifetime-backend.js", import.meta.url));
/** What the backend recorded (it shares the list through globalThis). */
const shared = globalThis as { __loomLifetimeEvents?: string[] };
shared.__loomLifetimeEvents ??= [];
const events = shared.__loomLifetimeEvents;

const worker = (label: string): WorkerConfig =>
  workerConfig({
    name: "lifetime",
    workerKind: "processor",
    processingBackend: `${BACKEND}#LifetimeBackend`,
    backendConfig: { label },
    outputSchema: { type: "object" },
  });

const dispatcherFor = (config: WorkerConfig) =>
  new LocalDispatcher({ workers: new Map([["lifetime", config]]) });
const task = { task_id: "t", worker_type: "lifetime", payload: { text: "x" } };

beforeEach(() => {
  events.length = 0;
});

describe("LocalDispatcher owns what its tasks opened", () => {
  it("close() closes the backend instances its tasks used", async () => {
    const dispatcher = dispatcherFor(worker("a"));
    expect((await dispatcher.dispatch(task)).output).toEqual({ label: "a", text: "x" });
    await dispatcher.close();
    expect(events).toEqual(["open a", "close a"]);
  });

  it("a reload that changes backend_config closes the old instance once the old dispatcher closes", async () => {
    const old = dispatcherFor(worker("v1"));
    await old.dispatch(task);
    const next = dispatcherFor(worker("v2"));
    await next.dispatch(task);
    await old.close();
    expect(events).toEqual(["open v1", "open v2", "close v1"]);
    await next.close();
    expect(events.at(-1)).toBe("close v2");
  });

  it("an instance shared by two dispatchers stays open until both released it", async () => {
    const config = worker("shared");
    const first = dispatcherFor(config);
    const second = dispatcherFor(config);
    await first.dispatch(task);
    await second.dispatch(task);
    await first.close();
    expect(events).toEqual(["open shared"]);
    expect((await second.dispatch(task)).status).toBe("completed");
    await second.close();
    expect(events).toEqual(["open shared", "close shared"]);
  });

  it("await using releases it too", async () => {
    {
      await using dispatcher = dispatcherFor(worker("scoped"));
      await dispatcher.dispatch(task);
    }
    expect(events).toEqual(["open scoped", "close scoped"]);
  });
});

describe("LocalDispatcher owns the tool providers its tasks loaded", () => {
  it("close() closes a provider no other dispatcher uses", async () => {
    const { loadTools, releaseTools } = await import("../../src/worker/tool-loader.js");
    const withTool = workerConfig({
      name: "tooled",
      knowledgeSilos: [
        {
          name: "lifetime",
          type: "tool",
          provider: `${BACKEND}#LifetimeTool`,
          config: { label: "tool" },
        },
      ],
    } as Partial<WorkerConfig>);
    const owner = {};
    const [tool] = await loadTools(withTool, owner);
    expect(tool?.definition.name).toBe("lifetime_tool");
    expect(events).toEqual(["open tool"]);
    await releaseTools(owner);
    expect(events).toEqual(["open tool", "close tool"]);
  });
});
