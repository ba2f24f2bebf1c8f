import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LoomError } from "../../src/errors.js";
import { BACKEND_KINDS, type BackendKind, type LlmBackend, type LlmMessage } from "../../src/llm/backend.js";
import { createBackend } from "../../src/llm/tiers.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeBaseUrl } from "../fixtures/fake-llm-settings.js";
import { freePort } from "../fixtures/free-port.js";

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => {
  llm.reset();
});

const SCHEMA = { type: "object", required: ["count"], properties: { count: { type: "integer" } } };
const LOOKUP = {
  name: "lookup_record",
  description: "Look up a record by ID",
  input_schema: { type: "object", required: ["record_id"], properties: { record_id: { type: "string" } } },
};

describe.each(BACKEND_KINDS)("LlmBackend contract: %s", (kind: BackendKind) => {
  const backend = (): LlmBackend =>
    createBackend(kind, {
      baseUrl: fakeBaseUrl(llm, kind),
      apiKey: "test-key",
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
    });

  it("returns the reply text with the token usage and model the provider reports", async () => {
    llm.enqueue({ text: '{"count": 2}', usage: { input: 31, output: 7 }, model: "reported-model" });
    const reply = await backend().complete({
      model: "asked-model",
      system: "You extract entities.",
      messages: [{ role: "user", content: '{"text":"hi"}' }],
      maxOutputTokens: 123,
    });
    expect(reply).toMatchObject({ text: '{"count": 2}', toolCalls: [], stopReason: "stop" });
    expect(reply.usage).toEqual({ input: 31, output: 7 });
    expect(reply.model).toBe("reported-model");
    const sent = llm.requests[0];
    expect(sent?.protocol).toBe(kind);
    expect(sent?.model).toBe("asked-model");
    expect(sent?.system).toBe("You extract entities.");
    expect(sent?.userText).toBe('{"text":"hi"}');
  });

  it("passes max_output_tokens in the provider's own field", async () => {
    await backend().complete({ model: "m", messages: [{ role: "user", content: "x" }], maxOutputTokens: 77 });
    const body = llm.requests[0]?.body as Record<string, unknown>;
    const sent = kind === "ollama" ? (body.options as Record<string, unknown>).num_predict : body.max_tokens;
    expect(sent).toBe(77);
  });

  it("asks for schema-constrained output where the provider supports it", async () => {
    await backend().complete({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      maxOutputTokens: 10,
      outputSchema: SCHEMA,
    });
    const body = llm.requests[0]?.body as Record<string, unknown>;
    if (kind === "ollama") expect(body.format).toEqual(SCHEMA);
    if (kind === "openai") {
      expect(body.response_format).toMatchObject({ type: "json_schema", json_schema: { schema: SCHEMA } });
    }
    if (kind === "anthropic") expect(body).not.toHaveProperty("response_format");
  });

  it("parses tool calls and sends tool results back in the native format", async () => {
    llm.enqueue({ toolCalls: [{ name: "lookup_record", arguments: { record_id: "42" } }] });
    llm.enqueue({ text: '{"count": 1}' });
    const first = await backend().complete({
      model: "m",
      messages: [{ role: "user", content: "find 42" }],
      tools: [LOOKUP],
      maxOutputTokens: 10,
    });
    expect(first.stopReason).toBe("tool_calls");
    expect(first.toolCalls).toEqual([
      { id: expect.any(String), name: "lookup_record", arguments: { record_id: "42" } },
    ]);
    const call = first.toolCalls[0]!;
    const messages: LlmMessage[] = [
      { role: "user", content: "find 42" },
      { role: "assistant", content: first.text, toolCalls: first.toolCalls },
      { role: "tool", results: [{ callId: call.id, name: call.name, content: '{"name":"Ada"}' }] },
    ];
    const second = await backend().complete({ model: "m", messages, tools: [LOOKUP], maxOutputTokens: 10 });
    expect(second.text).toBe('{"count": 1}');

    const offered = JSON.stringify((llm.requests[0]?.body as Record<string, unknown> | undefined)?.tools);
    expect(offered).toContain("lookup_record");
    expect(offered).toContain("record_id");
    const sent = llm.requests[1]?.body as { messages: Record<string, unknown>[] };
    const feedback = sent.messages.at(-1);
    if (kind === "ollama")
      expect(feedback).toEqual({ role: "tool", content: '{"name":"Ada"}', tool_name: "lookup_record" });
    if (kind === "openai")
      expect(feedback).toEqual({ role: "tool", tool_call_id: call.id, content: '{"name":"Ada"}' });
    if (kind === "anthropic") {
      expect(feedback).toEqual({
        role: "user",
        content: [{ type: "tool_result", tool_use_id: call.id, content: '{"name":"Ada"}' }],
      });
    }
  });

  it("retries a 429 and then succeeds", async () => {
    const notes: string[] = [];
    llm.enqueue({ status: 429, message: "rate limited" }, { text: "ok" });
    const reply = await backend().complete({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      maxOutputTokens: 10,
      onRetry: (note) => notes.push(note),
    });
    expect(reply.text).toBe("ok");
    expect(llm.chatRequests()).toHaveLength(2);
    expect(notes[0]).toContain("HTTP 429");
  });

  it("gives up on repeated 5xx with an error naming backend, URL and status", async () => {
    llm.enqueue({ status: 503, message: "overloaded" }, { status: 503 }, { status: 503 }, { text: "never" });
    const failure = await backend()
      .complete({ model: "m", messages: [{ role: "user", content: "x" }], maxOutputTokens: 10 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LoomError);
    expect(failure).toMatchObject({
      code: "llm_error",
      details: { backend: kind, status: 503, attempts: 3 },
    });
    expect((failure as Error).message).toContain(kind);
    expect((failure as Error).message).toContain(fakeBaseUrl(llm, kind));
    expect((failure as Error).message).toContain("503");
    expect(llm.chatRequests()).toHaveLength(3);
  });

  it("does not retry a 400", async () => {
    llm.enqueue({ status: 400, message: "bad request: unknown field" });
    await expect(
      backend().complete({ model: "m", messages: [{ role: "user", content: "x" }], maxOutputTokens: 10 }),
    ).rejects.toMatchObject({ code: "llm_error", message: expect.stringContaining("unknown field") });
    expect(llm.chatRequests()).toHaveLength(1);
  });

  it("fails fast when nothing listens, saying the backend is not reachable", async () => {
    const url = `http://127.0.0.1:${await freePort()}${kind === "openai" ? "/v1" : ""}`;
    const dead = createBackend(kind, { baseUrl: url, apiKey: "k", retry: { baseDelayMs: 1 } });
    const failure = await dead
      .complete({ model: "m", messages: [{ role: "user", content: "x" }], maxOutputTokens: 10 })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "llm_error",
      details: { reason: "unreachable", attempts: 2, url },
    });
    expect((failure as Error).message).toContain("not reachable");
  });

  it("aborts the HTTP call when the signal fires", async () => {
    llm.enqueue({ text: "late", delayMs: 60_000 });
    const controller = new AbortController();
    const pending = backend().complete({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      maxOutputTokens: 10,
      signal: controller.signal,
    });
    await vi_waitFor(() => llm.chatRequests().length === 1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e: unknown) => e instanceof Error && e.name === "AbortError");
  });
});

/** Polls until `check` holds (the fake server records a request as soon as it arrives). */
async function vi_waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
