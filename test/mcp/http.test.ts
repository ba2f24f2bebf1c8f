import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createToolServer,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
  silentLogger,
} from "../../src/mcp/index.js";
import {
  CLIENT_KINDS,
  connectHttp,
  logLevelsBeforeAndAfterDebug,
  type ProgressUpdate,
  resultText,
} from "../fixtures/mcp-clients.js";
import { echoTools, ToolProbe } from "../fixtures/mcp-echo-tools.js";
import { openLegacySession } from "../fixtures/raw-http.js";

let server: LoomMcpServer;
let http: HttpHandle;
let probe: ToolProbe;

beforeAll(async () => {
  probe = new ToolProbe();
  server = createToolServer({
    info: { name: "echo-server", version: "1.0.0" },
    tools: echoTools(probe),
    logger: silentLogger,
    heartbeatMs: 30,
  });
  http = await runStreamableHttp(server, { port: 0 });
});

afterAll(async () => {
  await http.close();
  await server.close();
});

describe.each(CLIENT_KINDS)("mcp http (%s)", (kind) => {
  it("negotiates the era the client supports", async () => {
    const client = await connectHttp(kind, http.url);
    expect(client.era).toBe(kind === "client-v2" ? "modern" : "legacy");
    await client.close();
  });

  it("lists tools with their schemas verbatim and their hints", async () => {
    const client = await connectHttp(kind, http.url);
    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["echo", "steps", "wait", "fail", "explode"]);
    const echo = tools.find((t) => t.name === "echo");
    expect(echo?.inputSchema).toEqual({
      type: "object",
      required: ["text"],
      properties: { text: { type: "string", minLength: 1 } },
      additionalProperties: false,
    });
    expect(echo?.outputSchema).toMatchObject({ required: ["text"] });
    expect(echo?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    await client.close();
  });

  it("returns structured output plus the same JSON as text", async () => {
    const client = await connectHttp(kind, http.url);
    const result = await client.callTool("echo", { text: "hello" });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ text: "hello" });
    expect(JSON.parse(resultText(result))).toEqual({ text: "hello" });
    await client.close();
  });

  it("rejects bad arguments before running, naming each field", async () => {
    const client = await connectHttp(kind, http.url);
    const result = await client.callTool("echo", { text: 5, extra: true });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain("text: must be string (got number 5)");
    expect(resultText(result)).toContain("extra: is not allowed");
    await client.close();
  });

  it("turns failures and thrown errors into isError results with a code", async () => {
    const client = await connectHttp(kind, http.url);
    const failed = await client.callTool("fail", {});
    expect(failed.isError).toBe(true);
    expect(resultText(failed)).toBe("backend_error: the backend is down (tried http://127.0.0.1:9)");
    expect(failed._meta?.["loom/error"]).toMatchObject({ code: "backend_error" });
    const thrown = await client.callTool("explode", {});
    expect(thrown.isError).toBe(true);
    expect(resultText(thrown)).toMatch(/^internal: .*kaboom/);
    await client.close();
  });

  it("sends increasing progress with the total when the client asks", async () => {
    const client = await connectHttp(kind, http.url);
    const updates: ProgressUpdate[] = [];
    const result = await client.callTool("steps", { count: 3 }, { onprogress: (u) => updates.push(u) });
    expect(result.structuredContent).toEqual({ steps: 3 });
    expect(updates.map((u) => u.progress)).toEqual([1, 2, 3]);
    expect(updates.every((u) => u.total === 3)).toBe(true);
    expect(updates[2]?.message).toBe("step 3 of 3");
    await client.close();
  });

  it("sends heartbeats while a call runs", async () => {
    const client = await connectHttp(kind, http.url);
    const updates: ProgressUpdate[] = [];
    // The waiting tool is released by the second heartbeat: no heartbeat, no result.
    const released = client.callTool(
      "wait",
      {},
      {
        onprogress: (u) => {
          updates.push(u);
          if (updates.filter((x) => x.message?.includes("still running")).length === 2) probe.release();
        },
      },
    );
    const result = await released;
    expect(result.structuredContent).toEqual({ released: true });
    const values = updates.map((u) => u.progress);
    expect(values.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < values.length; i += 1) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
    await client.close();
  });

  it("delivers logs at the client's level and above", async () => {
    const client = await connectHttp(kind, http.url);
    await client.setLogLevel("info");
    await client.callTool("steps", { count: 2 }, { onprogress: () => {} });
    const messages = client.logs.map((l) => JSON.stringify(l.data));
    expect(messages.some((m) => m.includes("step 2 of 2 done"))).toBe(true);
    expect(messages.some((m) => m.includes("debug detail"))).toBe(false);
    expect(new Set(client.logs.map((l) => l.level))).toEqual(new Set(["info", "warning"]));
    await client.close();
  });

  it("sends a client that set no level only warnings and above, and every level once it sets debug", async () => {
    const client = await connectHttp(kind, http.url);
    const seen = await logLevelsBeforeAndAfterDebug(client);
    // A 2026-era client names its level per request: without one it gets none.
    expect(seen.unset).toEqual(client.era === "legacy" ? ["warning"] : []);
    expect(seen.debug).toEqual(["debug", "info", "warning"]);
    await client.close();
  });
});

