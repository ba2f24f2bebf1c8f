/**
 * The built CLI over stdio with raw bytes on stdin (`printf … | loom mcp`): what a client that
 * writes its requests and closes stdin at once gets back.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../fixtures/mcp-gateway-process.js";

const BACKEND = fileURLToPath(new URL("../fixtures/mcp-reload-backends.js", import.meta.url));

let dir: string;
let mcpFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-stdio-eof-"));
  await mkdir(path.join(dir, "workers"));
  await writeFile(
    path.join(dir, "workers/echo.yaml"),
    `name: echo
description: "echo, after a gate file exists"
worker_kind: processor
processing_backend: "${BACKEND}#GateBackend"
backend_config: { version: 1 }
input_schema:
  type: object
  required: [text]
  properties: { text: { type: string }, gate: { type: string } }
output_schema:
  type: object
  properties: { text: { type: string }, version: { type: integer } }
`,
  );
  mcpFile = path.join(dir, "gateway.yaml");
  await writeFile(mcpFile, "name: eof\ntools:\n  workers:\n    - config: workers/echo.yaml\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

/** Writes `input` to a fresh gateway, ends stdin, calls `afterEnd`, and collects what it printed. */
async function runRaw(
  input: string,
  afterEnd: () => Promise<void> = async () => {},
): Promise<{ messages: Record<string, unknown>[]; code: number | null }> {
  const child = spawn(process.execPath, [CLI, "mcp", "--config", mcpFile], {
    cwd: dir,
    stdio: ["pipe", "pipe", "ignore"],
    env: { ...process.env, LOOM_LOG_LEVEL: "warn" },
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stdin.end(input);
  await afterEnd();
  const code = await exited;
  const messages = stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { messages, code };
}

const line = (message: unknown) => `${JSON.stringify(message)}\n`;

describe("loom mcp over stdio, stdin closed early", () => {
  it("finishes a call in flight at end of input, writes its result, and exits 0", async () => {
    const gate = path.join(dir, "gate-eof");
    const input =
      line(INITIALIZE) +
      line({ jsonrpc: "2.0", method: "notifications/initialized" }) +
      line({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "late", gate } },
      });
    const { messages, code } = await runRaw(input, async () => {
      // The call is still waiting for its gate when stdin ends.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await writeFile(gate, "open");
    });
    const result = messages.find((m) => m.id === 2);
    expect(result).toMatchObject({ result: { structuredContent: { text: "late", version: 1 } } });
    expect(code).toBe(0);
  });
});

describe("loom mcp over stdio, bad input", () => {
  const call = (id: number) =>
    line({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "echo", arguments: { text: `n${id}` } },
    });
  const opening = line(INITIALIZE) + line({ jsonrpc: "2.0", method: "notifications/initialized" });

  it("answers a line that is not JSON with -32700 and a non-JSON-RPC message with -32600, and keeps serving", async () => {
    const input = `${opening}{not json\n${line({ hello: "world", id: 7 })}${line([1, 2])}${call(3)}`;
    const { messages, code } = await runRaw(input);
    expect(messages.find((m) => (m.error as { code?: number })?.code === -32700)).toMatchObject({ id: null });
    expect(messages.find((m) => m.id === 7)).toMatchObject({ error: { code: -32600 } });
    expect(messages.filter((m) => (m.error as { code?: number })?.code === -32600)).toHaveLength(2);
    expect(messages.find((m) => m.id === 3)).toMatchObject({ result: { structuredContent: { text: "n3" } } });
    expect(code).toBe(0);
  });

  it("refuses a tools/call sent before initialize without running it, then serves after initialize", async () => {
    const early = line({
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "early" } },
    });
    const { messages, code } = await runRaw(
      `${early}${line({ jsonrpc: "2.0", id: 6, method: "ping" })}${opening}${call(3)}`,
    );
    expect(messages.find((m) => m.id === 5)).toMatchObject({
      error: { code: -32600, message: expect.stringContaining("'tools/call' before 'initialize'") },
    });
    expect(messages.find((m) => m.id === 6)).toMatchObject({ result: {} });
    expect(messages.find((m) => m.id === 3)).toMatchObject({ result: { structuredContent: { text: "n3" } } });
    expect(code).toBe(0);
  });

  it("answers a message over the size limit with an error naming the limit, and keeps serving", async () => {
    const huge = line({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "x".repeat(11 * 1024 * 1024) } },
    });
    const { messages, code } = await runRaw(`${opening}${huge}${call(3)}`);
    const refused = messages.find((m) => (m.error as { code?: number })?.code === -32600);
    expect((refused?.error as { message?: string } | undefined)?.message).toMatch(
      /exceeds the stdio limit of 10485760 bytes/,
    );
    expect(messages.find((m) => m.id === 3)).toMatchObject({ result: { structuredContent: { text: "n3" } } });
    expect(code).toBe(0);
  });
});
