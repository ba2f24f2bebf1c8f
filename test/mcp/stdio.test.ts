import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CLIENT_KINDS,
  connectStdio,
  logLevelsBeforeAndAfterDebug,
  type ProgressUpdate,
  resultText,
} from "../fixtures/mcp-clients.js";

const serverScript = fileURLToPath(new URL("../fixtures/mcp-echo-server.ts", import.meta.url));
const params = { command: process.execPath, args: ["--import", "tsx", serverScript] };

describe.each(CLIENT_KINDS)("mcp stdio (%s)", (kind) => {
  it("serves tools over stdio even when the server prints with console.log", async () => {
    const client = await connectStdio(kind, params);
    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("echo");
    const result = await client.callTool("echo", { text: "over stdio" });
    expect(result.structuredContent).toEqual({ text: "over stdio" });
    await client.close();
  });

  it("sends a client that set no level only warnings and above, and every level once it sets debug", async () => {
    const client = await connectStdio(kind, params);
    const seen = await logLevelsBeforeAndAfterDebug(client);
    // A 2026-era client names its level per request: without one it gets none.
    expect(seen.unset).toEqual(client.era === "legacy" ? ["warning"] : []);
    expect(seen.debug).toEqual(["debug", "info", "warning"]);
    await client.close();
  });

  it("reports progress and validation errors over stdio", async () => {
    const client = await connectStdio(kind, params);
    const updates: ProgressUpdate[] = [];
    await client.callTool("steps", { count: 2 }, { onprogress: (u) => updates.push(u) });
    expect(updates.map((u) => u.progress)).toEqual([1, 2]);
    const bad = await client.callTool("steps", { count: "two" });
    expect(bad.isError).toBe(true);
    expect(resultText(bad)).toContain("count: must be integer (got string)");
    await client.close();
  });
});

describe("mcp stdio output", () => {
  it("writes only JSON-RPC messages to stdout", async () => {
    const child = spawn(params.command, params.args, { stdio: ["pipe", "pipe", "pipe"] });
    const lines: string[] = [];
    const answered = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        lines.push(line);
        if (line.includes('"id":2')) resolve();
      });
    });
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "echo", arguments: { text: "raw" } },
    });
    await answered;
    child.stdin.end();
    await new Promise((resolve) => child.once("exit", resolve));
    expect(lines.length).toBe(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
  });
});
