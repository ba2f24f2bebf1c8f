/**
 * The messages every front end exchanges: plain JSON, snake_case, identical in-process and on the
 * NATS wire.
 */
import type { Tier } from "../config/types.js";
import type { ErrorCode } from "../errors.js";
import type { TokenUsage } from "../llm/backend.js";

/** One unit of work for one worker. */
export interface TaskMessage {
  task_id: string;
  worker_type: string;
  /** Tier requested; the worker's `default_model_tier` when absent. */
  tier?: Tier;
  payload: Record<string, unknown>;
  parent_task_id?: string;
  goal_id?: string;
  metadata?: Record<string, unknown>;
  /** ISO timestamp. */
  created_at?: string;
  /** ISO timestamp after which nobody should start the task (set by the mesh dispatcher). */
  deadline?: string;
  /** Which delivery of the task this is, 1 for the first (set by a mesh worker). */
  attempt?: number;
  /** The subject the mesh publishes the task's result to. */
  reply_to?: string;
  /**
   * Which send of the task this is on the mesh (its de-duplication id): the task id, or another id
   * for a replay, so a replayed task runs and answers again.
   */
  delivery_id?: string;
  /**
   * The W3C trace context of the span the task runs under (set when tracing is on), so a worker
   * in another process continues the same trace.
   */
  trace_context?: { traceparent: string; tracestate?: string };
}

export const TaskStatus = { Completed: "completed", Failed: "failed" } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface TaskError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export type { TokenUsage };

/** The outcome of one task. `executeTask` always returns one, never throws for task failures. */
export interface TaskResult {
  task_id: string;
  worker_type: string;
  status: TaskStatus;
  output: Record<string, unknown> | null;
  error: TaskError | null;
  model_used: string | null;
  token_usage: TokenUsage;
  latency_ms: number;
  /** The model's raw text reply, kept for debugging (and for invalid_output failures). */
  raw_response?: string | null;
  parent_task_id?: string;
  goal_id?: string;
  /** The mesh worker instance that ran the task (absent in-process). */
  worker_id?: string;
  /** How many deliveries the task took on the mesh (absent in-process). */
  attempts?: number;
}

/**
 * The failed result of a task that never ran (unknown worker, refused by the router): no output,
 * no usage, the task's ids carried over.
 */
export function failedResult(task: TaskMessage, error: TaskError): TaskResult {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    status: "failed",
    output: null,
    error,
    model_used: null,
    token_usage: { input: 0, output: 0 },
    latency_ms: 0,
    raw_response: null,
    ...(task.parent_task_id === undefined ? {} : { parent_task_id: task.parent_task_id }),
    ...(task.goal_id === undefined ? {} : { goal_id: task.goal_id }),
  };
}
