/**
 * Production HTTP (issue 8): bearer auth, health endpoints, body limit, unknown and idle sessions,
 * the session cap and CORS — in-process with real clients and raw HTTP; then the built CLI: a
 * non-loopback bind without a token is refused, and SIGTERM lets a call in flight finish.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as HttpV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createToolServer,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
  silentLogger,
} from "../../src/mcp/index.js";
import { CLIENT_KINDS } from "../fixtures/mcp-clients.js";
import { echoTools, ToolProbe } from "../fixtures/mcp-echo-tools.js";
import { CLI, startGatewayHttp } from "../fixtures/mcp-gateway-process.js";
import { connectResourceClient } from "../fixtures/mcp-resource-clients.js";

const TOKEN = "test-token-0123456789";
let server: LoomMcpServer;
let http: HttpHandle;
let base: string;

/** POSTs a bare initialize from `localAddress` (any 127.x address is this machine); returns the session id. */
function initializeFrom(url: string, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: postHeaders, localAddress }, (response) => {
      response.resume();
      response.once("end", () => resolve(String(response.headers["mcp-session-id"] ?? response.statusCode)));
    });
    request.once("error", reject);
    request.end(JSON.stringify(initialize));
  });
}

async function sessionAlive(url: string, id: string): Promise<boolean> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...postHeaders, "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await response.body?.cancel();
  return response.status !== 404;
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const postHeaders = { "content-type": "application/json", accept: "application/json, text/event-stream" };

beforeAll(async () => {
  server = createToolServer({
    info: { name: "prod", version: "1.0.0" },
    tools: echoTools(new ToolProbe()),
    logger: silentLogger,
  });
  http = await runStreamableHttp(server, {
    port: 0,
    authToken: TOKEN,
    sessionIdleTimeoutMs: 300,
    maxSessions: 4,
    bodyLimitBytes: 2048,
    corsOrigins: ["https://app.example"],
  });
  base = http.url.replace(/\/mcp$/, "");
});

afterAll(async () => {
  await http.close();
  await server.close();
});

describe("auth", () => {
  it("answers 401 with a Bearer challenge to a request without or with a wrong token", async () => {
    const missing = await fetch(http.url, {
      method: "POST",
      headers: postHeaders,
      body: JSON.stringify(initialize),
    });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    const wrong = await fetch(http.url, {
      method: "POST",
      headers: { ...postHeaders, authorization: "Bearer nope" },
      body: JSON.stringify(initialize),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it.each(CLIENT_KINDS)("serves %s with the token, and refuses it without", async (kind) => {
    const client = await connectResourceClient(kind, http.url, TOKEN);
    expect((await client.callTool("echo", { text: "authorized" })).structuredContent).toEqual({
      text: "authorized",
    });
    await client.close();
    await expect(connectResourceClient(kind, http.url)).rejects.toThrow();
  });

  it("serves /healthz and /readyz without a token", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { gateway: { ok: true } } });
  });

  it("tells /readyz callers the tool count only with a valid token", async () => {
    const anonymous = (await (await fetch(`${base}/readyz`)).json()) as { checks: { gateway: object } };
    expect(anonymous.checks.gateway).toEqual({ ok: true });
    const wrong = await fetch(`${base}/readyz`, { headers: { authorization: "Bearer nope" } });
    expect(((await wrong.json()) as { checks: { gateway: object } }).checks.gateway).toEqual({ ok: true });
    const authed = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await authed.json()) as { checks: { gateway: object } }).checks.gateway).toEqual({
      ok: true,
      detail: `${server.tools.length} tools`,
    });
  });

  it("refuses at start a host that only looks like loopback, served without a token", async () => {
    for (const host of [
      "127.evil.invalid",
      "127.0.0.1.nip.io",
      "localhost.evil.invalid",
      "::ffff:10.0.0.1",
    ]) {
      await expect(runStreamableHttp(server, { host, port: 0 })).rejects.toThrow(/without an auth token/);
    }
  });

  it("refuses at start a token that no client could send (empty or with whitespace)", async () => {
    await expect(runStreamableHttp(server, { port: 0, authToken: "two words" })).rejects.toThrow(
      /whitespace/,
    );
    for (const authToken of ["", " "]) {
      await expect(runStreamableHttp(server, { port: 0, authToken })).rejects.toThrow(/empty/);
    }
  });
});

