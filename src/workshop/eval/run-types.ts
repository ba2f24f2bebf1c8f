/**
 * The record of an eval run: one result per case and a summary. Plain JSON, snake_case, the same
 * in the store, in the Workshop and in `loom eval` output.
 */
import type { Tier } from "../../config/types.js";
import type { TaskError, TokenUsage } from "../../worker/messages.js";
import type { JsonDiffEntry } from "./json-diff.js";
import type { Scoring } from "./suite-types.js";

/** What one case did. */
export interface CaseResult {
  name: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  /** The worker's output; null when the task failed. */
  output: Record<string, unknown> | null;
  /** No error and `score >= pass_threshold`. */
  passed: boolean;
  /** 0..1; 0 when the case errored. */
  score: number;
  /** Why the task (or the judge) failed; null when the case was scored. */
  error: TaskError | null;
  latency_ms: number;
  /** Tokens the worker's task consumed (the judge's are in `judge_token_usage`). */
  token_usage: TokenUsage;
  model_used: string | null;
  raw_response: string | null;
  /** Expected → actual differences (empty when the output is null). */
  diff: JsonDiffEntry[];
  /** The judge's reason (`llm_judge` only). */
  judge_reason?: string;
  /** Tokens the judge call consumed (`llm_judge` only). */
  judge_token_usage?: TokenUsage;
}

/** Totals of a run. `cases = passed + failed + errors`. */
export interface EvalSummary {
  cases: number;
  passed: number;
  /** Scored below the pass threshold. */
  failed: number;
  /** Failed to produce a score (task or judge error). */
  errors: number;
  /** passed / cases (0 for no cases). */
  pass_rate: number;
  mean_score: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  tokens: { input: number; output: number };
}

/** One run of a suite. */
export interface EvalRun {
  /** Sortable and filename-safe: ISO time with `-` for `:`, then a random suffix. */
  id: string;
  worker: string;
  /** The tier the worker ran on. */
  tier: Tier;
  scoring: Scoring["method"];
  /** The suite's pass threshold at run time. */
  pass_threshold?: number;
  started_at: string;
  finished_at: string;
  /** sha256 (hex) of the worker YAML text; "" when unknown. */
  config_hash: string;
  /** In suite order. After an abort: only the cases that started. */
  cases: CaseResult[];
  summary: EvalSummary;
  /** True when the run was aborted before every case ran. */
  aborted?: boolean;
}
