import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { executeTask } from "../../src/worker/execute-task.js";
import { entityExtractor, UN_ENTITIES } from "../fixtures/entity-extractor.js";
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

const task = (text: string) => ({ task_id: "t-1", worker_type: "entity_extractor", payload: { text } });

describe("max_input_tokens covers system prompt + knowledge + payload", () => {
  it("refuses a 200,000-character input under the default budget of 4000 before any LLM call", async () => {
    const worker = entityExtractor();
    expect(worker.maxInputTokens).toBe(4000);
    const result = await executeTask(task("x".repeat(200_000)), { worker, settings: fakeLlmSettings(llm) });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toMatch(/is ~50\d\d\d tokens/);
    expect(result.error?.message).toContain("payload ~50");
    expect(result.error?.message).toContain("over its max_input_tokens 4000");
    expect(result.error?.details).toMatchObject({ max_input_tokens: 4000 });
    expect(llm.requests).toHaveLength(0);
  });

  it("counts the system prompt too: each part fits alone, together they do not", async () => {
    const worker = { ...entityExtractor(), systemPrompt: "p".repeat(2_400), maxInputTokens: 1000 };
    const result = await executeTask(task("t".repeat(2_400)), { worker, settings: fakeLlmSettings(llm) });
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain("system prompt and knowledge ~600");
    expect(result.error?.message).toContain("over its max_input_tokens 1000");
    expect(llm.requests).toHaveLength(0);
  });

  it("runs an input within the budget", async () => {
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES) });
    const worker = { ...entityExtractor(), maxInputTokens: 1000 };
    const result = await executeTask(task("t".repeat(2_000)), { worker, settings: fakeLlmSettings(llm) });
    expect(result.status).toBe("completed");
    expect(llm.chatRequests()).toHaveLength(1);
  });
});
