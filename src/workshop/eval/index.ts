/**
 * The Workshop's evaluation engine (guide Part 1, "Step 5: Evaluate systematically"): eval suites
 * beside the worker configs, scoring (exact, field match, LLM judge), suite runs, comparison with
 * a golden baseline, a local run store and JUnit output.
 */

export { writeFileAtomic } from "./atomic-write.js";
export { CaseChange, type CaseDelta, compareRuns, DeltaFilter, filterDeltas } from "./compare.js";
export { deepEqual } from "./deep-equal.js";
export { findWorkerFile, workersDirOf } from "./find-worker.js";
export { type JsonDiffEntry, jsonDiff } from "./json-diff.js";
export {
  createJudge,
  DEFAULT_JUDGE_TIER,
  type Judge,
  type JudgeRequest,
  type JudgeVerdict,
} from "./judge.js";
export { toJUnitXml } from "./junit.js";
export { formatCaseLine, formatProgress, formatSummary } from "./report.js";
export {
  type EvalGateOptions,
  gateFailures,
  type RunEvalOptions,
  type RunEvalOutcome,
  runEval,
} from "./run-eval.js";
export { assertRunId, newRunId, RUN_ID_PATTERN } from "./run-id.js";
export { configHashOf, DEFAULT_EVAL_CONCURRENCY, type RunSuiteOptions, runSuite } from "./run-suite.js";
export type { CaseResult, EvalRun, EvalSummary } from "./run-types.js";
export { type CaseScore, scoreExact, scoreFields } from "./score.js";
export { type BaselineRecord, EvalStore } from "./store.js";
export {
  assertWorkerName,
  evalSuitePath,
  loadSuite,
  parseSuite,
  saveSuite,
  stringifySuite,
} from "./suite.js";
export { formatSuiteIssue, type SuiteIssue } from "./suite-issues.js";
export { EvalSuiteSchema } from "./suite-schema.js";
export {
  type EvalCase,
  type EvalSuite,
  type FieldRule,
  type Scoring,
  ScoringMethod,
  WORKER_NAME_PATTERN,
} from "./suite-types.js";
export { summarize } from "./summary.js";
