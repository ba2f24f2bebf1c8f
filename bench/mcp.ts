/**
 * MCP gateway benchmark (issue 8). In one run, `loom mcp` (built, from dist/) serving 20 processor
 * workers, 3 pipelines and 5 DuckDB query tools, against a bare server built with the same SDK
 * exposing one echo tool (bench/_mcp-bare-server.mjs), both driven by the v2 client:
 *
 * 1. p50 latency of an echo call, stdio and HTTP (gateway: a processor worker). Goal ≤ 1.15×.
 * 2. Throughput of 32 concurrent HTTP clients. Goal ≥ 0.9×.
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
  connectHttp,
  connectStdio,
  latencies,
  median,
  rawSpawnToFirstList,
  rssMiB,
  type ServerCommand,
  startHttp,
  throughput,
} from "./_mcp-measure.js";
import type { BenchOutcome } from "./run.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = 5;
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
  ok: (ratio: number) => boolean;
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

async function stdioLatency(server: ServerCommand, tool: string): Promise<{ times: number[]; rss: number }> {
  const connection = await connectStdio(server);
  try {
    await connection.client.listTools();
    const rss = await rssMiB(connection.pid);
    await latencies(connection.client, tool, WARMUP_CALLS);
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      times.push(...(await latencies(connection.client, tool, CALLS_PER_ROUND)));
    }
    return { times, rss };
  } finally {
    await connection.close();
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

    // stdio latency and idle RSS.
    const gatewayStdio = await stdioLatency(gateway(false), "echo");
    const bareStdio = await stdioLatency(bare(false), "echo");

    // HTTP latency and throughput.
    const httpGateway = await startHttp(gateway(true));
    const httpBare = await startHttp(bare(true));
    const httpTimes = { gateway: [] as number[], bare: [] as number[] };
    const rates = { gateway: [] as number[], bare: [] as number[] };
    try {
      const clients = { gateway: await connectHttp(httpGateway.url), bare: await connectHttp(httpBare.url) };
      await latencies(clients.gateway, "echo", WARMUP_CALLS);
      await latencies(clients.bare, "echo", WARMUP_CALLS);
      for (let round = 0; round < ROUNDS; round += 1) {
        httpTimes.gateway.push(...(await latencies(clients.gateway, "echo", CALLS_PER_ROUND)));
        httpTimes.bare.push(...(await latencies(clients.bare, "echo", CALLS_PER_ROUND)));
      }
      await Promise.all([clients.gateway.close(), clients.bare.close()]);
      for (let round = 0; round < 3; round += 1) {
        rates.gateway.push(await throughput(httpGateway.url, "echo", CLIENTS, CALLS_PER_CLIENT));
        rates.bare.push(await throughput(httpBare.url, "echo", CLIENTS, CALLS_PER_CLIENT));
      }
    } finally {
      await Promise.all([httpGateway.stop(), httpBare.stop()]);
    }

    const atMost = (goal: number) => (ratio: number) => ratio <= goal;
    rows.push(
      {
        metric: "p50 latency, stdio",
        gateway: median(gatewayStdio.times),
        bare: median(bareStdio.times),
        unit: "ms",
        goal: "≤ 1.15×",
        ok: atMost(1.15),
      },
      {
        metric: "p50 latency, HTTP",
        gateway: median(httpTimes.gateway),
        bare: median(httpTimes.bare),
        unit: "ms",
        goal: "≤ 1.15×",
        ok: atMost(1.15),
      },
      {
        metric: `throughput, ${CLIENTS} HTTP clients`,
        gateway: median(rates.gateway),
        bare: median(rates.bare),
        unit: "calls/s",
        goal: "≥ 0.9×",
        ok: (r) => r >= 0.9,
      },
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
        gateway: gatewayStdio.rss,
        bare: bareStdio.rss,
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
      met: row.ok(ratio) ? "yes" : "NO",
    };
  });
  console.table(table);
  return { passed: rows.every((row) => row.ok(row.gateway / row.bare)) };
}
