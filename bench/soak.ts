/**
 * A bounded soak of the gateway (issue #11): `npm run bench -- soak [--seconds 60] [--clients 200]`.
 * The built `loom mcp` serves the fault-injection project over streamable HTTP; clients of both
 * eras call well-behaved and misbehaving tools, cancel calls and drop connections mid-call for the
 * given time. Goals: the gateway never exits, every completed call got a result, and its RSS after
 * the clients leave is back within 10% of its RSS before they came.
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** The gateway's RSS after full garbage collections, read through bench/memory-probe.mjs. */
async function rssAfterGcMiB(pid: number, probeFile: string): Promise<number> {
  const lines = () => (existsSync(probeFile) ? readFileSync(probeFile, "utf8").trim().split("\n") : []);
  const seen = lines().length;
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; waited < 5000 && lines().length === seen; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const last = lines().at(-1);
  if (lines().length === seen || !last) throw new Error("the memory probe did not answer within 5 s");
  return (JSON.parse(last) as { rss: number }).rss / 1024 / 1024;
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
  await client?.endSession().catch(() => {});
}

/** Waits until the idle timeout has reaped the sessions of dropped connections (swept every few s). */
async function reapIdleSessions(idleSeconds: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, (idleSeconds + 6) * 1000));
}

export async function run(): Promise<BenchOutcome> {
  const seconds = flag("seconds", 60);
  const clients = flag("clients", 200);
  const config = await writeFaultProject();
  // Sessions of dropped connections are never ended by their client: the idle timeout reaps them.
  const idle = flag("session-idle-timeout", 5);
  const probeFile = path.join(tmpdir(), `loom-soak-memory-${process.pid}.jsonl`);
  const probe = path.resolve(import.meta.dirname, "memory-probe.mjs");
  const gateway = await startGatewayHttp(
    config,
    path.dirname(config),
    { LOOM_MEMORY_PROBE: probeFile, NODE_OPTIONS: `--expose-gc --import ${probe}` },
    // Every soak client comes from 127.0.0.1; the per-address limit is for hosts, not for these.
    ["--session-idle-timeout", String(idle), "--max-sessions-per-client", "0"],
  );
  const pid = gateway.child.pid as number;
  // Warm up with the same load for a few seconds, so one-time costs (compiled code, pools sized
  // by the peak concurrency) are in the baseline and the comparison shows only what the soak kept.
  const warmup = { calls: 0, results: 0, cancelled: 0, dropped: 0, failures: [] } as Counts;
  const warmupEnd = Date.now() + flag("warmup-seconds", 5) * 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => clientLoop(gateway.url, i, warmupEnd, warmup)));
  await reapIdleSessions(idle);
  const before = await rssAfterGcMiB(pid, probeFile);

  const counts: Counts = { calls: 0, results: 0, cancelled: 0, dropped: 0, failures: [...warmup.failures] };
  let peak = before;
  const sampler = setInterval(() => {
    if (gateway.child.exitCode === null) peak = Math.max(peak, rssMiB(pid));
  }, 500);
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => clientLoop(gateway.url, i, deadline, counts)));
  clearInterval(sampler);
  const crashed = gateway.child.exitCode !== null;
  await reapIdleSessions(idle);
  const after = crashed ? Number.NaN : await rssAfterGcMiB(pid, probeFile);
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
    "RSS before, after full GC (MiB)": before.toFixed(1),
    "RSS peak (MiB)": peak.toFixed(1),
    "RSS after, after full GC (MiB)": after.toFixed(1),
    "after / before": `${ratio.toFixed(2)}× (goal ≤ ${RSS_GOAL}×)`,
  });
  for (const failure of counts.failures.slice(0, 5)) console.log(`  failure: ${failure}`);
  return { passed: !crashed && counts.failures.length === 0 && ratio <= RSS_GOAL };
}
