/**
 * Measuring helpers of bench/mcp.ts: spawn a server (the gateway through `loom mcp`, or the bare
 * SDK server), connect a client over stdio or HTTP — the 1.x SDK client (`sdk-v1`, 2025-era, what
 * most assistants ship) or the v2 one (`client-v2`, which negotiates the 2026 protocol) — and time
 * calls carrying 1 KB of text.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioTransportV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** Which official client drives the calls. */
export type ClientKind = "sdk-v1" | "client-v2";

/** What the benchmark needs of either client. */
export interface BenchClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listTools(): Promise<unknown>;
  close(): Promise<void>;
}

/** The text every call carries: 1 KB, made unique per call by its suffix. */
export function payloadText(suffix: string): string {
  return `${"lorem ipsum ".repeat(84)}${suffix}`.slice(-1024);
}

/** How to start one server process. */
export interface ServerCommand {
  label: string;
  command: string;
  args: string[];
  cwd?: string;
}

const INFO = { name: "loom-bench", version: "1.0.0" };

/** A connected stdio client and its server's pid. */
export interface StdioConnection {
  client: BenchClient;
  pid: number;
  close(): Promise<void>;
}

/** Spawns `server` (stdio) and connects; resolves after the handshake. */
export async function connectStdio(server: ServerCommand, kind: ClientKind): Promise<StdioConnection> {
  const params = {
    command: server.command,
    args: server.args,
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: "ignore" as const,
    env: { ...(process.env as Record<string, string>), LOOM_LOG_LEVEL: "warn" },
  };
  if (kind === "sdk-v1") {
    const transport = new StdioTransportV1(params);
    const client = new ClientV1(INFO);
    await client.connect(transport);
    return { client, pid: transport.pid ?? -1, close: () => client.close() };
  }
  const transport = new StdioClientTransport(params);
  const client = new Client(INFO, { versionNegotiation: { mode: "auto" } });
  await client.connect(transport);
  return { client, pid: transport.pid ?? -1, close: () => client.close() };
}

/** A running HTTP server process. */
export interface HttpProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns an HTTP server that prints "... at <url>" on stderr once it listens. */
export async function startHttp(server: ServerCommand): Promise<HttpProcess> {
  const child: ChildProcess = spawn(server.command, server.args, {
    cwd: server.cwd,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LOOM_LOG_LEVEL: "warn" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = / at (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`${server.label} exited (${code}) before listening:\n${seen}`)),
    );
  });
  child.stderr?.resume();
  return {
    url,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Connects a client of `kind` to an HTTP endpoint. */
export async function connectHttp(url: string, kind: ClientKind): Promise<BenchClient> {
  if (kind === "sdk-v1") {
    const client = new ClientV1(INFO);
    await client.connect(new HttpTransportV1(new URL(url)));
    return client;
  }
  const client = new Client(INFO, { versionNegotiation: { mode: "auto" } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** One echo call; throws when the result is an error or does not echo. */
export async function echo(client: BenchClient, tool: string, text: string): Promise<void> {
  const result = (await client.callTool({ name: tool, arguments: { text } })) as {
    isError?: boolean;
    structuredContent?: unknown;
  };
  const structured = result.structuredContent as { text?: unknown } | undefined;
  if (result.isError || structured?.text !== text) {
    throw new Error(`echo through '${tool}' failed: ${JSON.stringify(result).slice(0, 300)}`);
  }
}

/** Per-call latencies (ms) of `count` sequential echo calls. */
export async function latencies(client: BenchClient, tool: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const text = payloadText(`ping ${i}`);
    const started = performance.now();
    await echo(client, tool, text);
    times.push(performance.now() - started);
  }
  return times;
}

/** Calls per second of `clients` concurrent HTTP clients making `callsEach` calls each. */
export async function throughput(
  url: string,
  tool: string,
  clients: number,
  callsEach: number,
  kind: ClientKind,
): Promise<number> {
  const connected = await Promise.all(Array.from({ length: clients }, () => connectHttp(url, kind)));
  try {
    const started = performance.now();
    await Promise.all(
      connected.map(async (client, c) => {
        for (let i = 0; i < callsEach; i += 1) await echo(client, tool, payloadText(`c${c} ${i}`));
      }),
    );
    return (clients * callsEach) / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(connected.map((c) => c.close()));
  }
}

/** CPU time (user + system) of a process's main thread so far, in ms (Linux /proc; 10 ms ticks). */
export async function mainThreadCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/task/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process, in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Milliseconds from spawning a stdio server to the answer of its first `tools/list`, measured
 * with raw JSON-RPC lines (a 2025 `initialize`, then `tools/list`), so that only the server is
 * timed: the SDK clients compile every listed tool's output schema, which would charge the
 * gateway's 28 tools to the client.
 */
export async function rawSpawnToFirstList(server: ServerCommand, expectTools: number): Promise<number> {
  const started = performance.now();
  const child = spawn(server.command, server.args, {
    cwd: server.cwd,
    stdio: ["pipe", "pipe", "ignore"],
    env: { ...process.env, LOOM_LOG_LEVEL: "warn" },
  });
  const send = (message: unknown) => child.stdin?.write(`${JSON.stringify(message)}\n`);
  const elapsed = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const message = JSON.parse(buffer.slice(0, nl)) as { id?: number; result?: { tools?: unknown[] } };
        buffer = buffer.slice(nl + 1);
        if (message.id === 1) {
          send({ jsonrpc: "2.0", method: "notifications/initialized" });
          send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
        } else if (message.id === 2) {
          const count = message.result?.tools?.length ?? 0;
          if (count !== expectTools)
            reject(new Error(`${server.label} listed ${count} tools, expected ${expectTools}`));
          resolve(performance.now() - started);
        }
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`${server.label} exited (${code}) before listing its tools`)),
    );
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "loom-bench", version: "1" },
      },
    });
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  await exited;
  return elapsed;
}
