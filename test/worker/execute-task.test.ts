import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BACKEND_KINDS, type BackendKind } from "../../src/llm/backend.js";
import type { LoomSettings } from "../../src/llm/settings.js";
import { executeTask } from "../../src/worker/execute-task.js";
import type { TaskMessage } from "../../src/worker/messages.js";
import { entityExtractor, UN_ENTITIES, UN_TEXT } from "../fixtures/entity-extractor.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => llm.reset());

const task = (payload: Record<string, unknown>, extra: Partial<TaskMessage> = {}): TaskMessage => ({
  task_id: "t-1",
  worker_type: "entity_extractor",
  payload,
  ...extra,
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe.each(BACKEND_KINDS)("executeTask: the guide's entity_extractor on %s", (kind: BackendKind) => {
  it("runs end to end: prompt and payload in, validated output, usage, model and raw reply out", async () => {
    const raw = JSON.stringify(UN_ENTITIES);
    llm.enqueue({ text: raw, usage: { input: 120, output: 30 }, model: `${kind}-model` });
    const result = await executeTask(task({ text: UN_TEXT }, { goal_id: "g-1" }), {
      worker: entityExtractor(),
      settings: fakeLlmSettings(llm, kind),
    });
    expect(result).toMatchObject({
      task_id: "t-1",
      worker_type: "entity_extractor",
      goal_id: "g-1",
      status: "completed",
      output: UN_ENTITIES,
      error: null,
      model_used: `${kind}-model`,
      token_usage: { input: 120, output: 30 },
      raw_response: raw,
    });
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
    const [sent] = llm.chatRequests();
    expect(sent?.protocol).toBe(kind);
    expect(sent?.system).toContain("You are an entity extraction agent.");
    expect(JSON.parse(sent?.userText ?? "")).toEqual({ text: UN_TEXT });
    const body = sent?.body as Record<string, unknown>;
    const maxTokens =
      kind === "ollama" ? (body.options as Record<string, unknown>).num_predict : body.max_tokens;
    expect(maxTokens).toBe(1000);
  });

  it("accepts JSON wrapped in a fence with a preamble", async () => {
    llm.enqueue({
      text: `Here are the entities:\n\`\`\`json\n${JSON.stringify(UN_ENTITIES)}\n\`\`\`\nDone.`,
    });
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: fakeLlmSettings(llm, kind),
    });
    expect(result.status).toBe("completed");
    expect(result.output).toEqual(UN_ENTITIES);
  });
});

describe("executeTask: contracts", () => {
  const settings = (): LoomSettings => fakeLlmSettings(llm, "ollama");

  it("fails with invalid_output listing each violation with its path, and keeps the raw reply", async () => {
    const raw = '{"people": ["Ada", 42], "places": "Paris", "count": "two"}';
    llm.enqueue({ text: raw, usage: { input: 50, output: 20 } });
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: settings(),
    });
    expect(result.status).toBe("failed");
    expect(result.output).toBeNull();
    expect(result.error?.code).toBe("invalid_output");
    const violations = result.error?.details?.violations as { path: string }[];
    expect(violations.map((v) => v.path).sort()).toEqual(["count", "organizations", "people[1]", "places"]);
    for (const path of ["people[1]", "places", "organizations", "count"])
      expect(result.error?.message).toContain(path);
    expect(result.raw_response).toBe(raw);
    expect(result.token_usage).toEqual({ input: 50, output: 20 });
  });

  it("fails with invalid_output when the reply is not JSON at all", async () => {
    llm.enqueue({ text: "I'm sorry, I can't find any entities in that." });
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: settings(),
    });
    expect(result.error?.code).toBe("invalid_output");
    expect(result.error?.message).toContain("not a JSON object");
    expect(result.raw_response).toBe("I'm sorry, I can't find any entities in that.");
  });

  it("rejects input that breaks input_schema without calling the LLM", async () => {
    const empty = await executeTask(task({ text: "" }), { worker: entityExtractor(), settings: settings() });
    expect(empty.error?.code).toBe("invalid_input");
    expect(empty.error?.message).toContain("text");
    const wrongType = await executeTask(task({ text: true }), {
      worker: entityExtractor(),
      settings: settings(),
    });
    expect(wrongType.error).toMatchObject({
      code: "invalid_input",
      details: { violations: [{ path: "text", message: "must be string (got boolean)" }] },
    });
    expect(llm.chatRequests()).toHaveLength(0);
  });

  it("strips silo_updates before validating the output", async () => {
    const worker = entityExtractor({
      outputSchema: { ...entityExtractor().outputSchema, additionalProperties: false },
    });
    llm.enqueue({ text: JSON.stringify({ ...UN_ENTITIES, silo_updates: [] }) });
    const result = await executeTask(task({ text: UN_TEXT }), { worker, settings: settings() });
    expect(result.status).toBe("completed");
    expect(result.output).toEqual(UN_ENTITIES);
  });
});

