/**
 * MCP gateway benchmark (issues 8 and 18). In one run, `loom mcp` (built, from dist/) serving 20
 * processor workers, 3 pipelines and 5 DuckDB query tools, against a bare server built with the
 * same SDK exposing one echo tool (bench/_mcp-bare-server.mjs). Every call carries 1 KB of text.
 * Driven by the official 1.x SDK client (2025-era, what most assistants ship; it never sets a log
 * level) and by the v2 client (which negotiates the 2026 protocol):
 *
 * 1. p50 latency of an echo call (gateway: a processor worker), stdio (goal ≤ 1.10×) and HTTP
 *    (≤ 1.15×); over stdio also the main-thread CPU per call of each server (shown, no goal).
 * 2. Throughput of 32 concurrent HTTP clients. Goal ≥ 0.95×.
 * 3. Spawn → first tools/list over stdio (raw JSON-RPC, so only the server is timed). Goal ≤ 1.5×.
 * 4. Idle RSS after start-up and one tools/list. Goal ≤ 1.5×.
 *
 * Gateway and baseline alternate in rounds, so drift on the machine hits both. Needs `npm run build`.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchProject, writeBenchProject } from "./_mcp-fixture.js";
import {
  type ClientKind,
  connectHttp,
  connectStdio,
  latencies,
  mainThreadCpuMs,
  rawSpawnToFirstList,
  rssMiB,
  type ServerCommand,
  type StdioConnection,
  startHttp,
  throughput,
} from "./_mcp-measure.js";
import { median } from "./_stats.js";
import type { BenchOutcome } from "./run.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = 5;
const STDIO_ROUNDS = 10;
const CALLS_PER_ROUND = 200;
const WARMUP_CALLS = 100;
const CLIENTS = 32;
const CALLS_PER_CLIENT = 40;

interface Row {
  metric: string;
  gateway: number;
  bare: number;
  unit: string;
  goal: string;
  /** Whether the ratio meets the goal; rows without one are shown for context. */
  ok?: (ratio: number) => boolean;
}

function commands(project: BenchProject): {
  gateway: (http: boolean) => ServerCommand;
  bare: (http: boolean) => ServerCommand;
} {
  const cli = path.join(repo, "dist/cli/main.js");
  return {
    gateway: (http) => ({
      label: "loom mcp",
      command: process.execPath,
      args: [
        cli,
        "mcp",
        "--config",
        project.mcpConfig,
        ...(http ? ["--transport", "streamable-http", "--port", "0"] : []),
      ],
      cwd: project.dir,
    }),
    bare: (http) => ({
      label: "bare SDK server",
      command: process.execPath,
      args: [path.join(repo, "bench/_mcp-bare-server.mjs"), http ? "http" : "stdio"],
      cwd: repo,
    }),
  };
}

const CLIENT_KINDS: readonly ClientKind[] = ["sdk-v1", "client-v2"];

interface StdioSide {
  times: number[];
  /** Main-thread CPU per call, µs. */
  cpuUs: number;
  rss: number;
}

/**
 * Latency over stdio of the gateway and the bare server, both connected, in alternating rounds so
 * that drift on the machine hits both; also the main-thread CPU each spends per call.
 */
async function stdioLatencies(
  servers: { gateway: ServerCommand; bare: ServerCommand },
  kind: ClientKind,
): Promise<{ gateway: StdioSide; bare: StdioSide }> {
  const gateway = await connectStdio(servers.gateway, kind);
  const bare = await connectStdio(servers.bare, kind);
  try {
    const measured: { gateway: StdioSide; bare: StdioSide } = {
      gateway: { times: [], cpuUs: 0, rss: 0 },
      bare: { times: [], cpuUs: 0, rss: 0 },
    };
    const sides: { connection: StdioConnection; side: StdioSide }[] = [
      { connection: gateway, side: measured.gateway },
      { connection: bare, side: measured.bare },
    ];
    for (const { connection, side } of sides) {
      await connection.client.listTools();
      side.rss = await rssMiB(connection.pid);
      await latencies(connection.client, "echo", WARMUP_CALLS);
    }
    for (let round = 0; round < STDIO_ROUNDS; round += 1) {
      for (const { connection, side } of sides) {
        const cpuBefore = await mainThreadCpuMs(connection.pid);
        side.times.push(...(await latencies(connection.client, "echo", CALLS_PER_ROUND)));
        side.cpuUs += ((await mainThreadCpuMs(connection.pid)) - cpuBefore) * 1000;
      }
    }
    for (const { side } of sides) side.cpuUs /= STDIO_ROUNDS * CALLS_PER_ROUND;
    return measured;
  } finally {
    await Promise.all([gateway.close(), bare.close()]);
  }
}

