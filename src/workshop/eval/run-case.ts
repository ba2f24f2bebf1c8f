/**
 * Runs one eval case: dispatch the input to the worker, then score the output by the suite's
 * method. Every failure (task, dispatcher, judge) becomes the case's `error`, never a throw.
 */
import { randomUUID } from "node:crypto";
import type { Tier } from "../../config/types.js";
import { errorMessage } from "../../errors.js";
import type { Dispatcher } from "../../worker/dispatcher.js";
import type { TaskError, TaskResult } from "../../worker/messages.js";
import { jsonDiff } from "./json-diff.js";
import type { Judge } from "./judge.js";
import type { CaseResult } from "./run-types.js";
import { scoreExact, scoreFields } from "./score.js";
import type { EvalCase, EvalSuite } from "./suite-types.js";

/** What {@link runCase} needs besides the case. */
export interface RunCaseContext {
  suite: EvalSuite;
  workerName: string;
  tier: Tier;
  dispatcher: Dispatcher;
  /** Present for `llm_judge` suites. */
  judge?: Judge;
  signal?: AbortSignal;
}

/** Runs and scores one case. */
export async function runCase(evalCase: EvalCase, ctx: RunCaseContext): Promise<CaseResult> {
  const started = performance.now();
  const result = await dispatchCase(evalCase, ctx);
  const base: CaseResult = {
    name: evalCase.name,
    input: evalCase.input,
    expected: evalCase.expected,
    output: result.output,
    passed: false,
    score: 0,
    error: result.error,
    latency_ms: result.latency_ms > 0 ? result.latency_ms : Math.round(performance.now() - started),
    token_usage: result.token_usage,
    model_used: result.model_used,
    raw_response: result.raw_response ?? null,
    diff: result.output === null ? [] : jsonDiff(evalCase.expected, result.output),
  };
  if (result.status !== "completed" || result.output === null) {
    return {
      ...base,
      error: result.error ?? { code: "internal", message: "the task failed without an error" },
    };
  }
  const { scoring, pass_threshold } = ctx.suite;
  if (scoring.method === "llm_judge") {
    if (!ctx.judge) throw new Error("runCase: an llm_judge suite needs a judge");
    const verdict = await ctx.judge.judge({
      rubric: scoring.rubric,
      input: evalCase.input,
      expected: evalCase.expected,
      actual: result.output,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (!verdict.ok) return { ...base, error: verdict.error, judge_token_usage: verdict.usage };
    return {
      ...base,
      score: verdict.score,
      passed: verdict.score >= pass_threshold,
      judge_reason: verdict.reason,
      judge_token_usage: verdict.usage,
    };
  }
  const score =
    scoring.method === "exact"
      ? scoreExact(evalCase.expected, result.output)
      : scoreFields(evalCase.expected, result.output, scoring.fields);
  return { ...base, score, passed: score >= pass_threshold };
}

async function dispatchCase(evalCase: EvalCase, ctx: RunCaseContext): Promise<TaskResult> {
  const task = {
    task_id: randomUUID(),
    worker_type: ctx.workerName,
    tier: ctx.tier,
    payload: evalCase.input,
    created_at: new Date().toISOString(),
    metadata: { eval_case: evalCase.name },
  };
  try {
    return await ctx.dispatcher.dispatch(task, ctx.signal ? { signal: ctx.signal } : {});
  } catch (error) {
    // A Dispatcher resolves for task failures; a rejection is a broken dispatcher, reported per case.
    const taskError: TaskError = {
      code: "internal",
      message: `the dispatcher failed: ${errorMessage(error)}`,
    };
    return {
      task_id: task.task_id,
      worker_type: task.worker_type,
      status: "failed",
      output: null,
      error: taskError,
      model_used: null,
      token_usage: { input: 0, output: 0 },
      latency_ms: 0,
      raw_response: null,
    };
  }
}
