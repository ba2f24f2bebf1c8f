/**
 * Runs one task for a worker YAML file in this process — what `loom run worker` does, as a
 * library call: load the config, the LLM settings of the current directory, then `executeTask`.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { loadWorkerConfig } from "../config/index.js";
import { TIERS, type Tier } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import { type LoomSettings, loadSettings } from "../llm/settings.js";
import type { Dispatcher, TaskProgress } from "./dispatcher.js";
import { executeTask } from "./execute-task.js";
import { LocalDispatcher } from "./local-dispatcher.js";
import type { TaskResult } from "./messages.js";

export interface RunWorkerFileOptions {
  /** Overrides the worker's default_model_tier. */
  tier?: string;
  /** @default loadSettings() for the current directory */
  settings?: LoomSettings;
  signal?: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
  /**
   * Runs the task through a layer around the in-process dispatcher (router rules:
   * `loadRouterLayer(file)` of `src/router`). The task then names its tier (the worker's
   * default_model_tier when `tier` is not given), so the layer sees the tier it runs on.
   */
  wrapDispatcher?: (inner: Dispatcher) => Dispatcher;
}

/**
 * Loads the worker config at `file` and runs `payload` through it. Throws for problems that stop
 * the task from existing (bad config, bad tier name); task failures come back as a failed result.
 *
 * @example const result = await runWorkerFile("configs/workers/entity_extractor.yaml", { text: "…" });
 */
export async function runWorkerFile(
  file: string,
  payload: Record<string, unknown>,
  options: RunWorkerFileOptions = {},
): Promise<TaskResult> {
  if (options.tier !== undefined && !(TIERS as readonly string[]).includes(options.tier)) {
    throw new LoomError("invalid_input", `unknown tier '${options.tier}' (tiers: ${TIERS.join(", ")})`);
  }
  const worker = await loadWorkerConfig(file);
  const settings = options.settings ?? (await loadSettings());
  const task = {
    task_id: randomUUID(),
    worker_type: worker.name,
    payload,
    created_at: new Date().toISOString(),
    ...(options.tier === undefined ? {} : { tier: options.tier as Tier }),
  };
  const run = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  if (options.wrapDispatcher) {
    const local = new LocalDispatcher({ workers: new Map([[worker.name, worker]]), settings });
    const dispatcher = options.wrapDispatcher(local);
    try {
      return await dispatcher.dispatch({ ...task, tier: task.tier ?? worker.defaultModelTier }, run);
    } finally {
      await dispatcher.close?.();
    }
  }
  return executeTask(task, { worker, settings, ...run });
}

/**
 * Reads a task payload given on the command line: inline JSON, or `@path` to a JSON file.
 * Throws `invalid_input` saying what was wrong.
 *
 * @example await readPayloadArgument('{"text": "hello"}'); await readPayloadArgument("@input.json");
 */
export async function readPayloadArgument(arg: string): Promise<Record<string, unknown>> {
  let text = arg;
  let source = "--input";
  if (arg.startsWith("@")) {
    source = arg.slice(1);
    try {
      text = await readFile(source, "utf8");
    } catch (cause) {
      throw new LoomError("invalid_input", `cannot read input file '${source}': ${errorMessage(cause)}`, {
        cause,
      });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LoomError(
      "invalid_input",
      `${source} is not valid JSON (${errorMessage(cause)}); give a JSON object such as '{"text": "hello"}' or @file.json`,
      { cause },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LoomError(
      "invalid_input",
      `${source} must be a JSON object (got ${Array.isArray(value) ? "array" : typeof value})`,
    );
  }
  return value as Record<string, unknown>;
}
