/**
 * The Test page's run: one payload through one variant of a worker — its saved file or the
 * editor's unsaved text — on a chosen tier, executed in this process like `loom run worker`.
 */
import { randomUUID } from "node:crypto";
import { type ConfigIssue, ConfigValidationError, loadWorkerConfig, type Tier } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { loadSettings } from "../llm/settings.js";
import { executeTask } from "../worker/execute-task.js";
import type { TaskResult } from "../worker/messages.js";

export interface TestVariant {
  /** `saved`: the file on disk; `draft`: the text given. */
  source: "saved" | "draft";
  tier?: Tier;
  /** The unsaved YAML, for `draft`. */
  text?: string;
}

export interface TestOutcome {
  variant: TestVariant;
  /** The task's result; undefined when the config itself could not be loaded. */
  result?: TaskResult;
  /** Why the variant could not run (config issues). */
  configIssues?: ConfigIssue[];
  configError?: string;
}

/** Runs `payload` through `file` (or a draft of it), never throwing for what the user gave. */
export async function runTestVariant(
  file: string,
  payload: Record<string, unknown>,
  variant: TestVariant,
  signal?: AbortSignal,
): Promise<TestOutcome> {
  let worker: Awaited<ReturnType<typeof loadWorkerConfig>>;
  try {
    worker = await loadWorkerConfig(file, variant.source === "draft" ? { text: variant.text ?? "" } : {});
  } catch (error) {
    if (error instanceof ConfigValidationError) return { variant, configIssues: error.issues };
    return { variant, configError: errorMessage(error) };
  }
  const settings = await loadSettings({ configFile: file });
  const task = {
    task_id: randomUUID(),
    worker_type: worker.name,
    payload,
    created_at: new Date().toISOString(),
    ...(variant.tier ? { tier: variant.tier } : {}),
  };
  const result = await executeTask(task, { worker, settings, ...(signal ? { signal } : {}) });
  return { variant, result };
}
