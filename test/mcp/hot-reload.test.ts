/**
 * Hot reload (issue 8): the gateway watches its MCP config and the worker configs it loaded. A
 * valid edit reaches connected clients as tools/list_changed with the new tool; a broken edit keeps
 * the old tools serving and logs the issues with file:line:col; a call in flight finishes on the
 * version it started with. In-process over HTTP with both clients, and the built CLI over stdio.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createServer,
  type GatewayLogger,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
} from "../../src/mcp/index.js";
import { CLIENT_KINDS } from "../fixtures/mcp-clients.js";
import { gatewayStdioParams, startGatewayHttp } from "../fixtures/mcp-gateway-process.js";
import { connectResourceClient, type ResourceClient } from "../fixtures/mcp-resource-clients.js";
import { startNatsServer } from "../fixtures/nats-server.js";

const BACKEND = fileURLToPath(new URL("../fixtures/mcp-reload-backends.js", import.meta.url));

let dir: string;
let workerFile: string;
let mcpFile: string;

const worker = (description: string, version: number, extra = "") => `name: echo
description: "${description}"
worker_kind: processor
processing_backend: "${BACKEND}#GateBackend"
backend_config: { version: ${version} }
input_schema:
  type: object
  required: [text]
  properties: { text: { type: string }, gate: { type: string } }
output_schema:
  type: object
  required: [text, version]
  properties: { text: { type: string }, version: { type: integer } }
${extra}`;

async function writeProject(): Promise<void> {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-hot-reload-"));
  await mkdir(path.join(dir, "workers"));
  workerFile = path.join(dir, "workers/echo.yaml");
  mcpFile = path.join(dir, "gateway.yaml");
  await writeFile(workerFile, worker("first", 1));
  await writeFile(mcpFile, "name: reloading\ntools:\n  workers:\n    - config: workers/echo.yaml\n");
}

/** A logger that keeps what it was given. */
function recordingLogger(): GatewayLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (_data, message) => errors.push(message),
  };
}

const isToolsChanged = (n: { method: string }) => n.method === "notifications/tools/list_changed";

