/**
 * The pipeline runner (Part 3): one per pipeline config, any number of goals. It only sees a
 * {@link Dispatcher}, so the same runner executes in-process (LocalDispatcher) or over NATS.
 */
import { performance } from "node:perf_hooks";
import type { PipelineConfig } from "../config/types.js";
import { ErrorCode, errorMessage } from "../errors.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { runGoal } from "./goal-run.js";
import { GoalSlots } from "./goal-slots.js";
import { compilePipeline, type PipelinePlan } from "./plan.js";
import {
  type Goal,
  type PipelineResult,
  PipelineStatus,
  type RunGoalOptions,
  type StageOutcome,
  StageStatus,
} from "./types.js";

/** Options of a {@link PipelineRunner}. */
export interface PipelineRunnerOptions {
  /** Where stage tasks run: a LocalDispatcher in-process, or a dispatcher onto the NATS mesh. */
  dispatcher: Dispatcher;
}

/**
 * Runs goals through one pipeline. Stages start as soon as their own dependencies are done;
 * goals beyond `max_concurrent_goals` wait in a FIFO queue; each goal is isolated (its own
 * scope, signals and result).
 *
 * @example
 * ```ts
 * const runner = new PipelineRunner(await loadPipelineConfig(file), { dispatcher });
 * const result = await runner.run({ goal_id: "g1", context: { file_ref: "report.pdf" } });
 * if (result.status !== "completed") console.error(result.error?.message);
 * ```
 */
export class PipelineRunner {
  readonly config: PipelineConfig;
  readonly #plan: PipelinePlan;
  readonly #dispatcher: Dispatcher;
  readonly #slots: GoalSlots;

  /** @throws LoomError `config_invalid` when the pipeline cannot run (cycle, malformed path, ...). */
  constructor(config: PipelineConfig, options: PipelineRunnerOptions) {
    this.config = config;
    this.#plan = compilePipeline(config);
    this.#dispatcher = options.dispatcher;
    this.#slots = new GoalSlots(this.#plan.maxConcurrentGoals);
  }

  /** The inferred levels, e.g. `[["extract"], ["classify", "summarize"]]`. */
  get levels(): string[][] {
    return this.#plan.levels.map((level) => [...level]);
  }

  /** The stages each stage waits for (inferred from input_mapping, or its depends_on). */
  get dependencies(): Record<string, string[]> {
    return Object.fromEntries(this.#plan.stages.map((s) => [s.name, [...s.dependencies]]));
  }

  /** Goals running now. */
  get activeGoals(): number {
    return this.#slots.active;
  }

  /** Goals waiting for a slot under max_concurrent_goals. */
  get queuedGoals(): number {
    return this.#slots.waiting;
  }

  /**
   * Runs one goal and resolves with its result; never rejects for stage failures, timeouts or
   * cancellation — those are statuses of the result. Waits for a slot first when
   * `max_concurrent_goals` goals are already running. The pipeline's timeout_seconds counts from
   * the moment the goal leaves the queue.
   */
  async run(goal: Goal, options: RunGoalOptions = {}): Promise<PipelineResult> {
    const queuedAt = performance.now();
    let release: () => void;
    try {
      release = await this.#slots.acquire(options.signal);
    } catch (reason) {
      return this.#cancelledWhileQueued(goal, reason, performance.now() - queuedAt);
    }
    try {
      return await runGoal(this.#plan, goal, this.#dispatcher, {
        ...options,
        queuedMs: performance.now() - queuedAt,
      });
    } finally {
      release();
    }
  }

  #cancelledWhileQueued(goal: Goal, reason: unknown, queuedMs: number): PipelineResult {
    const stages: Record<string, StageOutcome> = {};
    for (const stage of this.config.stages) {
      stages[stage.name] = { status: StageStatus.Pending, worker_type: stage.workerType };
    }
    const why = reason === undefined ? "" : `: ${errorMessage(reason)}`;
    return {
      goal_id: goal.goal_id,
      pipeline: this.config.name,
      status: PipelineStatus.Cancelled,
      stages,
      error: {
        code: ErrorCode.Cancelled,
        message: `goal '${goal.goal_id}' was cancelled while waiting for a slot${why}`,
      },
      timeline: [],
      duration_ms: 0,
      queued_ms: Math.round(queuedMs * 100) / 100,
    };
  }
}
