/**
 * Router rules on a mesh of several processes: `max_concurrent` holds across three worker
 * processes and two routers, and `tokens_per_minute` is one bucket for two routers (the limiter
 * state is in NATS KV, changed by compare-and-set).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MeshCluster, startMeshCluster, task } from "../fixtures/mesh-cluster.js";
import type { MeshProcess } from "../fixtures/mesh-project.js";

let cluster: MeshCluster;

beforeAll(async () => {
  cluster = await startMeshCluster();
  for (let i = 0; i < 3; i++)
    cluster.start(["processor", "--config", cluster.project.processor, "--concurrency", "4"]);
  await cluster.registered((e) => e.worker_type === "slow_echo", 3);
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

async function routers(rules: string): Promise<MeshProcess[]> {
  const file = await cluster.project.rules(rules);
  const started = [cluster.start(["router", "--rules", file]), cluster.start(["router", "--rules", file])];
  await cluster.registered((e) => e.kind === "router" && started.some((p) => p.child.pid === e.pid), 2);
  return started;
}

describe("router rules shared by every router and worker process", () => {
  it("max_concurrent: 2 holds across 3 workers and 2 routers: of 6 slow tasks at once, 2 run and 4 are refused", async () => {
    const started = await routers("rate_limits:\n  local:\n    max_concurrent: 2\n");
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          cluster.dispatcher.dispatch(task("slow_echo", { id: `c${i}`, ms: 1500 }, { tier: "local" })),
        ),
      );
      const codes = results.map((r) => r.error?.code ?? r.status).sort();
      expect(codes).toEqual([
        "completed",
        "completed",
        "rate_limited",
        "rate_limited",
        "rate_limited",
        "rate_limited",
      ]);
    } finally {
      await Promise.all(started.map((p) => p.stop()));
    }
  }, 60_000);

  it("tokens_per_minute is one bucket for two routers: they never admit more than it holds", async () => {
    // Each task is estimated at ~250 tokens (its payload's JSON / 4): a 1,000-token bucket admits 4
    // (a processor reports no usage, so a finished task gives its charge back: they run long here).
    const started = await routers("rate_limits:\n  local:\n    tokens_per_minute: 1000\n");
    try {
      const padding = "x".repeat(960);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          cluster.dispatcher.dispatch(
            task("slow_echo", { id: `t${i}`, ms: 1500, pad: padding }, { tier: "local" }),
          ),
        ),
      );
      const admitted = results.filter((r) => r.status === "completed");
      const refused = results.filter((r) => r.error?.code === "rate_limited");
      expect(admitted.length).toBeGreaterThanOrEqual(3);
      expect(admitted.length).toBeLessThanOrEqual(4);
      expect(refused.length).toBe(12 - admitted.length);
      expect(refused[0]?.error?.details).toMatchObject({
        limit: "tokens_per_minute",
        retry_after_ms: expect.any(Number),
      });
    } finally {
      await Promise.all(started.map((p) => p.stop()));
    }
  }, 60_000);
});
