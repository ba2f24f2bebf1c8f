import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KnowledgeSilo, WorkerConfig } from "../../src/config/types.js";
import { BACKEND_KINDS, type BackendKind } from "../../src/llm/backend.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { closeThreadPool } from "../../src/worker/thread-pool.js";
import { closeTools } from "../../src/worker/tool-loader.js";
import { type FakeLlm, type RecordedRequest, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { workerConfig } from "../fixtures/worker-config.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Tool refs in these configs resolve relative to this (never read) YAML path. */
const CONFIG_PATH = path.resolve(here, "../fixtures/tool-worker.yaml");

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
  await closeTools();
  await closeThreadPool();
});
beforeEach(() => llm.reset());

function toolWorker(silos: KnowledgeSilo[], overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return workerConfig({
    name: "record_agent",
    systemPrompt: 'Use the tools, then answer with {"answer": string}.',
    inputSchema: { type: "object", required: ["question"], properties: { question: { type: "string" } } },
    outputSchema: { type: "object", required: ["answer"], properties: { answer: { type: "string" } } },
    defaultModelTier: "local",
    maxOutputTokens: 500,
    knowledgeSilos: silos,
    timeoutSeconds: 20,
    sourcePath: CONFIG_PATH,
    ...overrides,
  });
}

const tool = (name: string, provider: string, config: Record<string, unknown> = {}): KnowledgeSilo => ({
  name,
  type: "tool",
  provider: `./tools/core-tools.js#${provider}`,
  config,
});

const run = (worker: WorkerConfig, kind: BackendKind = "ollama") =>
  executeTask(
    { task_id: "t-tools", worker_type: worker.name, payload: { question: "who are 1, 2 and 3?" } },
    { worker, settings: fakeLlmSettings(llm, kind) },
  );

/** Everything the model was sent in a request, as text (tool results included). */
const sentText = (request: RecordedRequest | undefined): string => JSON.stringify(request?.body ?? null);

describe.each(BACKEND_KINDS)("tool loop on %s", (kind: BackendKind) => {
  it("runs a 3-round tool loop, feeds each result back and sums token usage", async () => {
    for (const id of ["1", "2", "3"]) {
      llm.enqueue({
        toolCalls: [{ name: "lookup_record", arguments: { record_id: id } }],
        usage: { input: 10, output: 2 },
      });
    }
    llm.enqueue({
      text: '{"answer": "x-record-1, x-record-2, x-record-3"}',
      usage: { input: 40, output: 9 },
    });
    const result = await run(toolWorker([tool("records", "LookupTool", { prefix: "x-" })]), kind);
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ answer: "x-record-1, x-record-2, x-record-3" });
    expect(result.token_usage).toEqual({ input: 70, output: 15 });
    const requests = llm.chatRequests();
    expect(requests).toHaveLength(4);
    expect(sentText(requests[0])).toContain("lookup_record");
    expect(sentText(requests[1])).toContain("x-record-1");
    expect(sentText(requests[3])).toContain("x-record-3");
  });
});

describe("tool loop limits and failures", () => {
  it.each(BACKEND_KINDS)(
    "fails clearly when the model is still calling tools after 10 rounds (%s), without a listener-leak warning",
    async (kind) => {
      // Every round's HTTP call hangs a listener on the task's signal; left there, Node prints a
      // MaxListenersExceededWarning on the user's terminal from the 11th on.
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => {
        warnings.push(warning.name);
      };
      process.on("warning", onWarning);
      llm.setResponder(() => ({ toolCalls: [{ name: "lookup_record", arguments: { record_id: "again" } }] }));
      try {
        const result = await run(toolWorker([tool("records", "LookupTool")]), kind);
        expect(result.status).toBe("failed");
        expect(result.error?.code).toBe("llm_error");
        expect(result.error?.message).toContain("still calling tools after 10 rounds");
        expect(llm.chatRequests()).toHaveLength(10);
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).not.toContain("MaxListenersExceededWarning");
      } finally {
        process.off("warning", onWarning);
      }
    },
  );

  it("hands a tool's error to the model instead of crashing", async () => {
    llm.enqueue({ toolCalls: [{ name: "flaky_db", arguments: {} }] });
    llm.enqueue({ text: '{"answer": "the database was unavailable"}' });
    const result = await run(toolWorker([tool("db", "FailingTool")]), "anthropic");
    expect(result.status).toBe("completed");
    const feedback = sentText(llm.chatRequests()[1]);
    expect(feedback).toContain("database is locked");
    expect(feedback).toContain('"is_error":true');
  });

  it("tells the model about an unknown tool or bad arguments", async () => {
    llm.enqueue({
      toolCalls: [
        { name: "no_such_tool", arguments: {} },
        { name: "lookup_record", arguments: { record_id: 7 } },
      ],
    });
    llm.enqueue({ text: '{"answer": "gave up"}' });
    const result = await run(toolWorker([tool("records", "LookupTool")]), "openai");
    expect(result.status).toBe("completed");
    const feedback = sentText(llm.chatRequests()[1]);
    expect(feedback).toContain("unknown tool 'no_such_tool' (tools: lookup_record)");
    expect(feedback).toContain("record_id: must be string (got number 7)");
  });

  it("runs several calls of one round in parallel", async () => {
    // Each barrier call returns only once both have started: run one after the other they would
    // wait forever and the task would time out.
    llm.enqueue({
      toolCalls: [
        { name: "barrier", arguments: { n: 1 } },
        { name: "barrier", arguments: { n: 2 } },
      ],
    });
    llm.enqueue({ text: '{"answer": "both"}' });
    const result = await run(
      toolWorker([tool("barrier", "BarrierTool", { expected: 2 })], { timeoutSeconds: 5 }),
    );
    expect(result.error).toBeNull();
    expect(sentText(llm.chatRequests()[1]).match(/together/g)).toHaveLength(2);
  });

  it("runs a SyncToolProvider's executeSync in a worker thread", async () => {
    llm.enqueue({ toolCalls: [{ name: "word_count", arguments: { text: "one two three" } }] });
    llm.enqueue({ text: '{"answer": "3 words"}' });
    const result = await run(toolWorker([tool("words", "WordCountTool")]));
    expect(result.status).toBe("completed");
    const feedback = sentText(llm.chatRequests()[1]);
    expect(feedback).toContain('\\"words\\":3');
    expect(feedback).toContain('\\"main_thread\\":false');
  });

  it("fails with config_error when a tool provider cannot be loaded", async () => {
    const result = await run(toolWorker([tool("missing", "NoSuchTool")]));
    expect(result.error?.code).toBe("config_error");
    expect(result.error?.message).toContain("NoSuchTool");
    expect(llm.chatRequests()).toHaveLength(0);
  });
});
