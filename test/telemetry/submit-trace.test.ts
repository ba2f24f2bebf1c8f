/**
 * `loom submit` with tracing on: its span is the root of the goal's trace across the orchestrator
 * and worker processes, the goal message carries the W3C `traceparent` header, and a submit that
 * leaves through a timeout still exports its span.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAMS } from "../../src/bus/streams.js";
import { goalSubject } from "../../src/bus/subjects.js";
import type { FakeLlm } from "../fixtures/fake-llm-server.js";
import { type GatewayMesh, startGatewayMesh } from "../fixtures/gateway-mesh.js";
import { CLI } from "../fixtures/mcp-gateway-process.js";
import { type GatewayProject, startGatewayProject } from "../fixtures/mcp-gateway-project.js";
import { ancestry, type OtlpReceiver, startOtlpReceiver } from "../fixtures/otlp-receiver.js";

let llm: FakeLlm;
let project: GatewayProject;
let receiver: OtlpReceiver;
let mesh: GatewayMesh;

beforeAll(async () => {
  ({ llm, project } = await startGatewayProject());
  receiver = await startOtlpReceiver();
  mesh = await startGatewayMesh(project, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: "loom-mesh",
  });
}, 60_000);

afterAll(async () => {
  await mesh?.stop();
  receiver?.server.close();
  await llm?.close();
  if (project) await rm(project.dir, { recursive: true, force: true });
});

function submit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, "submit", ...args, "--nats-url", mesh.natsUrl],
      {
        cwd: project.dir,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "loom-submit" },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`no ${what} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("loom submit tracing", () => {
  it("the goal's spans in the orchestrator and workers hang under the submit span", async () => {
    const result = await submit(["--pipeline", "shout_pipeline", "--context", "text=hi", "--json"]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const goalId = (JSON.parse(result.stdout) as { goal_id: string }).goal_id;
    const root = receiver.spans.find(
      (s) => s.name === "loom.submit" && s.attributes["loom.goal_id"] === goalId,
    );
    expect(root?.service).toBe("loom-submit");
    // The orchestrator exports in batches: wait for the goal's model call.
    const chat = await eventually(
      () => receiver.spans.find((s) => s.traceId === root?.traceId && s.name === "chat fake-model"),
      "model span in the submit's trace",
    );
    expect(chat.service).toBe("loom-mesh");
    expect(ancestry(chat, receiver.spans)).toEqual([
      "chat fake-model",
      "loom.task",
      "pipeline.stage",
      "pipeline.goal",
      "loom.submit",
    ]);
  }, 40_000);

  it("a submit that stops following at --timeout exports its span, and the goal carries a traceparent header", async () => {
    const result = await submit(["--pipeline", "nobody_runs_this", "--context", "text=hi", "--timeout", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no result within 1 s");
    const goalId = result.stdout.trim();
    const span = receiver.spans.find(
      (s) => s.name === "loom.submit" && s.attributes["loom.goal_id"] === goalId,
    );
    expect(span).toBeDefined();
    expect(span?.status?.code).toBe(2); // ERROR

    const nc = await connect({ servers: mesh.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage(STREAMS.goals, {
        last_by_subj: goalSubject("nobody_runs_this"),
      });
      const traceparent = stored?.header.get("traceparent") ?? "";
      expect(traceparent).toMatch(new RegExp(`^00-${span?.traceId}-${span?.spanId}-0[01]$`));
      expect(stored?.json<{ trace_context?: { traceparent: string } }>().trace_context?.traceparent).toBe(
        traceparent,
      );
    } finally {
      await nc.close();
    }
  }, 30_000);
});
