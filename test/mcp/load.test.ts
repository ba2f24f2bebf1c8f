/**
 * Load (issue 8): 100 concurrent 2025-era HTTP sessions × 50 calls of a processor-worker tool
 * through the real gateway: zero errors, every session and server instance released after the
 * clients close, and the heap back near where it started.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createServer,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
  silentLogger,
} from "../../src/mcp/index.js";

const SESSIONS = 100;
const CALLS = 50;
const BACKEND = fileURLToPath(new URL("../fixtures/mcp-backends.js", import.meta.url));

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let dir: string;
let server: LoomMcpServer;
let http: HttpHandle;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-load-"));
  await mkdir(path.join(dir, "workers"));
  await writeFile(
    path.join(dir, "workers/echo.yaml"),
    `name: echo
worker_kind: processor
processing_backend: "${BACKEND}#EchoBackend"
input_schema: { type: object, required: [text], properties: { text: { type: string } } }
output_schema: { type: object, required: [text, length], properties: { text: { type: string }, length: { type: integer } } }
`,
  );
  await writeFile(
    path.join(dir, "gateway.yaml"),
    "name: load\ntools:\n  workers:\n    - config: workers/echo.yaml\n",
  );
  server = await createServer(path.join(dir, "gateway.yaml"), { logger: silentLogger });
  http = await runStreamableHttp(server, { port: 0 });
});

afterAll(async () => {
  await http.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function session(id: number, calls: number): Promise<number> {
  const client = new ClientV1({ name: `load-${id}`, version: "1" });
  const transport = new HttpV1(new URL(http.url));
  await client.connect(transport);
  let errors = 0;
  try {
    for (let i = 0; i < calls; i += 1) {
      const text = `session ${id} call ${i}`;
      const result = await client.callTool({ name: "echo", arguments: { text } });
      if (result.isError || (result.structuredContent as { text?: string }).text !== text) errors += 1;
    }
  } finally {
    await transport.terminateSession();
    await client.close();
  }
  return errors;
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

describe("load", () => {
  it(`${SESSIONS} concurrent sessions × ${CALLS} calls: no errors, and everything released after`, {
    timeout: 180_000,
  }, async () => {
    // Warm up (module loads, compiled schemas, JIT, buffer pools), then take the baseline.
    const warm = await Promise.all(Array.from({ length: 20 }, (_, id) => session(-1 - id, 10)));
    expect(warm.reduce((a, b) => a + b, 0)).toBe(0);
    while (http.sessions > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = await settledHeap();

    const errors = await Promise.all(Array.from({ length: SESSIONS }, (_, id) => session(id, CALLS)));
    expect(errors.reduce((a, b) => a + b, 0)).toBe(0);

    // Each client ends its session (DELETE); every instance is released.
    while (http.sessions > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.connections).toBe(0);
    expect(server.inFlight.size).toBe(0);
    const after = await settledHeap();
    const grownMiB = (after - before) / 1024 / 1024;
    console.error(
      `load: heap ${(before / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after`,
    );
    expect(grownMiB).toBeLessThan(10);
  });
});
