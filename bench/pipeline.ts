/**
 * Pipeline runner benchmark (issue 5).
 *
 * 1. Parallelism: pipelines of sleeping stages, wall time against their critical path. The
 *    baseline is the critical path itself, slept stage by stage through the same dispatcher in
 *    the same run (so timer granularity counts on both sides), interleaved with the pipeline runs.
 *    Goal: median pairwise ratio ≤ 1.05.
 *    The "levels" column is what level-by-level scheduling would cost, for comparison.
 * 2. Overhead: pipelines of instant stages; time per stage beyond dispatching the same number of
 *    tasks directly. Goal: ≤ 0.2 ms per stage.
 */
import { performance } from "node:perf_hooks";
import type { PipelineConfig, PipelineStage } from "../src/config/types.js";
import { PipelineRunner } from "../src/pipeline/index.js";
import type { Dispatcher } from "../src/worker/dispatcher.js";
import type { TaskMessage, TaskResult } from "../src/worker/messages.js";
import { median } from "./_stats.js";
import type { BenchOutcome } from "./run.js";

const RATIO_GOAL = 1.05;
const OVERHEAD_GOAL_MS = 0.2;

function result(task: TaskMessage): TaskResult {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    status: "completed",
    output: { v: 1, text: "ok" },
    error: null,
    model_used: null,
    token_usage: { input: 0, output: 0 },
    latency_ms: 0,
  };
}

/** Each stage sleeps for the milliseconds given by `sleeps[stage]`. */
class SleepDispatcher implements Dispatcher {
  constructor(readonly sleeps: Record<string, number>) {}
  dispatch(task: TaskMessage): Promise<TaskResult> {
    const ms = this.sleeps[String(task.metadata?.stage)] ?? 0;
    return new Promise((resolve) => setTimeout(() => resolve(result(task)), ms));
  }
}

const instant: Dispatcher = { dispatch: (task) => Promise.resolve(result(task)) };

/** `edges` maps a stage to the stages it reads from. */
function graph(name: string, edges: Record<string, string[]>): PipelineConfig {
  const stages: PipelineStage[] = Object.entries(edges).map(([stage, deps]) => ({
    name: stage,
    workerType: "bench_worker",
    inputMapping:
      deps.length === 0
        ? { text: "goal.context.text" }
        : Object.fromEntries(deps.map((d) => [`from_${d}`, `${d}.output.v`])),
  }));
  return { name, timeoutSeconds: 300, maxConcurrentGoals: 1, stages };
}

interface SleepCase {
  config: PipelineConfig;
  sleeps: Record<string, number>;
}

function sleepCases(): SleepCase[] {
  const wide: Record<string, string[]> = { fan: [] };
  const wideSleeps: Record<string, number> = { fan: 10, join: 10 };
  for (let i = 0; i < 20; i++) {
    wide[`w${i}`] = ["fan"];
    wideSleeps[`w${i}`] = 30 + (i % 5) * 10;
  }
  wide.join = Object.keys(wide).filter((k) => k.startsWith("w"));
  const chain: Record<string, string[]> = {};
  const chainSleeps: Record<string, number> = {};
  for (let i = 0; i < 8; i++) {
    chain[`c${i}`] = i === 0 ? [] : [`c${i - 1}`];
    chainSleeps[`c${i}`] = 15;
  }
  return [
    {
      config: graph("analysis", { extract: [], classify: ["extract"], summarize: ["extract"] }),
      sleeps: { extract: 40, classify: 60, summarize: 30 },
    },
    {
      config: graph("diamond", { a: [], b: ["a"], c: ["a"], d: ["b", "c"] }),
      sleeps: { a: 20, b: 60, c: 20, d: 20 },
    },
    {
      config: graph("uneven", { a: [], slow: ["a"], fast: ["a"], after_fast: ["fast"] }),
      sleeps: { a: 20, slow: 100, fast: 20, after_fast: 60 },
    },
    { config: graph("wide-20", wide), sleeps: wideSleeps },
    { config: graph("chain-8", chain), sleeps: chainSleeps },
  ];
}

