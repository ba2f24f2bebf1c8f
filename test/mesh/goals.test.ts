/**
 * Goals on the mesh as users run them: `loom pipeline` orchestrators, `loom submit`, checkpoints
 * and resume after an orchestrator is killed, and max_concurrent_goals per orchestrator.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureMesh, type Mesh } from "../../src/bus/streams.js";
import { NatsGoalRunner } from "../../src/mesh/nats-goal-runner.js";
import { readRegistry } from "../../src/mesh/registry.js";
import { CLI, type MeshProcess, type MeshProject, meshProject, startLoom } from "../fixtures/mesh-project.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";
import { startRedisServer } from "../fixtures/redis-server.js";

const run = promisify(execFile);

let nats: NatsServerHandle;
let project: MeshProject;
let nc: NatsConnection;
let mesh: Mesh;
let shared: MeshProcess[] = [];
const extra: MeshProcess[] = [];

function start(args: string[]): MeshProcess {
  return startLoom([...args, "--nats-url", nats.url], project.dir);
}

async function registered(kind: string, count: number): Promise<void> {
  const until = Date.now() + 15_000;
  while ((await readRegistry(mesh.registry)).filter((e) => e.kind === kind).length < count) {
    if (Date.now() > until) throw new Error(`fewer than ${count} ${kind} processes registered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function context(id: string, ms: number) {
  return { id, ms, log: path.join(project.dir, `${id}.log`), spans: path.join(project.dir, "spans.log") };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean);
}

beforeAll(async () => {
  nats = await startNatsServer();
  project = await meshProject("http://127.0.0.1:9");
  nc = await connect({ servers: nats.url });
  mesh = await ensureMesh(nc);
  shared = [start(["router"]), start(["processor", "--config", project.processor, "--concurrency", "16"])];
  await registered("router", 1);
  await registered("processor", 1);
}, 30_000);

afterEach(async () => {
  await Promise.all(extra.splice(0).map((p) => p.kill()));
});

afterAll(async () => {
  await Promise.all(shared.map((p) => p.stop()));
  await nc?.close();
  await nats?.stop();
  await project?.remove();
});

describe("loom pipeline and loom submit", () => {
  it("submit prints the goal id, each stage, the result, and exits 0 when the goal completed", async () => {
    extra.push(start(["pipeline", "--config", project.pipeline, "--checkpoint-ttl", "7200"]));
    await registered("orchestrator", 1);
    // --checkpoint-ttl sets how long the KV bucket keeps a checkpoint after its last write.
    const bucket = await mesh.jsm.streams.info("KV_loom_checkpoints");
    expect(bucket.config.max_age).toBe(7200 * 1e9);
    const goal = JSON.stringify({ context: context("cli", 10) });
    const { stdout, stderr } = await run(
      process.execPath,
      [CLI, "submit", "Echo it", "--pipeline", "echo_chain", "--goal", goal, "--nats-url", nats.url],
      { cwd: project.dir },
    );
    const [goalId] = stdout.split("\n");
    expect(goalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stderr).toContain("completed first");
    expect(stderr).toContain("completed third");
    const result = JSON.parse(stdout.slice(stdout.indexOf("{")));
    expect(result).toMatchObject({
      goal_id: goalId,
      status: "completed",
      stages: { third: { output: { id: "cli" } } },
    });
  }, 30_000);

  it("a goal whose context misses a field fails at once, naming it; submit exits 1", async () => {
    extra.push(start(["pipeline", "--config", project.pipeline]));
    await registered("orchestrator", 1);
    const started = Date.now();
    const failed = await run(
      process.execPath,
      [CLI, "submit", "--pipeline", "echo_chain", "--context", "id=x", "--nats-url", nats.url],
      {
        cwd: project.dir,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(
      /cannot run pipeline 'echo_chain': .*(ms|log|spans)/,
    );
  }, 30_000);

  it.each(["NATS KV", "Redis"])(
    "an orchestrator killed mid-goal: another resumes from the %s checkpoint, finished stages never run again",
    async (store) => {
      // Stopped however the test ends (a redis-server left behind would outlive the run).
      await using redis = store === "Redis" ? await startRedisServer() : undefined;
      const flags = ["--ack-wait", "2", ...(redis ? ["--checkpoint-url", redis.url] : [])];
      const first = start(["pipeline", "--config", project.pipeline, ...flags]);
      const second = start(["pipeline", "--config", project.pipeline, ...flags]);
      extra.push(first, second);
      await registered("orchestrator", 2);
      const runner = new NatsGoalRunner({ nc, mesh, pipeline: "echo_chain" });
      const ctx = context(`resume-${store.replace(" ", "")}`, 1500);
      const pending = runner.run({ goal_id: randomUUID(), context: ctx });
      // Stage 'second' is running: the first stage's checkpoint has been saved.
      while ((await lines(ctx.log)).length < 2) await new Promise((resolve) => setTimeout(resolve, 25));
      // Entries of orchestrators killed by an earlier test linger until their TTL: match by pid.
      const pids = [first.child.pid, second.child.pid];
      const holder = (await readRegistry(mesh.registry)).find(
        (e) => e.kind === "orchestrator" && e.in_flight > 0 && pids.includes(e.pid),
      );
      const victim = [first, second].find((p) => p.child.pid === holder?.pid);
      expect(victim).toBeDefined();
      await victim?.kill();
      const result = await pending;
      expect(result.status).toBe("completed");
      expect(result.stages.third?.output).toMatchObject({ id: ctx.id });
      const runs = await lines(ctx.log);
      // 'first' ran once (restored from the checkpoint); 'second' may have run twice (it was in flight).
      expect(runs.filter((line) => line.endsWith(` ${ctx.id}`)).length).toBeGreaterThanOrEqual(3);
      const spans = (await lines(ctx.spans)).filter((l) => l.startsWith("start") && l.endsWith(` ${ctx.id}`));
      expect(spans.length).toBeLessThanOrEqual(4);
      expect(spans.length).toBe(runs.length);
      if (redis) {
        // `loom goals` reads the same store the orchestrators wrote.
        const listed = await run(
          process.execPath,
          [CLI, "goals", "list", "--checkpoint-url", redis.url, "--nats-url", nats.url],
          { cwd: project.dir },
        );
        expect(listed.stdout).toMatch(new RegExp(`${result.goal_id}\techo_chain\tcompleted\t3/3 stages`));
      }
      await victim?.kill();
      await Promise.all([first.kill(), second.kill()]);
    },
    60_000,
  );

  it("two orchestrators with max_concurrent_goals: 2 run 8 goals, never more than 4 at once", async () => {
    extra.push(
      start(["pipeline", "--config", project.pipeline]),
      start(["pipeline", "--config", project.pipeline]),
    );
    await registered("orchestrator", 2);
    const runner = new NatsGoalRunner({ nc, mesh, pipeline: "echo_chain" });
    const spans = path.join(project.dir, "concurrency.log");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runner.run({ goal_id: randomUUID(), context: { ...context(`g${i}`, 300), spans } }),
      ),
    );
    expect(results.every((r) => r.status === "completed")).toBe(true);
    let running = 0;
    let most = 0;
    const events = (await lines(spans))
      .map((l) => l.split(" "))
      .sort((a, b) => Number(a[1]) - Number(b[1]) || (a[0] === "end" ? -1 : 1));
    for (const [kind] of events) {
      running += kind === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("loom goals list shows a running goal, cancel stops it, show gives its result", async () => {
    extra.push(start(["pipeline", "--config", project.pipeline]));
    await registered("orchestrator", 1);
    const goalId = randomUUID();
    const pending = new NatsGoalRunner({ nc, mesh, pipeline: "echo_chain" }).run({
      goal_id: goalId,
      context: context("cancel", 20_000),
    });
    const loom = (...args: string[]) =>
      run(process.execPath, [CLI, ...args, "--nats-url", nats.url], { cwd: project.dir });
    let listed = "";
    while (!listed.includes(`${goalId}\techo_chain\trunning`)) listed = (await loom("goals", "list")).stdout;
    const started = Date.now();
    expect((await loom("goals", "cancel", goalId)).stdout).toContain(`cancel sent for goal ${goalId}`);
    const result = await pending;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ status: "cancelled", stages: { first: { status: "cancelled" } } });
    const shown = JSON.parse((await loom("goals", "show", goalId)).stdout);
    expect(shown.result).toMatchObject({ goal_id: goalId, status: "cancelled" });
    expect((await loom("goals", "list")).stdout).toContain(`${goalId}\techo_chain\tcancelled`);
  }, 30_000);
});
