/**
 * The shape of an eval suite: test cases for one worker and how their outputs are scored
 * (guide Part 1, "Step 5: Evaluate systematically"). Suites are YAML files beside the worker
 * configs, `<configs>/evals/<worker>.yaml`; see suite-schema.ts for the file format.
 */
import type { Tier } from "../../config/types.js";

/** One test case: a payload for the worker and the output it should produce. */
export interface EvalCase {
  /** Unique within the suite; names the case in reports and baselines. */
  name: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/** How one output field counts under `field_match`. */
export interface FieldRule {
  /** Share of the score relative to the other fields. @default 1 */
  weight?: number;
  /** Numbers within this absolute distance of the expected value count as equal. @default 0 */
  tolerance?: number;
}

/** The scoring methods the guide names, in their YAML spelling. */
export const ScoringMethod = { Exact: "exact", FieldMatch: "field_match", LlmJudge: "llm_judge" } as const;
export type ScoringMethod = (typeof ScoringMethod)[keyof typeof ScoringMethod];

/** How a case's output is scored against its expected output (0..1). */
export type Scoring =
  | { method: "exact" }
  | {
      method: "field_match";
      /** Fields to compare and their rules. @default every field of `expected`, weight 1 */
      fields?: Record<string, FieldRule>;
    }
  | {
      method: "llm_judge";
      /** What a good answer looks like; the judge model scores against it. */
      rubric: string;
      /** The tier of the judge model. @default "standard" */
      tier?: Tier;
    };

/** A worker's eval suite. */
export interface EvalSuite {
  /** The worker's `name`. */
  worker: string;
  scoring: Scoring;
  /** A case passes when its score is at least this (0..1). @default 1 */
  pass_threshold: number;
  /** Cases run at once. @default 4 */
  concurrency?: number;
  cases: EvalCase[];
}

/** Worker names a suite file may be named after: they become file and folder names. */
export const WORKER_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