describe("executeTask: time, cancellation and transient failures", () => {
  it("fails with timeout when the model does not answer within timeout_seconds", async () => {
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES), delayMs: 60_000 });
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor({ timeoutSeconds: 0.2 }),
      settings: fakeLlmSettings(llm, "openai"),
    });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("timeout");
    expect(result.error?.message).toContain("timeout_seconds=0.2");
  });

  it("fails with cancelled when the caller aborts", async () => {
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES), delayMs: 60_000 });
    const controller = new AbortController();
    const pending = executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: fakeLlmSettings(llm, "anthropic"),
      signal: controller.signal,
    });
    await waitFor(() => llm.chatRequests().length === 1);
    controller.abort();
    const result = await pending;
    expect(result.error?.code).toBe("cancelled");
  });

  it("retries a 429 and then succeeds, reporting progress", async () => {
    const progress: string[] = [];
    llm.enqueue({ status: 429, message: "rate limited" }, { text: JSON.stringify(UN_ENTITIES) });
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: fakeLlmSettings(llm, "anthropic"),
      onProgress: (p) => progress.push(p.message),
    });
    expect(result.status).toBe("completed");
    expect(llm.chatRequests()).toHaveLength(2);
    expect(progress.join("\n")).toContain("429");
  });

  it("uses task.tier over the worker's default tier", async () => {
    const settings: LoomSettings = {
      ...fakeLlmSettings(llm, "ollama"),
      tiers: {
        local: { backend: "ollama", model: "small", baseUrl: llm.url },
        frontier: { backend: "anthropic", model: "big", baseUrl: llm.url, apiKey: "k" },
      },
    };
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES) });
    const result = await executeTask(task({ text: UN_TEXT }, { tier: "frontier" }), {
      worker: entityExtractor(),
      settings,
    });
    expect(result.model_used).toBe("big");
    expect(llm.chatRequests()[0]?.protocol).toBe("anthropic");
  });
});

describe("executeTask: no usable backend", () => {
  it("names the Ollama fix when nothing listens on the local tier's host", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 1}`;
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor(),
      settings: { tiers: {}, ollama: { host: url }, anthropic: {}, openai: {}, retry: { baseDelayMs: 1 } },
    });
    expect(result.error?.code).toBe("llm_error");
    expect(result.error?.message).toBe(
      `no LLM backend for tier local: Ollama at ${url} is not reachable ` +
        "(start Ollama: ollama serve && ollama pull llama3.2:3b) or set OLLAMA_HOST / configure tiers.local in loom.yaml",
    );
  });

  it("fails with config_error naming the settings to add for a tier with no backend", async () => {
    const result = await executeTask(task({ text: UN_TEXT }), {
      worker: entityExtractor({ defaultModelTier: "standard" }),
      settings: { tiers: {}, ollama: {}, anthropic: {}, openai: {} },
    });
    expect(result.error).toMatchObject({
      code: "config_error",
      message: expect.stringContaining("no LLM backend for tier standard: set ANTHROPIC_API_KEY"),
    });
  });
});
