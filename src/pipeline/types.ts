/**
 * The shapes a pipeline run takes in and gives back (Part 3 of the guide). Like the task messages,
 * everything here is plain JSON with snake_case fields, so a result can be printed by the CLI,
 * returned by an MCP tool or sent over NATS unchanged.
 */

import type { ErrorCode } from "../errors.js";
import type { SpanParent } from "../telemetry/tracer.js";
import type { TokenUsage } from "../worker/messages.js";

/** One goal: what a pipeline run works on. Stages read it through `goal.*` input_mapping paths. */
export interface Goal {
  goal_id: string;
  instruction?: string;
  context: Record<string, unknown>;
}

/** Where a stage ended up. `pending` means it never started (the goal ended first). */
export const StageStatus = {
  Pending: "pending",
  Completed: "completed",
  Failed: "failed",
  Skipped: "skipped",
  Cancelled: "cancelled",
  Timeout: "timeout",
} as const;
export type StageStatus = (typeof StageStatus)[keyof typeof StageStatus];

/** How a whole goal ended. */
export const PipelineStatus = {
  Completed: "completed",
  Failed: "failed",
  Timeout: "timeout",
  Cancelled: "cancelled",
} as const;
export type PipelineStatus = (typeof PipelineStatus)[keyof typeof PipelineStatus];

/** An error as data: which stage, what code, a message that says what and where. */
export interface PipelineError {
  code: ErrorCode;
  message: string;
  /** The stage that failed or timed out; absent for goal-level timeouts and cancellation. */
  stage?: string;
  details?: Record<string, unknown>;
}

/** The outcome of one stage of one goal. */
export interface StageOutcome {
  status: StageStatus;
  worker_type: string;
  /** The task sent to the worker (absent when the stage never dispatched). */
  task_id?: string;
  /** The worker's output, for completed stages. */
  output?: Record<string, unknown>;
  /** Why the stage failed, timed out or was cancelled. */
  error?: PipelineError;
  /** Why the stage was skipped, e.g. "depends on skipped stage 'ocr'". */
  reason?: string;
  /** ISO timestamps; present for stages that started. */
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  model_used?: string | null;
  token_usage?: TokenUsage;
}

/** One line of the timeline: a stage that started, with offsets from the start of the goal. */
export interface TimelineEntry {
  stage: string;
  status: StageStatus;
  start_ms: number;
  end_ms: number;
}

/** The result of one goal: every stage's status, output or error, and the timeline. */
export interface PipelineResult {
  goal_id: string;
  pipeline: string;
  status: PipelineStatus;
  /** Every stage of the pipeline, in config order. */
  stages: Record<string, StageOutcome>;
  error?: PipelineError;
  /** Stages that started, ordered by start time. */
  timeline: TimelineEntry[];
  /** From the moment the goal started running (time waiting in the goal queue excluded). */
  duration_ms: number;
  /** Time spent waiting for a free slot under max_concurrent_goals. */
  queued_ms: number;
}

export const PipelineEventType = {
  StageStarted: "stage_started",
  StageCompleted: "stage_completed",
  StageSkipped: "stage_skipped",
  StageFailed: "stage_failed",
} as const;
export type PipelineEventType = (typeof PipelineEventType)[keyof typeof PipelineEventType];

/**
 * Progress of one goal, one event per stage transition. `completed` counts stages that are done
 * (completed or skipped) out of `total`, so `completed / total` is a progress fraction.
 */
export interface PipelineEvent {
  type: PipelineEventType;
  goal_id: string;
  stage: string;
  worker_type: string;
  completed: number;
  total: number;
  /** Stages running after this event. */
  running: number;
  /** For stage_skipped: why. */
  reason?: string;
  /** For stage_failed: the error (status `failed` or `timeout`). */
  error?: PipelineError;
  status?: StageStatus;
  /** For stage_completed and stage_failed. */
  duration_ms?: number;
  /** The stage finished in an earlier run of this goal and was restored from its checkpoint. */
  resumed?: boolean;
}

/** Options of one {@link PipelineRunner.run} call. */
export interface RunGoalOptions {
  /** Aborting cancels the goal (queued or running); the result then has status `cancelled`. */
  signal?: AbortSignal;
  /** Called synchronously for every stage transition. Errors thrown by it are ignored. */
  onEvent?: (event: PipelineEvent) => void;
  /**
   * Stages a previous run of this goal already finished (from a checkpoint): completed and
   * skipped ones are restored as they were, never run again; the others run.
   */
  resume?: Record<string, StageOutcome>;
  /**
   * Called after each stage completes or is skipped, with every stage's outcome so far — what a
   * checkpoint saves. Errors thrown by it are ignored.
   */
  onCheckpoint?: (stages: Record<string, StageOutcome>) => void;
  /** The span the goal's span hangs under; by default the current span of this process. */
  traceParent?: SpanParent;
}
