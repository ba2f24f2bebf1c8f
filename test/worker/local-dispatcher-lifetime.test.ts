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

describe("LocalDispatcher releases DuckDB files", () => {
  it("after close(), another process can open the query backend's database read-write", async () => {
    const { execFile } = await import("node:child_process");
    const { mkdtemp } = await import("node:fs/promises");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = await mkdtemp(path.join(os.tmpdir(), "loom-lock-"));
    const dbPath = path.join(dir, "docs.duckdb");
    const query = workerConfig({
      name: "query",
      workerKind: "processor",
      processingBackend: "loom.contrib.duckdb.DuckDBQueryBackend",
      backendConfig: { db_path: dbPath, table_name: "documents" },
      outputSchema: { type: "object" },
    });
    const openElsewhere = () =>
      new Promise<string>((resolve) => {
        const script =
          "const { DuckDBInstance } = await import('@duckdb/node-api');" +
          `const db = await DuckDBInstance.create(${JSON.stringify(dbPath)});` +
          "const c = await db.connect();" +
          "await c.run('CREATE TABLE IF NOT EXISTS documents (id INTEGER PRIMARY KEY, title VARCHAR)');" +
          "console.log('opened');";
        execFile(process.execPath, ["--input-type=module", "-e", script], (error, stdout, stderr) =>
          resolve(error ? `refused: ${stderr}` : stdout.trim()),
        );
      });
    expect(await openElsewhere()).toBe("opened");
    const dispatcher = new LocalDispatcher({ workers: new Map([["query", query]]) });
    const result = await dispatcher.dispatch({
      task_id: "q",
      worker_type: "query",
      payload: { action: "filter" },
    });
    expect(result.error).toBeNull();
    expect(await openElsewhere()).toMatch(/^refused: [\s\S]*Could not set lock/);
    await dispatcher.close();
    expect(await openElsewhere()).toBe("opened");
  });
});
