/**
 * A bounded soak of the gateway (issue #11): `npm run bench -- soak [--seconds 60] [--clients 200]`.
 * The built `loom mcp` serves the fault-injection project over streamable HTTP; clients of both
 * eras call well-behaved and misbehaving tools, cancel calls and drop connections mid-call for the
 * given time. Goals: the gateway never exits, every completed call got a result, and its RSS after
 * the clients leave is back within 10% of its RSS before they came.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { writeFaultProject } from "../test/fixtures/fault-project.js";
import { CLIENT_KINDS, connectHttp, type TestClient } from "../test/fixtures/mcp-clients.js";
import { startGatewayHttp } from "../test/fixtures/mcp-gateway-process.js";
import type { BenchOutcome } from "./run.js";

const RSS_GOAL = 1.1;
const TOOLS = ["ok", "ok", "ok", "throws", "bigint", "unhandled_rejection", "throws_in_callback", "exits"];

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

interface Counts {
  calls: number;
  results: number;
  cancelled: number;
  dropped: number;
  failures: string[];
}

/** One client's loop until `deadline`: calls, cancellations, and a dropped connection now and then. */
async function clientLoop(url: string, index: number, deadline: number, counts: Counts): Promise<void> {
  const kind = CLIENT_KINDS[index % CLIENT_KINDS.length] ?? "client-v2";
  let client: TestClient | undefined;
  for (let round = 0; Date.now() < deadline; round++) {
    client ??= await connectHttp(kind, url);
    const tool = TOOLS[(index + round) % TOOLS.length] ?? "ok";
    const roll = (index * 7 + round * 13) % 20;
    counts.calls++;
    if (roll === 0) {
      // Drop the connection with the call in flight.
      void client.callTool("rejects_after_cancel", { text: "x" }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      await client.close().catch(() => {});
      client = undefined;
      counts.dropped++;
      continue;
    }
    const controller = new AbortController();
    if (roll === 1) setTimeout(() => controller.abort(), 10);
    try {
      await client.callTool(
        roll === 1 ? "rejects_after_cancel" : tool,
        { text: `soak ${index}` },
        {
          signal: controller.signal,
          timeoutMs: 30_000,
        },
      );
      counts.results++;
    } catch (error) {
      if (controller.signal.aborted) counts.cancelled++;
      else counts.failures.push(String(error));
    }
  }
  await client?.close().catch(() => {});
}

export async function run(): Promise<BenchOutcome> {
  const seconds = flag("seconds", 60);
  const clients = flag("clients", 200);
  const config = await writeFaultProject();
  const idle = flag("session-idle-timeout", 0);
  const gateway = await startGatewayHttp(
    config,
    path.dirname(config),
    {},
    idle > 0 ? ["--session-idle-timeout", String(idle)] : [],
  );
  const pid = gateway.child.pid as number;
  // Warm up: one client through every tool, then the baseline.
  const warm = await connectHttp("client-v2", gateway.url);
  for (const tool of new Set(TOOLS)) await warm.callTool(tool, { text: "warm" }).catch(() => {});
  await warm.close();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = rssMiB(pid);

  const counts: Counts = { calls: 0, results: 0, cancelled: 0, dropped: 0, failures: [] };
  let peak = before;
  const sampler = setInterval(() => {
    if (gateway.child.exitCode === null) peak = Math.max(peak, rssMiB(pid));
  }, 500);
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => clientLoop(gateway.url, i, deadline, counts)));
  clearInterval(sampler);
  const crashed = gateway.child.exitCode !== null;
  // Let idle sessions, timers and the heap settle before measuring again.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const after = crashed ? Number.NaN : rssMiB(pid);
  const exitCode = await gateway.stop();

  const ratio = after / before;
  console.log(`soak: ${clients} clients for ${seconds} s against loom mcp (streamable HTTP, fault tools)`);
  console.table({
    calls: counts.calls,
    "results received": counts.results,
    "cancelled by the client": counts.cancelled,
    "connections dropped mid-call": counts.dropped,
    "calls that failed at the client": counts.failures.length,
    "gateway crashed": crashed ? "yes" : "no",
    "exit code on SIGTERM": exitCode,
    "RSS before (MiB)": before.toFixed(1),
    "RSS peak (MiB)": peak.toFixed(1),
    "RSS after (MiB)": after.toFixed(1),
    "after / before": `${ratio.toFixed(2)}× (goal ≤ ${RSS_GOAL}×)`,
  });
  for (const failure of counts.failures.slice(0, 5)) console.log(`  failure: ${failure}`);
  return { passed: !crashed && counts.failures.length === 0 && ratio <= RSS_GOAL };
}