/** The longest path through the graph: its length and its stages. */
function criticalPath(runner: PipelineRunner, sleeps: Record<string, number>): string[] {
  const deps = runner.dependencies;
  const memo = new Map<string, string[]>();
  const longest = (name: string): string[] => {
    const known = memo.get(name);
    if (known) return known;
    const cost = (path: string[]): number => path.reduce((s, n) => s + (sleeps[n] ?? 0), 0);
    const best = (deps[name] ?? []).map(longest).sort((a, b) => cost(b) - cost(a))[0] ?? [];
    const path = [...best, name];
    memo.set(name, path);
    return path;
  };
  const all = Object.keys(deps).map(longest);
  return all.sort(
    (a, b) => b.reduce((s, n) => s + (sleeps[n] ?? 0), 0) - a.reduce((s, n) => s + (sleeps[n] ?? 0), 0),
  )[0]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function parallelism(): Promise<boolean> {
  const rows: string[][] = [
    ["pipeline", "stages", "critical path", "levels", "baseline", "pipeline", "ratio"],
  ];
  let passed = true;
  for (const { config, sleeps } of sleepCases()) {
    const dispatcher = new SleepDispatcher(sleeps);
    const runner = new PipelineRunner(config, { dispatcher });
    const path = criticalPath(runner, sleeps);
    const nominal = path.reduce((s, n) => s + (sleeps[n] ?? 0), 0);
    const levels = runner.levels.reduce((s, level) => s + Math.max(...level.map((n) => sleeps[n] ?? 0)), 0);
    const baselines: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < 9; i++) {
      baselines.push(
        await time(async () => {
          for (const stage of path) {
            await dispatcher.dispatch({ task_id: "b", worker_type: "w", payload: {}, metadata: { stage } });
          }
        }),
      );
      runs.push(await time(() => runner.run({ goal_id: `g${i}`, context: { text: "x" } })));
    }
    // Each pipeline run is paired with the baseline run just before it (same machine load); the
    // median of the pairwise ratios is robust to a noisy neighbour slowing one pair down.
    const ratio = median(runs.map((r, i) => r / baselines[i]!));
    passed &&= ratio <= RATIO_GOAL;
    rows.push([
      config.name,
      String(config.stages.length),
      `${nominal} ms`,
      `${levels} ms`,
      `${median(baselines).toFixed(1)} ms`,
      `${median(runs).toFixed(1)} ms`,
      `${ratio.toFixed(3)}×`,
    ]);
  }
  console.log(`\nParallelism: wall time / critical path (goal ≤ ${RATIO_GOAL}×)`);
  printTable(rows);
  return passed;
}

async function overhead(): Promise<boolean> {
  const chain: Record<string, string[]> = {};
  for (let i = 0; i < 200; i++) chain[`s${i}`] = i === 0 ? [] : [`s${i - 1}`];
  const wide: Record<string, string[]> = {};
  for (let i = 0; i < 200; i++) wide[`s${i}`] = [];
  const layered: Record<string, string[]> = {};
  for (let l = 0; l < 20; l++) {
    for (let i = 0; i < 10; i++)
      layered[`l${l}_${i}`] = l === 0 ? [] : [`l${l - 1}_${i}`, `l${l - 1}_${(i + 1) % 10}`];
  }
  const rows: string[][] = [["pipeline", "stages", "per goal", "direct dispatch", "overhead / stage"]];
  let passed = true;
  for (const config of [
    graph("chain-200", chain),
    graph("wide-200", wide),
    graph("layered-20x10", layered),
  ]) {
    const runner = new PipelineRunner(config, { dispatcher: instant });
    const n = config.stages.length;
    const goals = 200;
    const direct = async (): Promise<void> => {
      for (let i = 0; i < n; i++) {
        await instant.dispatch({ task_id: "t", worker_type: "w", payload: { text: "x" }, metadata: {} });
      }
    };
    const piped = async (i: number): Promise<void> => {
      await runner.run({ goal_id: `g${i}`, context: { text: "x" } });
    };
    for (let i = 0; i < 50; i++) {
      await direct();
      await piped(i);
    }
    const directTimes: number[] = [];
    const pipedTimes: number[] = [];
    for (let i = 0; i < goals; i++) {
      directTimes.push(await time(direct));
      pipedTimes.push(await time(() => piped(i)));
    }
    const perStage = (median(pipedTimes) - median(directTimes)) / n;
    passed &&= perStage <= OVERHEAD_GOAL_MS;
    rows.push([
      config.name,
      String(n),
      `${median(pipedTimes).toFixed(2)} ms`,
      `${median(directTimes).toFixed(2)} ms`,
      `${(perStage * 1000).toFixed(1)} µs`,
    ]);
  }
  console.log(`\nOverhead with instant stages (goal ≤ ${OVERHEAD_GOAL_MS * 1000} µs per stage)`);
  printTable(rows);
  return passed;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
}

/** Runs both measurements; passes when every ratio and overhead meets its goal. */
export async function run(): Promise<BenchOutcome> {
  const ratiosOk = await parallelism();
  const overheadOk = await overhead();
  return { passed: ratiosOk && overheadOk };
}
