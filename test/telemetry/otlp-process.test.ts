import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { connectHttp } from "../fixtures/mcp-clients.js";
import { startGatewayHttp } from "../fixtures/mcp-gateway-process.js";
import {
  type GatewayProject,
  gatewayResponder,
  writeGatewayProject,
} from "../fixtures/mcp-gateway-project.js";

const RECORDER = fileURLToPath(new URL("../fixtures/resolve-recorder.mjs", import.meta.url));

/** One span as OTLP/HTTP JSON carries it, attributes flattened. */
interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  service: unknown;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

function flatten(attributes: OtlpAttribute[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of attributes) {
    out[key] = value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
    out[key] ??= value.boolValue ?? value.doubleValue;
  }
  return out;
}

/** A minimal OTLP/HTTP receiver: POST /v1/traces with a JSON body. */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") {
        const json = JSON.parse(body) as {
          resourceSpans: Array<{
            resource?: { attributes?: OtlpAttribute[] };
            scopeSpans: Array<{
              spans: Array<Omit<OtlpSpan, "attributes"> & { attributes?: OtlpAttribute[] }>;
            }>;
          }>;
        };
        for (const resourceSpans of json.resourceSpans) {
          const service = flatten(resourceSpans.resource?.attributes)["service.name"];
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans)
              spans.push({ ...span, attributes: flatten(span.attributes), service });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

let llm: FakeLlm;
let project: GatewayProject;
let logs: string;

beforeAll(async () => {
  llm = await startFakeLlm();
  llm.setResponder(gatewayResponder);
  project = await writeGatewayProject(llm.url);
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
  const gateway = await startGatewayHttp(
    project.config,
    project.dir,
    { ...env, NODE_OPTIONS: nodeOptions, LOOM_TEST_RESOLVE_LOG: log },
    extraArgs,
  );
  try {
    const client = await connectHttp("sdk-v1", gateway.url);
    const result = await client.callTool("shout_pipeline", { text: "hi" });
    expect(result.isError ?? false).toBe(false);
    await client.close();
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
  return readFile(log, "utf8");
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
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const chain = (span: OtlpSpan | undefined): string[] =>
        span ? [span.name, ...chain(span.parentSpanId ? byId.get(span.parentSpanId) : undefined)] : [];
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
