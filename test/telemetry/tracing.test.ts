import { rm } from "node:fs/promises";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decodeTask, encodeJson } from "../../src/bus/wire.js";
import { createServer, type GatewayLogger, runStreamableHttp } from "../../src/mcp/index.js";
import { enableTelemetry, shutdownTelemetry, telemetryRequested } from "../../src/telemetry/enable.js";
import { startSpan, tracingEnabled } from "../../src/telemetry/tracer.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { connectHttp } from "../fixtures/mcp-clients.js";
import {
  type GatewayProject,
  gatewayResponder,
  writeGatewayProject,
} from "../fixtures/mcp-gateway-project.js";
import { workerConfig } from "../fixtures/worker-config.js";

const quiet: GatewayLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let llm: FakeLlm;
let project: GatewayProject;

beforeAll(async () => {
  llm = await startFakeLlm();
  llm.setResponder((request) => {
    const reply = gatewayResponder(request);
    return reply && "text" in reply ? { ...reply, usage: { input: 21, output: 8 } } : reply;
  });
  project = await writeGatewayProject(llm.url);
});

afterAll(async () => {
  await llm.close();
  await rm(project.dir, { recursive: true, force: true });
});

afterEach(async () => {
  delete process.env.LOOM_TRACE_CONTENT;
  await shutdownTelemetry();
});

/** Calls `tool` on an in-process gateway with tracing into a fresh in-memory exporter. */
async function tracedCall(tool: string, args: Record<string, unknown>): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  await enableTelemetry({ exporter, simple: true, serviceName: "loom-test" });
  await using server = await createServer(project.config, { settings: fakeLlmSettings(llm), logger: quiet });
  await using http = await runStreamableHttp(server, { port: 0 });
  const client = await connectHttp("sdk-v1", http.url);
  try {
    await client.callTool(tool, args);
  } finally {
    await client.close();
  }
  return exporter.getFinishedSpans();
}

function byName(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function one(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = byName(spans, name);
  expect(found, `spans named ${name}`).toHaveLength(1);
  return found[0]!;
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe("tracing", () => {
  it("is off by default and decided by the standard environment", () => {
    expect(tracingEnabled()).toBe(false);
    expect(startSpan("x").traceContext()).toBeUndefined();
    expect(telemetryRequested({})).toBe(false);
    expect(telemetryRequested({}, true)).toBe(true);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" })).toBe(true);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" })).toBe(true);
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: "otlp" })).toBe(true);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_SDK_DISABLED: "true" })).toBe(
      false,
    );
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: "none" }, true)).toBe(false);
  });

  it("a pipeline tool call is one trace: tool call → goal → stages → tasks → model call", async () => {
    const spans = await tracedCall("shout_pipeline", { text: "hello" });
    const call = one(spans, "mcp.tool_call");
    expect(call.attributes["gen_ai.tool.name"]).toBe("shout_pipeline");
    expect(parentOf(call)).toBeUndefined();
    const traceId = call.spanContext().traceId;
    expect(spans.every((span) => span.spanContext().traceId === traceId)).toBe(true);

    const goal = one(spans, "pipeline.goal");
    expect(parentOf(goal)).toBe(call.spanContext().spanId);
    expect(goal.attributes["loom.pipeline"]).toBe("shout_pipeline");
    expect(goal.attributes["loom.status"]).toBe("completed");

    const stages = byName(spans, "pipeline.stage");
    expect(stages.map((s) => s.attributes["loom.stage"]).sort()).toEqual(["measure", "prepare", "shout"]);
    for (const stage of stages) expect(parentOf(stage)).toBe(goal.spanContext().spanId);

    const tasks = byName(spans, "loom.task");
    expect(tasks).toHaveLength(3);
    for (const task of tasks) {
      const stage = stages.find((s) => s.spanContext().spanId === parentOf(task));
      expect(stage?.attributes["loom.worker_type"]).toBe(task.attributes["loom.worker_type"]);
      expect(task.attributes["loom.task_id"]).toEqual(expect.any(String));
    }
    const shoutTask = tasks.find((t) => t.attributes["loom.worker_type"] === "shout")!;
    expect(shoutTask.attributes["loom.tier"]).toBe("local");

    const chat = one(spans, "chat fake-model");
    expect(parentOf(chat)).toBe(shoutTask.spanContext().spanId);
    expect(chat.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "ollama",
      "gen_ai.system": "ollama",
      "gen_ai.request.model": "fake-model",
      "gen_ai.response.model": "fake-model",
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 8,
    });
    expect(chat.attributes["gen_ai.request.max_tokens"]).toEqual(expect.any(Number));
    expect(chat.attributes["gen_ai.input.messages"]).toBeUndefined();
    expect(chat.attributes["gen_ai.output.messages"]).toBeUndefined();

    const processorCalls = byName(spans, "processor.call");
    expect(processorCalls).toHaveLength(2);
    for (const processor of processorCalls) {
      expect(tasks.map((t) => t.spanContext().spanId)).toContain(parentOf(processor));
    }
  });

  it("prompts and replies go into model spans only with LOOM_TRACE_CONTENT=1", async () => {
    process.env.LOOM_TRACE_CONTENT = "1";
    const spans = await tracedCall("shout_text", { text: "quiet" });
    const chat = one(spans, "chat fake-model");
    expect(String(chat.attributes["gen_ai.input.messages"])).toContain("quiet");
    expect(String(chat.attributes["gen_ai.output.messages"])).toContain("QUIET!");
    expect(String(chat.attributes["gen_ai.system_instructions"])).toContain("SHOUT");
  });

  it("a failed call marks its spans with status ERROR and the error code", async () => {
    const spans = await tracedCall("llm_down", { text: "x" });
    const call = one(spans, "mcp.tool_call");
    const task = one(spans, "loom.task");
    const chat = one(spans, "chat fake-model");
    for (const span of [call, task, chat]) {
      expect(span.status.code, span.name).toBe(2);
      expect(span.attributes["error.type"], span.name).toBe("llm_error");
    }
  });

  it("a task from another process continues the trace its message carries", async () => {
    const exporter = new InMemorySpanExporter();
    await enableTelemetry({ exporter, simple: true });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const remoteSpanId = "00f067aa0ba902b7";
    const decoded = decodeTask(
      encodeJson({
        task_id: "t1",
        worker_type: "shout",
        payload: { text: "far" },
        trace_context: { traceparent: `00-${traceId}-${remoteSpanId}-01`, tracestate: "vendor=1" },
      }),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.value.trace_context?.traceparent).toBe(`00-${traceId}-${remoteSpanId}-01`);
    const worker = workerConfig({ name: "shout", systemPrompt: "SHOUT: answer with JSON only." });
    const result = await executeTask(decoded.value, { worker, settings: fakeLlmSettings(llm) });
    expect(result.status).toBe("completed");
    const spans = exporter.getFinishedSpans();
    const task = one(spans, "loom.task");
    expect(task.spanContext().traceId).toBe(traceId);
    expect(parentOf(task)).toBe(remoteSpanId);
    expect(task.spanContext().traceState?.get("vendor")).toBe("1");
    expect(parentOf(one(spans, "chat fake-model"))).toBe(task.spanContext().spanId);
  });
});