describe("mcp http cancellation", () => {
  it.each(CLIENT_KINDS)("aborts the running tool when the %s client cancels", async (kind) => {
    const client = await connectHttp(kind, http.url);
    const before = probe.cancelled.length;
    const controller = new AbortController();
    const call = client.callTool(
      "wait",
      {},
      { signal: controller.signal, onprogress: () => controller.abort() },
    );
    await expect(call).rejects.toThrow();
    await probe.whenCancelled(before);
    expect(probe.cancelled.length).toBe(before + 1);
    await client.close();
  });
});

describe("mcp http disconnects", () => {
  it("a 2025-era client that hangs up mid-call cancels the running tool", async () => {
    const session = await openLegacySession(http.url);
    const before = probe.cancelled.length;
    const hangUp = new AbortController();
    const call = await fetch(http.url, {
      method: "POST",
      headers: session,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "wait", arguments: {}, _meta: { progressToken: "p" } },
      }),
      signal: hangUp.signal,
    });
    // The first progress note says the tool is running; then the client goes away.
    const reader = call.body?.getReader();
    await reader?.read();
    hangUp.abort();
    await reader?.cancel().catch(() => {});
    await probe.whenCancelled(before);
    expect(probe.cancelled.length).toBe(before + 1);
  });
});

describe("mcp http shutdown", () => {
  it.each(CLIENT_KINDS)(
    "a %s call still running when the drain times out gets an error result",
    async (kind) => {
      const own = createToolServer({
        info: { name: "drain", version: "1.0.0" },
        tools: echoTools(new ToolProbe()),
        logger: silentLogger,
      });
      const gateway = await runStreamableHttp(own, { port: 0, drainTimeoutMs: 200 });
      const client = await connectHttp(kind, gateway.url);
      let started: () => void = () => {};
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const call = client.callTool("wait", {}, { onprogress: () => started() });
      await running;
      await gateway.close();
      const result = await call;
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/the gateway is shutting down/);
      await client.close().catch(() => {});
      await own.close();
    },
  );
});

describe("mcp http request checks", () => {
  const initialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });
  const post = (headers: Record<string, string>, path = "/mcp") =>
    fetch(new URL(path, http.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: initialize,
    });

  it("refuses a foreign Host with 403 (DNS rebinding)", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(http.url, {
        method: "POST",
        headers: { host: "evil.example.com", "content-type": "application/json" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.end(initialize);
    });
    expect(status).toBe(403);
  });

  it("refuses a foreign Origin with 403 (DNS rebinding)", async () => {
    const response = await post({ origin: "http://evil.example.com" });
    expect(response.status).toBe(403);
  });

  it("accepts a localhost Origin", async () => {
    const response = await post({ origin: "http://localhost:3000" });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it("answers 404 outside the endpoint path and 415 for a non-JSON body", async () => {
    expect((await post({}, "/other")).status).toBe(404);
    expect((await post({ "content-type": "text/plain" })).status).toBe(415);
  });

  it("answers 404 for an unknown session id", async () => {
    const response = await post({ "mcp-session-id": "no-such-session" });
    expect(response.status).toBe(404);
  });
});
