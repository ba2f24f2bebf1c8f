/**
 * The goal half of `npm run bench -- mesh` (issue #14): a pipeline of sleeping stages through
 * `loom pipeline` orchestrators and the mesh against its critical path, and goal throughput with
 * one orchestrator and with two. Goals: wall time ≤ 1.10× the critical path; two orchestrators
 * ≥ 1.6× the goals per second of one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Mesh } from "../src/bus/streams.js";
import { NatsGoalRunner } from "../src/mesh/nats-goal-runner.js";
import { type RegistryEntry, readRegistry } from "../src/mesh/registry.js";
import { meshProject } from "../test/fixtures/mesh-project.js";

const CRITICAL_PATH_GOAL = 1.1;
const SCALE_GOAL = 1.6;
const STAGE_MS = 200;
const STAGES = 3;
const GOALS = 16;

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

export interface GoalBenchOutcome {
  passed: boolean;
}

export async function runGoalBench(nc: NatsConnection, mesh: Mesh, url: string): Promise<GoalBenchOutcome> {
  const project = await meshProject("http://127.0.0.1:9");
  const children: ChildProcess[] = [];
  const env = { ...process.env, LOOM_LOG_LEVEL: "warn" };
  const start = (args: string[]) => {
    const child = spawn(process.execPath, [CLI, ...args, "--nats-url", url], {
      stdio: "inherit",
      env,
      cwd: project.dir,
    });
    children.push(child);
    return child;
  };
  const registered = async (matches: (entry: RegistryEntry) => boolean, count: number) => {
    while ((await readRegistry(mesh.registry)).filter(matches).length < count) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const orchestrators = (count: number) => registered((e) => e.kind === "orchestrator", count);
  try {
    start(["processor", "--config", project.processor, "--concurrency", "32"]);
    const first = start(["pipeline", "--config", project.pipeline]);
    await orchestrators(1);
    await registered((e) => e.worker_type === "slow_echo", 1);
    const runner = new NatsGoalRunner({ nc, mesh, pipeline: "echo_chain" });
    const goal = (ms: number) => ({
      goal_id: randomUUID(),
      context: { id: "bench", ms, log: `${project.dir}/started.log`, spans: `${project.dir}/spans.log` },
    });

    // One goal at a time: wall time against the critical path (three stages in a row).
    const walls: number[] = [];
    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      const result = await runner.run(goal(STAGE_MS));
      if (result.status !== "completed") throw new Error(`goal ${result.status}: ${result.error?.message}`);
      if (i > 0) walls.push(performance.now() - started);
    }
    walls.sort((a, b) => a - b);
    const wall = walls[Math.floor(walls.length / 2)] as number;
    const critical = STAGE_MS * STAGES;

    // Goal throughput: max_concurrent_goals 2 per orchestrator, one orchestrator, then two.
    const rate = async () => {
      const started = performance.now();
      await Promise.all(Array.from({ length: GOALS }, () => runner.run(goal(100))));
      return GOALS / ((performance.now() - started) / 1000);
    };
    const one = await rate();
    start(["pipeline", "--config", project.pipeline]);
    await orchestrators(2);
    const two = await rate();
    void first;

    console.log("\n| goals | measure | value |");
    console.log("|---|---|---|");
    console.log(
      `| 3 × ${STAGE_MS} ms stages in a row | wall / critical path | ${(wall / critical).toFixed(3)}× (${wall.toFixed(0)} ms vs ${critical} ms) |`,
    );
    console.log(
      `| 3 × ${STAGE_MS} ms stages in a row | mesh and orchestration per stage (goal overhead included) | ${((wall - critical) / STAGES).toFixed(1)} ms |`,
    );
    console.log(
      `| ${GOALS} goals of 3 × 100 ms, max_concurrent_goals 2 | one orchestrator | ${one.toFixed(2)} goals/s |`,
    );
    console.log(`| same | two orchestrators | ${two.toFixed(2)} goals/s (${(two / one).toFixed(2)}×) |`);
    console.log(
      `goals: critical path ratio goal ≤ ${CRITICAL_PATH_GOAL}, two orchestrators goal ≥ ${SCALE_GOAL}×`,
    );
    return { passed: wall / critical <= CRITICAL_PATH_GOAL && two / one >= SCALE_GOAL };
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return;
        child.kill("SIGTERM");
        await once(child, "exit");
      }),
    );
    await project.remove();
  }
}
