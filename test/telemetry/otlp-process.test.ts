import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeLlm } from "../fixtures/fake-llm-server.js";
import { startGatewayMesh } from "../fixtures/gateway-mesh.js";
import { connectHttp } from "../fixtures/mcp-clients.js";
import { startGatewayHttp } from "../fixtures/mcp-gateway-process.js";
import { type GatewayProject, startGatewayProject } from "../fixtures/mcp-gateway-project.js";
import { ancestry, type OtlpSpan, startOtlpReceiver as startReceiver } from "../fixtures/otlp-receiver.js";

const RECORDER = fileURLToPath(new URL("../fixtures/resolve-recorder.mjs", import.meta.url));

let llm: FakeLlm;
let project: GatewayProject;
let logs: string;

beforeAll(async () => {
  ({ llm, project } = await startGatewayProject());
  logs = await mkdtemp(path.join(os.tmpdir(), "loom-otel-"));
});

afterAll(async () => {
  await llm.close();
  await rm(project.dir, { recursive: true, force: true });
  await rm(logs, { recursive: true, force: true });
});

/** Runs `loom mcp` over HTTP, calls `shout_pipeline` once, stops it; returns the modules it resolved. */
async function gatewayRun(env: Record<string, string>, extraArgs: string[] = []): Promise<string> {
  const log = path.join(logs, `resolved-${Math.random().toString(36).slice(2)}.txt`);
  const nodeOptions = [process.env.NODE_OPTIONS, `--import ${RECORDER}`].filter(Boolean).join(" ");
  await callShoutPipeline({ ...env, NODE_OPTIONS: nodeOptions, LOOM_TEST_RESOLVE_LOG: log }, extraArgs);
  return readFile(log, "utf8");
}

/** Starts `loom mcp` over HTTP with `env`, calls `shout_pipeline` once, and stops it (exit 0). */
async function callShoutPipeline(env: Record<string, string>, extraArgs: string[] = []): Promise<void> {
  const gateway = await startGatewayHttp(project.config, project.dir, env, extraArgs);
  try {
    const client = await connectHttp("sdk-v1", gateway.url);
    const result = await client.callTool("shout_pipeline", { text: "hi" });
    expect(result.isError ?? false).toBe(false);
    await client.close();
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
}

describe("loom mcp tracing", () => {
  it("exports the trace of a tool call to the OTLP/HTTP endpoint of the environment", async () => {
    const receiver = await startReceiver();
    try {
      const resolved = await gatewayRun({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: "loom-otlp-test",
      });
      expect(resolved).toContain("@opentelemetry/sdk-trace");
      const spans = receiver.spans;
      const names = spans.map((s) => s.name);
      expect(names.filter((n) => n === "mcp.tool_call")).toHaveLength(1);
      expect(names.filter((n) => n === "pipeline.goal")).toHaveLength(1);
      expect(names.filter((n) => n === "pipeline.stage")).toHaveLength(3);
      expect(names.filter((n) => n === "loom.task")).toHaveLength(3);
      expect(names).toContain("chat fake-model");
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
      expect(spans.every((s) => s.service === "loom-otlp-test")).toBe(true);
      const chain = (span: OtlpSpan | undefined) => ancestry(span, spans);
      const chat = spans.find((s) => s.name === "chat fake-model")!;
      expect(chain(chat)).toEqual([
        "chat fake-model",
        "loom.task",
        "pipeline.stage",
        "pipeline.goal",
        "mcp.tool_call",
      ]);
      expect(chat.attributes["gen_ai.request.model"]).toBe("fake-model");
      expect(chat.attributes["gen_ai.usage.input_tokens"]).toEqual(expect.any(Number));
    } finally {
      receiver.server.close();
    }
  });

  it("follows a pipeline tool call across the mesh: gateway, orchestrator and worker processes share one trace", async () => {
    const receiver = await startReceiver();
    const mesh = await startGatewayMesh(project, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "loom-mesh",
    });
    try {
      await callShoutPipeline(
        { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "loom-gateway" },
        ["--nats-url", mesh.natsUrl],
      );
    } finally {
      await mesh.stop(); // each process flushes its spans as it exits
      receiver.server.close();
    }
    const spans = receiver.spans;
    const toolCall = spans.find((s) => s.name === "mcp.tool_call");
    expect(toolCall?.service).toBe("loom-gateway");
    const trace = spans.filter((s) => s.traceId === toolCall?.traceId);
    const chain = (span: OtlpSpan | undefined) => ancestry(span, trace);
    const goal = trace.find((s) => s.name === "pipeline.goal");
    expect(goal?.service).toBe("loom-mesh");
    expect(trace.filter((s) => s.name === "pipeline.stage")).toHaveLength(3);
    const chat = trace.find((s) => s.name === "chat fake-model");
    expect(chat?.service).toBe("loom-mesh");
    expect(chain(chat)).toEqual([
      "chat fake-model",
      "loom.task",
      "pipeline.stage",
      "pipeline.goal",
      "mcp.tool_call",
    ]);
    const processorCalls = trace.filter((s) => s.name === "processor.call");
    expect(processorCalls).toHaveLength(2);
    for (const call of processorCalls)
      expect(chain(call).slice(-3)).toEqual(["pipeline.stage", "pipeline.goal", "mcp.tool_call"]);
  }, 90_000);

  it("loads no OpenTelemetry module when tracing is not enabled", async () => {
    const clean = Object.fromEntries(
      Object.keys(process.env)
        .filter((key) => key.startsWith("OTEL_"))
        .map((key) => [key, ""]),
    );
    const resolved = await gatewayRun(clean);
    expect(resolved).toContain("dist/worker/execute-task.js");
    expect(resolved).not.toContain("@opentelemetry");
  });

  it("--otel turns tracing on without any OTEL_ variable", async () => {
    const clean = Object.fromEntries(
      Object.keys(process.env)
        .filter((key) => key.startsWith("OTEL_"))
        .map((key) => [key, ""]),
    );
    // Spans go to the default endpoint (localhost:4318); nobody listening must not break anything.
    const resolved = await gatewayRun(clean, ["--otel"]);
    expect(resolved).toContain("@opentelemetry/sdk-trace");
  });
});
