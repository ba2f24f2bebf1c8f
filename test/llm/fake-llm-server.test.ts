import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";

let llm: FakeLlm;
beforeEach(async () => {
  llm = await startFakeLlm();
});
afterEach(async () => {
  await llm.close();
});

describe("fake LLM server: the official clients parse its replies", () => {
  it("ollama: text, tool calls with object arguments, usage, embeddings", async () => {
    const client = new Ollama({ host: llm.url });
    llm.enqueue({ text: '{"a":1}', usage: { input: 11, output: 3 } });
    llm.enqueue({ toolCalls: [{ name: "lookup", arguments: { id: "7" } }] });
    llm.enqueue({
      embeddings: [
        [1, 0],
        [0, 1],
      ],
    });
    const first = await client.chat({ model: "m1", messages: [{ role: "user", content: "hi" }] });
    expect(first.message.content).toBe('{"a":1}');
    expect([first.prompt_eval_count, first.eval_count]).toEqual([11, 3]);
    const second = await client.chat({ model: "m1", messages: [{ role: "user", content: "again" }] });
    expect(second.message.tool_calls?.[0]?.function).toEqual({ name: "lookup", arguments: { id: "7" } });
    const embedded = await client.embed({ model: "e", input: ["a", "b"] });
    expect(embedded.embeddings).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(llm.requests.map((r) => r.userText)).toEqual(["hi", "again", "a\nb"]);
  });

  it("openai: text, tool calls with JSON-string arguments, usage, errors", async () => {
    const client = new OpenAI({ baseURL: `${llm.url}/v1`, apiKey: "k", maxRetries: 0 });
    llm.enqueue({ toolCalls: [{ name: "lookup", arguments: { id: "7" } }], usage: { input: 5, output: 2 } });
    llm.enqueue({ status: 429, message: "slow down" });
    const reply = await client.chat.completions.create({
      model: "gpt",
      messages: [{ role: "user", content: "x" }],
    });
    const call = reply.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ id: "7" });
    expect(reply.choices[0]?.finish_reason).toBe("tool_calls");
    expect(reply.usage?.prompt_tokens).toBe(5);
    await expect(
      client.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 429, message: expect.stringContaining("slow down") });
  });

  it("anthropic: text and tool_use content blocks, stop reasons, usage", async () => {
    const client = new Anthropic({ baseURL: llm.url, apiKey: "k", maxRetries: 0 });
    llm.enqueue({ text: "thinking", toolCalls: [{ name: "lookup", arguments: { id: "7" }, id: "toolu_x" }] });
    llm.enqueue({ text: "done", usage: { input: 9, output: 4 } });
    const params = { model: "claude", max_tokens: 10, messages: [{ role: "user" as const, content: "x" }] };
    const first = await client.messages.create(params);
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      expect.objectContaining({ type: "text", text: "thinking" }),
      { type: "tool_use", id: "toolu_x", name: "lookup", input: { id: "7" } },
    ]);
    const second = await client.messages.create({ ...params, system: "be brief" });
    expect(second.usage).toMatchObject({ input_tokens: 9, output_tokens: 4 });
    expect(llm.requests[1]?.system).toBe("be brief");
  });

  it("answers from the responder when the queue is empty, and embeds deterministically by default", async () => {
    llm.setResponder((req) => ({ text: `echo:${req.userText}` }));
    const client = new OpenAI({ baseURL: `${llm.url}/v1`, apiKey: "k", maxRetries: 0 });
    const reply = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "ping" }],
    });
    expect(reply.choices[0]?.message.content).toBe("echo:ping");
    const one = await client.embeddings.create({ model: "e", input: ["same", "other"] });
    const two = await client.embeddings.create({ model: "e", input: "same" });
    expect(one.data[0]?.embedding).toEqual(two.data[0]?.embedding);
    expect(one.data[0]?.embedding).not.toEqual(one.data[1]?.embedding);
    expect(one.data[0]?.embedding).toHaveLength(8);
  });
});
