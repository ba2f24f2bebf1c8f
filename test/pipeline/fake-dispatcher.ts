/**
 * A controllable Dispatcher for runner tests: every task waits until the test completes or fails
 * it, and every start, end and abort is recorded in order, so tests assert on event order, never
 * on wall-clock time.
 */
import type { PipelineConfig, PipelineStage } from "../../src/config/types.js";
import type { ErrorCode } from "../../src/errors.js";
import type { Dispatcher, DispatchOptions } from "../../src/worker/dispatcher.js";
import type { TaskMessage, TaskResult } from "../../src/worker/messages.js";

interface Call {
  task: TaskMessage;
  signal?: AbortSignal;
  resolve: (result: TaskResult) => void;
  settled: boolean;
}

export interface FakeDispatcherOptions {
  /** Resolve a task with a `cancelled` failure when its signal aborts (as LocalDispatcher does). @default true */
  resolveOnAbort?: boolean;
  /** Answer some tasks at once: return an output to complete, or undefined to wait for the test. */
  respond?: (task: TaskMessage) => Record<string, unknown> | undefined;
}

/** Records `start:<stage>`, `end:<stage>`, `fail:<stage>` and `abort:<stage>` in `log`. */
export class FakeDispatcher implements Dispatcher {
  readonly log: string[] = [];
  readonly calls: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly #waiters: Array<{ match: (c: Call) => boolean; resolve: (c: Call) => void }> = [];

  constructor(readonly options: FakeDispatcherOptions = {}) {}

  dispatch(task: TaskMessage, options: DispatchOptions = {}): Promise<TaskResult> {
    const stage = stageOf(task);
    this.log.push(`start:${stage}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<TaskResult>((resolve) => {
      const call: Call = { task, signal: options.signal, resolve, settled: false };
      this.calls.push(call);
      // A goal's signal can abort after this stage settled; like a real dispatcher, ignore that.
      options.signal?.addEventListener("abort", () => {
        if (call.settled) return;
        this.log.push(`abort:${stage}`);
        if (this.options.resolveOnAbort ?? true) this.#settle(call, failure(task, "cancelled", "aborted"));
      });
      for (const waiter of this.#waiters.filter((w) => w.match(call))) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(call);
      }
      const output = this.options.respond?.(task);
      if (output) this.#settle(call, success(task, output));
    });
  }

  /** Resolves when a task for `stage` (of `goalId`, if given) has been dispatched. */
  started(stage: string, goalId?: string): Promise<Call> {
    const match = (c: Call): boolean => stageOf(c.task) === stage && (!goalId || c.task.goal_id === goalId);
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** True when a task for `stage` has been dispatched. */
  hasStarted(stage: string): boolean {
    return this.calls.some((c) => stageOf(c.task) === stage);
  }

  /** Completes the running task of `stage` with `output`. */
  complete(stage: string, output: Record<string, unknown> = {}, goalId?: string): void {
    const call = this.#open(stage, goalId);
    this.log.push(`end:${stage}`);
    this.#settle(call, success(call.task, output));
  }

  /** Fails the running task of `stage`. */
  fail(stage: string, code: ErrorCode, message: string): void {
    const call = this.#open(stage);
    this.log.push(`fail:${stage}`);
    this.#settle(call, failure(call.task, code, message));
  }

  #open(stage: string, goalId?: string): Call {
    const call = this.calls.find(
      (c) => !c.settled && stageOf(c.task) === stage && (!goalId || c.task.goal_id === goalId),
    );
    if (!call) throw new Error(`no running task for stage '${stage}' (log: ${this.log.join(", ")})`);
    return call;
  }

  #settle(call: Call, result: TaskResult): void {
    if (call.settled) return;
    call.settled = true;
    this.inFlight--;
    call.resolve(result);
  }
}

function stageOf(task: TaskMessage): string {
  return String(task.metadata?.stage);
}

function success(task: TaskMessage, output: Record<string, unknown>): TaskResult {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    status: "completed",
    output,
    error: null,
    model_used: "fake",
    token_usage: { input: 1, output: 1 },
    latency_ms: 0,
  };
}

function failure(task: TaskMessage, code: ErrorCode, message: string): TaskResult {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    status: "failed",
    output: null,
    error: { code, message },
    model_used: null,
    token_usage: { input: 0, output: 0 },
    latency_ms: 0,
  };
}

/** Lets pending promise callbacks and timers of zero delay run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A stage with defaults: worker_type `<name>_worker`, no mapping. */
export function stage(name: string, fields: Partial<PipelineStage> = {}): PipelineStage {
  return { name, workerType: `${name}_worker`, inputMapping: {}, ...fields };
}

/** A pipeline with defaults: timeout 300 s, one goal at a time. */
export function pipeline(stages: PipelineStage[], fields: Partial<PipelineConfig> = {}): PipelineConfig {
  return { name: "test_pipeline", timeoutSeconds: 300, maxConcurrentGoals: 1, stages, ...fields };
}
