/** Goals started from the Workshop's Run page, run in this process with the pipeline's workers. */
import { loadPipelineConfig, loadWorkerConfig } from "../config/index.js";
import type { WorkerConfig } from "../config/types.js";
import { LoomError } from "../errors.js";
import { loadSettings } from "../llm/settings.js";
import { runPipelineFile } from "../pipeline/run-file.js";
import type { Goal, PipelineEvent, PipelineResult } from "../pipeline/types.js";
import type { WorkerCatalog } from "./catalog.js";
import type { Job, Jobs } from "./jobs.js";
import type { PipelineEntry } from "./pipeline-catalog.js";

export type PipelineJobEvent = PipelineEvent | { type: "result"; result: PipelineResult };

/**
 * Starts `goal`; the job's events are the stage transitions, then the result. The stages' workers
 * come from the catalog, so a broken worker the pipeline does not use cannot stop it.
 */
export function startPipelineJob(
  jobs: Jobs<PipelineJobEvent>,
  entry: PipelineEntry,
  catalog: WorkerCatalog,
  goal: Goal,
): Job<PipelineJobEvent> {
  const job = jobs.start(entry.name, async (emit, signal) => {
    const settings = await loadSettings({ configFile: entry.file });
    const workers = await stageWorkers(entry, catalog);
    const result = await runPipelineFile(entry.file, goal, { settings, signal, onEvent: emit, workers });
    emit({ type: "result", result });
    return `/pipelines/${encodeURIComponent(entry.name)}/runs/${job.id}`;
  });
  return job;
}

async function stageWorkers(
  entry: PipelineEntry,
  catalog: WorkerCatalog,
): Promise<Map<string, WorkerConfig>> {
  const pipeline = await loadPipelineConfig(entry.file);
  const workers = new Map<string, WorkerConfig>();
  for (const type of new Set(pipeline.stages.map((s) => s.workerType))) {
    const worker = await catalog.find(type);
    if (worker && !worker.valid) {
      throw new LoomError(
        "config_error",
        `worker '${type}' (${worker.relativePath}) has config errors: fix it on its Edit tab first`,
      );
    }
    if (worker) workers.set(type, await loadWorkerConfig(worker.file));
  }
  return workers;
}

/** The result a finished job holds, if it got that far. */
export function jobResult(job: Job<PipelineJobEvent>): PipelineResult | undefined {
  for (const event of job.events)
    if (event.type === "result") return (event as { result: PipelineResult }).result;
  return undefined;
}
