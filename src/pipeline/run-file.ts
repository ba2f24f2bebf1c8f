/**
 * Runs one goal through a pipeline YAML file in this process: loads the pipeline and its worker
 * configs, checks every stage names a known worker, and runs the goal with a LocalDispatcher.
 * What `loom run pipeline` does, as a library call.
 */
import path from "node:path";
import { findWorkersDir, loadPipelineConfig, loadWorkerConfigs } from "../config/index.js";
import type { PipelineConfig, WorkerConfig } from "../config/types.js";
import { ErrorCode, LoomError } from "../errors.js";
import type { LoomSettings } from "../llm/settings.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { LocalDispatcher } from "../worker/local-dispatcher.js";
import { PipelineRunner } from "./runner.js";
import type { Goal, PipelineResult, RunGoalOptions } from "./types.js";

/**
 * Where worker configs live by default: `configs/workers` beside the pipeline's folder
 * (`configs/orchestrators/p.yaml` → `configs/workers`), or a `workers/` folder next to the
 * pipeline file — the same lookup `loom validate` uses.
 */
export function defaultWorkersDir(pipelineFile: string): string {
  return findWorkersDir(pipelineFile) ?? path.resolve(path.dirname(pipelineFile), "../workers");
}

/** Options of {@link runPipelineFile}. */
export interface RunPipelineFileOptions extends RunGoalOptions {
  /** Folder of worker YAML files. @default {@link defaultWorkersDir} of the pipeline file */
  workersDir?: string;
  /** The workers to run with, already loaded (the folder is then not read). */
  workers?: ReadonlyMap<string, WorkerConfig>;
  /** LLM settings. @default what LocalDispatcher uses when none are given */
  settings?: LoomSettings;
  /**
   * Wraps the in-process dispatcher, given the loaded workers (router rules:
   * `(inner, workers) => routerLayer(rules, { workers })(inner)` of `src/router`).
   */
  wrapDispatcher?: (inner: Dispatcher, workers: ReadonlyMap<string, WorkerConfig>) => Dispatcher;
}

/**
 * Throws when a stage names a worker that is not in `workers`, listing the workers there are —
 * before any stage runs, rather than after the first stages have done their work.
 */
export function checkStageWorkers(
  config: PipelineConfig,
  workers: ReadonlyMap<string, WorkerConfig>,
  workersDir: string,
): void {
  const known = [...workers.keys()].sort();
  const missing = config.stages
    .map((stage, index) => ({ stage, index }))
    .filter(({ stage }) => !workers.has(stage.workerType));
  if (missing.length === 0) return;
  const lines = missing.map(
    ({ stage, index }) =>
      `pipeline_stages[${index}].worker_type: unknown worker '${stage.workerType}' (stage '${stage.name}')`,
  );
  throw new LoomError(
    ErrorCode.ConfigError,
    `${lines.join("; ")} — workers in ${workersDir}: ${known.join(", ") || "none"} ` +
      "(pass --workers DIR if they live elsewhere)",
    { details: { missing: missing.map(({ stage }) => stage.workerType), known, workers_dir: workersDir } },
  );
}

/**
 * Loads `pipelineFile` and the workers it uses and runs `goal` in-process.
 *
 * @throws ConfigValidationError / LoomError when the configs cannot be loaded or a worker is
 *   missing; stage failures are statuses of the result, not exceptions.
 * @example
 * const result = await runPipelineFile("configs/orchestrators/analysis_pipeline.yaml", createGoal({ file_ref: "a.pdf" }));
 */
export async function runPipelineFile(
  pipelineFile: string,
  goal: Goal,
  options: RunPipelineFileOptions = {},
): Promise<PipelineResult> {
  const file = path.resolve(pipelineFile);
  const config = await loadPipelineConfig(file);
  const workersDir = path.resolve(options.workersDir ?? defaultWorkersDir(file));
  const workers = options.workers ?? (await loadWorkerConfigs(workersDir));
  checkStageWorkers(config, workers, workersDir);
  const local = new LocalDispatcher({
    workers,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const dispatcher = options.wrapDispatcher ? options.wrapDispatcher(local, workers) : local;
  try {
    const runner = new PipelineRunner(config, { dispatcher });
    return await runner.run(goal, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } finally {
    await dispatcher.close?.();
  }
}
