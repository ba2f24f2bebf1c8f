/** Goals started from the Workshop's Run page, run in this process with the pipeline's workers. */
import { loadSettings } from "../llm/settings.js";
import { runPipelineFile } from "../pipeline/run-file.js";
import type { Goal, PipelineEvent, PipelineResult } from "../pipeline/types.js";
import type { Job, Jobs } from "./jobs.js";
import type { PipelineEntry } from "./pipeline-catalog.js";

export type PipelineJobEvent = PipelineEvent | { type: "result"; result: PipelineResult };

/** Starts `goal`; the job's events are the stage transitions, then the result. */
export function startPipelineJob(
  jobs: Jobs<PipelineJobEvent>,
  entry: PipelineEntry,
  goal: Goal,
): Job<PipelineJobEvent> {
  const job = jobs.start(entry.name, async (emit, signal) => {
    const settings = await loadSettings({ configFile: entry.file });
    const result = await runPipelineFile(entry.file, goal, { settings, signal, onEvent: emit });
    emit({ type: "result", result });
    return `/pipelines/${encodeURIComponent(entry.name)}/runs/${job.id}`;
  });
  return job;
}

/** The result a finished job holds, if it got that far. */
export function jobResult(job: Job<PipelineJobEvent>): PipelineResult | undefined {
  for (const event of job.events)
    if (event.type === "result") return (event as { result: PipelineResult }).result;
  return undefined;
}