/** Runs the benchmark and prints one row per metric with its ratio and goal. */
export async function run(): Promise<BenchOutcome> {
  if (!existsSync(path.join(repo, "dist/cli/main.js"))) {
    throw new Error("bench mcp runs the built CLI: run `npm run build` first");
  }
  const project = await writeBenchProject(repo);
  const { gateway, bare } = commands(project);
  const rows: Row[] = [];
  try {
    // Spawn → first tools/list (the first gateway start also creates the sample database).
    await rawSpawnToFirstList(gateway(false), project.toolCount);
    const spawnGateway: number[] = [];
    const spawnBare: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      spawnGateway.push(await rawSpawnToFirstList(gateway(false), project.toolCount));
      spawnBare.push(await rawSpawnToFirstList(bare(false), 1));
    }

    const atMost = (goal: number) => (ratio: number) => ratio <= goal;
    let rss = { gateway: 0, bare: 0 };
    for (const kind of CLIENT_KINDS) {
      const stdio = await stdioLatencies({ gateway: gateway(false), bare: bare(false) }, kind);
      if (kind === "sdk-v1") rss = { gateway: stdio.gateway.rss, bare: stdio.bare.rss };

      const httpGateway = await startHttp(gateway(true));
      const httpBare = await startHttp(bare(true));
      const httpTimes = { gateway: [] as number[], bare: [] as number[] };
      const rates = { gateway: [] as number[], bare: [] as number[] };
      try {
        const clients = {
          gateway: await connectHttp(httpGateway.url, kind),
          bare: await connectHttp(httpBare.url, kind),
        };
        await latencies(clients.gateway, "echo", WARMUP_CALLS);
        await latencies(clients.bare, "echo", WARMUP_CALLS);
        for (let round = 0; round < ROUNDS; round += 1) {
          httpTimes.gateway.push(...(await latencies(clients.gateway, "echo", CALLS_PER_ROUND)));
          httpTimes.bare.push(...(await latencies(clients.bare, "echo", CALLS_PER_ROUND)));
        }
        await Promise.all([clients.gateway.close(), clients.bare.close()]);
        for (let round = 0; round < 3; round += 1) {
          rates.gateway.push(await throughput(httpGateway.url, "echo", CLIENTS, CALLS_PER_CLIENT, kind));
          rates.bare.push(await throughput(httpBare.url, "echo", CLIENTS, CALLS_PER_CLIENT, kind));
        }
      } finally {
        await Promise.all([httpGateway.stop(), httpBare.stop()]);
      }
      rows.push(
        {
          metric: `p50 latency, stdio (${kind})`,
          gateway: median(stdio.gateway.times),
          bare: median(stdio.bare.times),
          unit: "ms",
          goal: "≤ 1.10×",
          ok: atMost(1.1),
        },
        {
          metric: `main-thread CPU per call, stdio (${kind})`,
          gateway: stdio.gateway.cpuUs,
          bare: stdio.bare.cpuUs,
          unit: "µs",
          goal: "(shown)",
        },
        {
          metric: `p50 latency, HTTP (${kind})`,
          gateway: median(httpTimes.gateway),
          bare: median(httpTimes.bare),
          unit: "ms",
          goal: "≤ 1.15×",
          ok: atMost(1.15),
        },
        {
          metric: `throughput, ${CLIENTS} HTTP clients (${kind})`,
          gateway: median(rates.gateway),
          bare: median(rates.bare),
          unit: "calls/s",
          goal: "≥ 0.95×",
          ok: (r) => r >= 0.95,
        },
      );
    }
    rows.push(
      {
        metric: "spawn → first tools/list",
        gateway: median(spawnGateway),
        bare: median(spawnBare),
        unit: "ms",
        goal: "≤ 1.5×",
        ok: atMost(1.5),
      },
      {
        metric: "idle RSS",
        gateway: rss.gateway,
        bare: rss.bare,
        unit: "MiB",
        goal: "≤ 1.5×",
        ok: atMost(1.5),
      },
    );
  } finally {
    await rm(project.dir, { recursive: true, force: true });
  }

  console.log(
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(
    `gateway: ${project.toolCount} tools (20 workers, 3 pipelines, 5 query tools); baseline: 1 echo tool`,
  );
  const table = rows.map((row) => {
    const ratio = row.gateway / row.bare;
    return {
      metric: row.metric,
      gateway: `${row.gateway.toFixed(2)} ${row.unit}`,
      bare: `${row.bare.toFixed(2)} ${row.unit}`,
      ratio: `${ratio.toFixed(2)}×`,
      goal: row.goal,
      met: row.ok ? (row.ok(ratio) ? "yes" : "NO") : "—",
    };
  });
  console.table(table);
  return { passed: rows.every((row) => row.ok?.(row.gateway / row.bare) ?? true) };
}
