/**
 * Pipeline scheduling overhead per stage at growing stage counts (bench/scale.ts): goals of
 * processor stages run in-process by PipelineRunner over a LocalDispatcher, against dispatching the
 * same tasks through the same dispatcher directly (one after another for a chain, all at once
 * after the root for a fan-out). The difference per stage is the runner's own work.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { workerConfigWithDefaults } from "../src/config/to-model.js";
import type { PipelineConfig, PipelineStage } from "../src/config/types.js";
import { PipelineRunner } from "../src/pipeline/index.js";
import { LocalDispatcher } from "../src/worker/local-dispatcher.js";
import type { TaskMessage } from "../src/worker/messages.js";
import { median } from "./_stats.js";

const REPO = path.resolve(import.meta.dirname, "..");

export type PipelineShape = "chain" | "fan-out";

/** One row: the medians of a goal through the runner and of the same tasks dispatched directly. */
export interface PipelinePoint {
  shape: PipelineShape;
  stages: number;
  goals: number;
  pipelineMs: number;
  directMs: number;
  /** (pipeline − direct) / stages, in µs. */
  overheadUs: number;
}

const backend = `import { ProcessingBackend } from ${JSON.stringify(pathToFileURL(path.join(REPO, "src/worker/processor.ts")).href)};
export class PassBackend extends ProcessingBackend {
  async process(payload) {
    return { output: { text: typeof payload.text === "string" ? payload.text : "x" }, model_used: "pass" };
  }
}
`;

function config(shape: PipelineShape, stages: number): PipelineConfig {
  const list: PipelineStage[] = [
    { name: "s0", workerType: "pass", inputMapping: { text: "goal.context.text" } },
  ];
  for (let i = 1; i < stages; i++) {
    const from = shape === "chain" ? `s${i - 1}` : "s0";
    list.push({ name: `s${i}`, workerType: "pass", inputMapping: { text: `${from}.output.text` } });
  }
  return { name: `${shape}-${stages}`, timeoutSeconds: 600, maxConcurrentGoals: 1, stages: list };
}

/** Measures each shape at each size; `stageBudget` is the stages run per side and size. */
export async function measurePipelines(
  sizes: readonly number[],
  shapes: readonly PipelineShape[],
  stageBudget: number,
): Promise<PipelinePoint[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-bench-scale-pipeline-"));
  try {
    await writeFile(path.join(dir, "pass.js"), backend);
    const worker = workerConfigWithDefaults({
      name: "pass",
      workerKind: "processor",
      processingBackend: "./pass.js#PassBackend",
      sourcePath: path.join(dir, "pass.yaml"),
    });
    await using dispatcher = new LocalDispatcher({ workers: new Map([["pass", worker]]) });
    const task = (i: number): TaskMessage => ({
      task_id: `t${i}`,
      worker_type: "pass",
      payload: { text: "x" },
      metadata: {},
    });
    const points: PipelinePoint[] = [];
    for (const shape of shapes) {
      for (const stages of sizes) {
        const runner = new PipelineRunner(config(shape, stages), { dispatcher });
        const direct = async () => {
          if (shape === "chain") {
            for (let i = 0; i < stages; i++) await dispatcher.dispatch(task(i));
          } else {
            await dispatcher.dispatch(task(0));
            await Promise.all(Array.from({ length: stages - 1 }, (_, i) => dispatcher.dispatch(task(i + 1))));
          }
        };
        const piped = async (g: number) => {
          const result = await runner.run({ goal_id: `g${g}`, context: { text: "x" } });
          if (result.status !== "completed") throw new Error(`${shape}-${stages}: goal ${result.status}`);
        };
        const goals = Math.max(5, Math.round(stageBudget / stages));
        for (let g = 0; g < Math.max(2, Math.round(goals / 5)); g++) {
          await direct();
          await piped(g);
        }
        const directTimes: number[] = [];
        const pipedTimes: number[] = [];
        for (let g = 0; g < goals; g++) {
          let started = performance.now();
          await direct();
          directTimes.push(performance.now() - started);
          started = performance.now();
          await piped(g);
          pipedTimes.push(performance.now() - started);
        }
        const pipelineMs = median(pipedTimes);
        const directMs = median(directTimes);
        points.push({
          shape,
          stages,
          goals,
          pipelineMs,
          directMs,
          overheadUs: ((pipelineMs - directMs) / stages) * 1000,
        });
      }
    }
    return points;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
