/**
 * Tasks and result checks shared by the Dispatcher contract's case files.
 */
import { expect } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import type { TaskMessage, TaskResult } from "../../src/worker/messages.js";
import { UN_TEXT } from "../fixtures/entity-extractor.js";

let sequence = 0;

/** A task with a unique marker in its text (for `LlmScript.on`) and every id a caller may set. */
export interface SuiteTask {
  task: TaskMessage;
  /** `[task N]`: in the payload's text, so the fake LLM can tell this task's requests apart. */
  marker: string;
}

/** A task for `workerType` whose text is the guide's example sentence plus a unique marker. */
export function newTask(workerType: string, payload?: Record<string, unknown>): SuiteTask {
  sequence += 1;
  const marker = `[task ${sequence}]`;
  return {
    marker,
    task: {
      task_id: `contract-${sequence}`,
      worker_type: workerType,
      payload: payload ?? { text: `${UN_TEXT} ${marker}` },
      parent_task_id: `parent-of-${sequence}`,
      goal_id: `goal-of-${sequence}`,
      created_at: new Date().toISOString(),
    },
  };
}

/** The fields a result copies from its task. */
export function carriedOver(task: TaskMessage): Partial<TaskResult> {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    ...(task.parent_task_id === undefined ? {} : { parent_task_id: task.parent_task_id }),
    ...(task.goal_id === undefined ? {} : { goal_id: task.goal_id }),
  };
}

/**
 * Asserts a failed result of `task` with `code`, no output, and a message that names `mentions`.
 * Returns the result for further checks.
 */
export function expectFailure(
  result: TaskResult,
  task: TaskMessage,
  code: ErrorCode,
  mentions: string | RegExp,
): TaskResult {
  expect(result).toMatchObject({ ...carriedOver(task), status: "failed", output: null });
  expect(result.error?.code).toBe(code);
  expect(result.error?.message).toMatch(mentions);
  expect(result.latency_ms).toBeGreaterThanOrEqual(0);
  return result;
}

/** Resolves once `condition()` holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `promise` and measures how long it took to settle. */
export async function timed<T>(promise: Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, elapsedMs: performance.now() - started };
}