describe("limits and sessions", () => {
  const authed = { ...postHeaders, authorization: `Bearer ${TOKEN}` };

  it("answers 413 to a body over the limit", async () => {
    const big = { ...initialize, params: { ...initialize.params, padding: "x".repeat(4096) } };
    const response = await fetch(http.url, { method: "POST", headers: authed, body: JSON.stringify(big) });
    expect(response.status).toBe(413);
  });

  it("answers 413 with a JSON-RPC error to a chunked body over the limit", async () => {
    const { request } = await import("node:http");
    const url = new URL(http.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: authed },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      // No Content-Length: Node sends Transfer-Encoding: chunked.
      for (let i = 0; i < 8; i++) req.write("x".repeat(1024));
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      jsonrpc: "2.0",
      error: { message: /larger than 2048 bytes/ },
    });
  });

  it("answers 404 to an unknown session", async () => {
    const response = await fetch(http.url, {
      method: "POST",
      headers: { ...authed, "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(response.status).toBe(404);
  });

  it("closes an idle 2025-era session; its client then gets 404", async () => {
    const client = new ClientV1({ name: "idle", version: "1" });
    const transport = new HttpV1(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    });
    await client.connect(transport);
    const id = transport.sessionId;
    expect(id).toBeDefined();
    while (http.sessions > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    const response = await fetch(http.url, {
      method: "POST",
      headers: { ...authed, "mcp-session-id": id ?? "" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }),
    });
    expect(response.status).toBe(404);
    await client.close().catch(() => {});
  });

  it("answers CORS preflights for an allowed origin and exposes Mcp-Session-Id", async () => {
    const preflight = await fetch(http.url, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    const response = await fetch(http.url, {
      method: "POST",
      headers: { ...authed, origin: "https://app.example" },
      body: JSON.stringify(initialize),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(response.headers.get("access-control-expose-headers")).toContain("Mcp-Session-Id");
    const id = response.headers.get("mcp-session-id") ?? "";
    await response.body?.cancel();
    await fetch(http.url, { method: "DELETE", headers: { ...authed, "mcp-session-id": id } });
    const foreign = await fetch(http.url, {
      method: "POST",
      headers: { ...authed, origin: "https://evil.example" },
      body: JSON.stringify(initialize),
    });
    expect(foreign.status).toBe(403);
  });
});

describe("the built CLI", () => {
  let dir: string;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "loom-prod-cli-"));
    await mkdir(path.join(dir, "workers"));
    const backend = fileURLToPath(new URL("../fixtures/mcp-reload-backends.js", import.meta.url));
    await writeFile(
      path.join(dir, "workers/gate.yaml"),
      `name: gate
worker_kind: processor
processing_backend: "${backend}#GateBackend"
input_schema: { type: object, required: [text], properties: { text: { type: string }, gate: { type: string } } }
output_schema: { type: object, properties: { text: { type: string }, version: { type: integer } } }
`,
    );
    config = path.join(dir, "gateway.yaml");
    await writeFile(config, "name: prod-cli\ntools:\n  workers:\n    - config: workers/gate.yaml\n");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `loom mcp` on 0.0.0.0; resolves with its exit code and stderr once it exits or serves. */
  const bindAll = (env: Record<string, string>) => {
    const args = [
      CLI,
      "mcp",
      "--config",
      config,
      "--transport",
      "streamable-http",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
    ];
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    return new Promise<{ code: number | null; stderr: string }>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // One SIGTERM only: a second one means "exit at once" (code 130).
        if (stderr.includes("loom mcp: serving") && !child.killed) child.kill("SIGTERM");
      });
      child.once("exit", (code) => resolve({ code, stderr }));
    });
  };

  it("refuses to bind a non-loopback host without a token, saying how to set one", async () => {
    const refused = await bindAll({ LOOM_MCP_TOKEN: "" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to serve MCP on 0.0.0.0 without an auth token");
    expect(refused.stderr).toContain("--auth-token");
    expect(refused.stderr).toContain("LOOM_MCP_TOKEN");
    const served = await bindAll({ LOOM_MCP_TOKEN: TOKEN });
    expect(served.stderr).toMatch(/loom mcp: serving 'prod-cli' at http:\/\/0\.0\.0\.0:\d+\/mcp/);
    expect(served.code).toBe(0);
  });

  it("lets a call in flight finish on SIGTERM, then exits 0", async () => {
    const gateway = await startGatewayHttp(config, dir, { LOOM_MCP_TOKEN: TOKEN, LOOM_LOG_LEVEL: "info" });
    const client = await connectResourceClient("sdk-v1", gateway.url, TOKEN);
    const gate = path.join(dir, "gate-open");
    const pending = client.callTool("gate", { text: "drained", gate });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = gateway.stop();
    while (!gateway.stderr().includes("stopping")) await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(gate, "open");
    expect((await pending).structuredContent).toEqual({ text: "drained", version: 0 });
    expect(await stopped).toBe(0);
    await client.close().catch(() => {});
  });
});

describe("session exhaustion (issue #11)", () => {
  it("one client address holds at most --max-sessions-per-client sessions: its own oldest make room, others keep theirs", async () => {
    const gateway = await runStreamableHttp(server, { port: 0, maxSessions: 20, maxSessionsPerClient: 3 });
    try {
      const other = await initializeFrom(gateway.url, "127.0.0.3");
      const flood: string[] = [];
      for (let i = 0; i < 5; i += 1) flood.push(await initializeFrom(gateway.url, "127.0.0.2"));
      expect(flood.every((id) => id.length > 10)).toBe(true);
      const alive = await Promise.all(flood.map((id) => sessionAlive(gateway.url, id)));
      expect(alive).toEqual([false, false, true, true, true]);
      expect(await sessionAlive(gateway.url, other)).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it("a flood of bare initialize requests cannot lock clients out: the cap evicts, unconfirmed sessions expire", async () => {
    const gateway = await runStreamableHttp(server, {
      port: 0,
      maxSessions: 4,
      sessionIdleTimeoutMs: 60_000,
      unconfirmedSessionTimeoutMs: 400,
    });
    try {
      const bare = async () => {
        const response = await fetch(gateway.url, {
          method: "POST",
          headers: postHeaders,
          body: JSON.stringify(initialize),
        });
        expect(response.status).toBe(200);
        await response.body?.cancel();
        return response.headers.get("mcp-session-id") ?? "";
      };
      const flood: string[] = [];
      for (let i = 0; i < 10; i += 1) flood.push(await bare());
      // A real client still gets in at the cap; the oldest bare sessions were the ones evicted.
      const client = new ClientV1({ name: "real", version: "1" });
      await client.connect(new HttpV1(new URL(gateway.url)));
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      const evicted = await fetch(gateway.url, {
        method: "POST",
        headers: { ...postHeaders, "mcp-session-id": flood[0] ?? "", "mcp-protocol-version": "2025-06-18" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      });
      expect(evicted.status).toBe(404);
      // Bare sessions are gone well before the 60 s idle timeout; the real client's stays.
      while (gateway.sessions > 1) await new Promise((resolve) => setTimeout(resolve, 25));
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await gateway.close();
    }
  });
});
