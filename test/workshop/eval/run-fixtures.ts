/** Hand-built eval runs for tests of comparison, storage and reports. */
import type { CaseResult, EvalRun } from "../../../src/workshop/eval/index.js";
import { newRunId, summarize } from "../../../src/workshop/eval/index.js";

/** A case result; `passed` decides the default score. */
export function caseResult(name: string, passed: boolean, overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    name,
    input: { text: name },
    expected: { count: 1 },
    output: { count: passed ? 1 : 0 },
    passed,
    score: passed ? 1 : 0,
    error: null,
    latency_ms: 100,
    token_usage: { input: 10, output: 5 },
    model_used: "fake-model",
    raw_response: null,
    diff: [],
    ...overrides,
  };
}

/** A run of `cases` for entity_extractor. */
export function evalRun(cases: CaseResult[], at = new Date()): EvalRun {
  return {
    id: newRunId(at),
    worker: "entity_extractor",
    tier: "local",
    scoring: "exact",
    started_at: at.toISOString(),
    finished_at: new Date(at.getTime() + 1500).toISOString(),
    config_hash: "abc",
    cases,
    summary: summarize(cases),
  };
}