describe("hot reload over HTTP", () => {
  let server: LoomMcpServer;
  let http: HttpHandle;
  let logger: ReturnType<typeof recordingLogger>;
  let clients: ResourceClient[];

  beforeEach(async () => {
    await writeProject();
    logger = recordingLogger();
    server = await createServer(mcpFile, {
      watch: true,
      reloadDebounceMs: 50,
      logger,
      watchResources: false,
    });
    http = await runStreamableHttp(server, { port: 0 });
    clients = await Promise.all(CLIENT_KINDS.map((kind) => connectResourceClient(kind, http.url)));
    // Opens the 2026-era listen stream (tools list changes included); 2025 clients get them anyway.
    await Promise.all(clients.map((c) => c.subscribe("workspace:///none")));
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a changed description reaches every client as tools/list_changed and the new tool", async () => {
    expect((await clients[0]?.listTools())?.[0]?.description).toBe("first");
    await writeFile(workerFile, worker("second", 1));
    for (const client of clients) {
      await client.waitFor(isToolsChanged);
      expect((await client.listTools()).map((t) => [t.name, t.description])).toEqual([["echo", "second"]]);
    }
  });

  it("a broken config keeps the old tools serving and logs every issue with file:line:col", async () => {
    await writeFile(workerFile, `${worker("broken", 9)}timeout_seconds: "soon"\n`);
    while (logger.errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logger.errors[0]).toContain("config reload failed; still serving the previous 1 tools");
    expect(logger.errors[0]).toMatch(
      new RegExp(`${workerFile.replaceAll("/", "\\/")}:\\d+:\\d+ +timeout_seconds`),
    );
    for (const client of clients) {
      const result = await client.callTool("echo", { text: "still here" });
      expect(result.structuredContent).toEqual({ text: "still here", version: 1 });
      expect((await client.listTools())[0]?.description).toBe("first");
    }
    await writeFile(workerFile, worker("fixed", 2));
    for (const client of clients) await client.waitFor(isToolsChanged);
    expect(server.tools[0]?.description).toBe("fixed");
  });

  it("a tool removed from a config that was deleted and re-created answers 'unknown tool'", async () => {
    const otherFile = path.join(dir, "workers/other.yaml");
    await writeFile(otherFile, worker("other", 1).replace("name: echo", "name: other"));
    await writeFile(
      mcpFile,
      "name: reloading\ntools:\n  workers:\n    - config: workers/echo.yaml\n    - config: workers/other.yaml\n",
    );
    for (const client of clients) await client.waitFor(isToolsChanged);
    expect(server.tools.map((t) => t.name).sort()).toEqual(["echo", "other"]);
    // As `git checkout` does it: the file goes away (the reload fails, the old tools stay) and a
    // new file with the same name comes back.
    await rm(mcpFile);
    while (logger.errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(mcpFile, "name: reloading\ntools:\n  workers:\n    - config: workers/echo.yaml\n");
    while (server.tools.length !== 1) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const client of clients) {
      expect((await client.listTools()).map((t) => t.name)).toEqual(["echo"]);
      let text = "";
      try {
        const result = await client.callTool("other", { text: "gone" });
        expect(result.isError).toBe(true);
        text = JSON.stringify((result as { content?: unknown }).content);
      } catch (error) {
        text = String(error);
      }
      expect(text).toMatch(/unknown tool|not found/i);
    }
  });

  it("a call in flight during a reload finishes on the version it started with", async () => {
    const gate = path.join(dir, "gate");
    const [v1, v2] = clients as [ResourceClient, ResourceClient];
    const pending = [v1.callTool("echo", { text: "old", gate }), v2.callTool("echo", { text: "old", gate })];
    while (server.inFlight.size < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await writeFile(workerFile, worker("second", 2));
    await Promise.all(clients.map((c) => c.waitFor(isToolsChanged)));
    await writeFile(gate, "open");
    for (const result of await Promise.all(pending)) {
      expect(result.structuredContent).toEqual({ text: "old", version: 1 });
    }
    for (const client of clients) {
      expect((await client.callTool("echo", { text: "new" })).structuredContent).toEqual({
        text: "new",
        version: 2,
      });
    }
  });
});

describe("hot reload of the built CLI over stdio", () => {
  beforeAll(writeProject);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("both clients see tools/list_changed and the new description", async () => {
    const params = gatewayStdioParams(mcpFile, dir, { LOOM_LOG_LEVEL: "warn" });
    const env = { ...(process.env as Record<string, string>), ...params.env };
    const v1 = new ClientV1({ name: "t", version: "1" });
    let v1Changed: () => void = () => {};
    const v1Seen = new Promise<void>((resolve) => {
      v1Changed = resolve;
    });
    v1.setNotificationHandler(ToolListChangedNotificationSchema, () => v1Changed());
    await v1.connect(new StdioV1({ ...params, env, stderr: "ignore" }));
    const v2 = new ClientV2({ name: "t", version: "1" }, { versionNegotiation: { mode: "auto" } });
    let v2Changed: () => void = () => {};
    const v2Seen = new Promise<void>((resolve) => {
      v2Changed = resolve;
    });
    v2.setNotificationHandler("notifications/tools/list_changed", () => v2Changed());
    await v2.connect(new StdioV2({ ...params, env, stderr: "ignore" }));
    if (v2.getProtocolEra() === "modern") await v2.listen({ toolsListChanged: true });
    try {
      expect((await v1.listTools()).tools[0]?.description).toBe("first");
      await writeFile(workerFile, worker("from stdio", 3));
      await Promise.all([v1Seen, v2Seen]);
      expect((await v1.listTools()).tools[0]?.description).toBe("from stdio");
      expect((await v2.listTools()).tools[0]?.description).toBe("from stdio");
      const result = await v2.callTool({ name: "echo", arguments: { text: "hi" } });
      expect(result.structuredContent).toEqual({ text: "hi", version: 3 });
    } finally {
      await Promise.all([v1.close(), v2.close()]);
    }
  });
});

describe("hot reload of gateway replicas on the mesh", () => {
  beforeAll(writeProject);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a config change reaches the clients of every replica as tools/list_changed", async () => {
    await using nats = await startNatsServer();
    const replicas = await Promise.all(
      [0, 1].map(() => startGatewayHttp(mcpFile, dir, { LOOM_LOG_LEVEL: "warn" }, ["--nats-url", nats.url])),
    );
    const clients = await Promise.all(
      replicas.flatMap((replica) => CLIENT_KINDS.map((kind) => connectResourceClient(kind, replica.url))),
    );
    try {
      await Promise.all(clients.map((c) => c.subscribe("workspace:///none")));
      await writeFile(workerFile, worker("from both replicas", 4));
      await Promise.all(clients.map((c) => c.waitFor(isToolsChanged)));
      for (const client of clients) {
        expect((await client.listTools())[0]?.description).toBe("from both replicas");
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(replicas.map((r) => r.stop()));
    }
  }, 60_000);
});
