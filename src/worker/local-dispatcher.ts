/**
 * The in-process {@link Dispatcher}: looks the task's worker up in a registry of loaded configs and
 * runs it with {@link executeTask}. The pipeline runner, the MCP gateway and the Workshop use it
 * when no NATS mesh is configured.
 */
import type { WorkerConfig } from "../config/types.js";
import type { LoomSettings } from "../llm/settings.js";
import type { Dispatcher, DispatchOptions } from "./dispatcher.js";
import type { executeTask as ExecuteTask } from "./execute-task.js";
import { failedResult, type TaskMessage, type TaskResult } from "./messages.js";

// executeTask (with the LLM backends, knowledge, silos, tool loading) is imported on the first
// dispatch, so that serving tools (`loom mcp`) does not load the execution stack at start-up.
let executeTaskFn: typeof ExecuteTask | undefined;
async function loadExecuteTask(): Promise<typeof ExecuteTask> {
  executeTaskFn ??= (await import("./execute-task.js")).executeTask;
  return executeTaskFn;
}

export interface LocalDispatcherOptions {
  /** Loaded worker configs by name (`loadWorkerConfigs(dir)` gives one). */
  workers: ReadonlyMap<string, WorkerConfig>;
  /** LLM settings. @default loadSettings() for the current directory */
  settings?: LoomSettings;
}

/**
 * Runs tasks in this process. An unknown `worker_type` is a failed result (`config_error`) that
 * lists the known workers; `task.tier`, when given, overrides the worker's default tier.
 *
 * @example
 * const dispatcher = new LocalDispatcher({ workers: await loadWorkerConfigs("configs/workers") });
 * const result = await dispatcher.dispatch({ task_id: "t1", worker_type: "summarizer", payload: { text } });
 */
export class LocalDispatcher implements Dispatcher {
  readonly #workers: ReadonlyMap<string, WorkerConfig>;
  readonly #settings: LoomSettings | undefined;
  readonly #closing = new AbortController();

  constructor(options: LocalDispatcherOptions) {
    this.#workers = options.workers;
    this.#settings = options.settings;
  }

  async dispatch(task: TaskMessage, options: DispatchOptions = {}): Promise<TaskResult> {
    const worker = this.#workers.get(task.worker_type);
    if (!worker) {
      const known = [...this.#workers.keys()].sort();
      return failedResult(task, {
        code: "config_error",
        message: `unknown worker '${task.worker_type}' (workers: ${known.join(", ") || "none loaded"})`,
        details: { worker_type: task.worker_type, known },
      });
    }
    const executeTask = executeTaskFn ?? (await loadExecuteTask());
    return executeTask(task, {
      worker,
      owner: this,
      closing: this.#closing.signal,
      ...(this.#settings ? { settings: this.#settings } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }

  /**
   * Stops the tasks still running (they fail as `cancelled`), then closes the processor backends
   * and tool providers (and through them DuckDB handles) that this dispatcher's tasks opened and no
   * other dispatcher uses. Tasks dispatched afterwards fail the same way.
   */
  async close(): Promise<void> {
    this.#closing.abort(new Error("the dispatcher closed"));
    const [{ releaseProcessors }, { releaseTools }] = await Promise.all([
      import("./processor-runner.js"),
      import("./tool-loader.js"),
    ]);
    await Promise.all([releaseProcessors(this), releaseTools(this)]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
