import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { LocalDispatcher } from "../../src/worker/local-dispatcher.js";
import { entityExtractor, UN_ENTITIES, UN_TEXT } from "../fixtures/entity-extractor.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { workerConfig } from "../fixtures/worker-config.js";

const here = path.dirname(fileURLToPath(import.meta.url));

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => llm.reset());

const wordStats: WorkerConfig = workerConfig({
  name: "word_stats",
  workerKind: "processor",
  processingBackend: "./tools/core-processors.js#WordStatsBackend",
  inputSchema: { type: "object", required: ["text"], properties: { text: { type: "string" }, wrong: {} } },
  outputSchema: { type: "object", required: ["words"], properties: { words: { type: "integer" } } },
  sourcePath: path.resolve(here, "../fixtures/word-stats.yaml"),
});

describe("executeTask: processor workers", () => {
  it("validates input, runs the backend and validates its output", async () => {
    const result = await executeTask(
      { task_id: "p1", worker_type: "word_stats", payload: { text: "a b c" } },
      {
        worker: wordStats,
      },
    );
    expect(result).toMatchObject({ status: "completed", output: { words: 3 }, model_used: "word-stats" });
    const bad = await executeTask(
      { task_id: "p2", worker_type: "word_stats", payload: { text: 5 } },
      {
        worker: wordStats,
      },
    );
    expect(bad.error?.code).toBe("invalid_input");
  });

  it("fails with invalid_output when the backend's output breaks output_schema", async () => {
    const result = await executeTask(
      { task_id: "p3", worker_type: "word_stats", payload: { text: "a", wrong: true } },
      { worker: wordStats },
    );
    expect(result.error).toMatchObject({
      code: "invalid_output",
      details: { violations: [{ path: "words", message: "must be integer (got string)" }] },
    });
  });
});

describe("LocalDispatcher", () => {
  const dispatcher = () =>
    new LocalDispatcher({
      workers: new Map([
        ["entity_extractor", entityExtractor()],
        ["word_stats", wordStats],
      ]),
      settings: fakeLlmSettings(llm, "openai"),
    });

  it("runs a task on the named worker", async () => {
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES) });
    const result = await dispatcher().dispatch({
      task_id: "d1",
      worker_type: "entity_extractor",
      payload: { text: UN_TEXT },
      parent_task_id: "parent",
    });
    expect(result).toMatchObject({ status: "completed", output: UN_ENTITIES, parent_task_id: "parent" });
  });

  it("fails an unknown worker_type with config_error listing the known workers", async () => {
    const result = await dispatcher().dispatch({
      task_id: "d2",
      worker_type: "entity_extracter",
      payload: {},
    });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({
      code: "config_error",
      message: "unknown worker 'entity_extracter' (workers: entity_extractor, word_stats)",
    });
  });

  it("passes the caller's signal through: aborting cancels the task", async () => {
    llm.enqueue({ text: "{}", delayMs: 60_000 });
    const controller = new AbortController();
    const pending = dispatcher().dispatch(
      { task_id: "d3", worker_type: "entity_extractor", payload: { text: UN_TEXT } },
      { signal: controller.signal },
    );
    while (llm.chatRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect((await pending).error?.code).toBe("cancelled");
  });
});
