/**
 * The one seam between "what to run" and "where it runs". The pipeline runner, the MCP gateway
 * and the Workshop only ever see a Dispatcher: `LocalDispatcher` runs `executeTask` in-process,
 * a NATS dispatcher sends the task to the mesh. Swapping them is one constructor argument.
 */
import type { TaskMessage, TaskResult } from "./messages.js";

/** A progress note from a running task (retries, tool rounds) — free text for logs/clients. */
export interface TaskProgress {
  message: string;
}

export interface DispatchOptions {
  /**
   * Aborting cancels the task; the result then has status failed, code `cancelled`. It may abort
   * after the task finished (a pipeline goal shares one signal among its stages): ignore it then.
   */
  signal?: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
}

export interface Dispatcher {
  /** Runs one task. Resolves with a TaskResult for task-level failures; never rejects for them. */
  dispatch(task: TaskMessage, options?: DispatchOptions): Promise<TaskResult>;
  close?(): Promise<void>;
}
