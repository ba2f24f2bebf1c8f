/** Messages read off the wire are checked; results larger than the server allows are trimmed, never dropped. */
import { describe, expect, it } from "vitest";
import { decodeResult, decodeTask, encodeJson, encodeResult } from "../../src/bus/wire.js";
import type { TaskResult } from "../../src/worker/messages.js";

const MB = 1024 * 1024;
const decoder = new TextDecoder();

function result(overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    task_id: "t1",
    worker_type: "summarizer",
    status: "completed",
    output: { summary: "short" },
    error: null,
    model_used: "m",
    token_usage: { input: 1, output: 2 },
    latency_ms: 3,
    raw_response: "short",
    ...overrides,
  };
}

describe("TaskMessage on the wire", () => {
  it("accepts a task and keeps the mesh fields", () => {
    const decoded = decodeTask(
      encodeJson({
        task_id: "t",
        worker_type: "w",
        tier: "local",
        payload: { a: 1 },
        reply_to: "r",
        attempt: 2,
      }),
    );
    expect(decoded).toMatchObject({ ok: true, value: { tier: "local", reply_to: "r", attempt: 2 } });
  });

  it.each([
    ["not JSON", "{nope", /not JSON/],
    ["no payload", JSON.stringify({ task_id: "t", worker_type: "w" }), /payload/],
    [
      "an unknown tier",
      JSON.stringify({ task_id: "t", worker_type: "w", payload: {}, tier: "huge" }),
      /tier/,
    ],
    ["an empty task id", JSON.stringify({ task_id: "", worker_type: "w", payload: {} }), /task_id/],
  ])("refuses %s with a reason naming the field", (_what, text, reason) => {
    const decoded = decodeTask(new TextEncoder().encode(text));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

describe("results larger than max_payload", () => {
  it("a small result goes as it is", () => {
    expect(JSON.parse(decoder.decode(encodeResult(result(), MB)))).toEqual(result());
  });

  it("a long raw_response is cut with a marker; the output is kept", () => {
    const encoded = encodeResult(result({ raw_response: "x".repeat(3 * MB) }), MB);
    expect(encoded.length).toBeLessThanOrEqual(MB);
    const decoded = decodeResult(encoded);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.status).toBe("completed");
    expect(decoded.value.output).toEqual({ summary: "short" });
    expect(decoded.value.raw_response).toMatch(
      /raw_response trimmed by \d+ characters: .*max_payload of 1048576 bytes/,
    );
  });

  it("an output too large to send becomes a failed result that says so", () => {
    const encoded = encodeResult(result({ output: { text: "y".repeat(2 * MB) } }), MB);
    expect(encoded.length).toBeLessThanOrEqual(MB);
    const decoded = decodeResult(encoded);
    expect(decoded.ok && decoded.value.status).toBe("failed");
    if (!decoded.ok) return;
    expect(decoded.value.error?.message).toMatch(/more than the NATS server's max_payload of 1048576 bytes/);
    expect(decoded.value.task_id).toBe("t1");
  });
});
