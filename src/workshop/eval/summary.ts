/** Totals and latency percentiles of a run's case results. */
import type { CaseResult, EvalSummary } from "./run-types.js";

/**
 * Summarizes case results: counts, pass rate, mean score, p50/p95 latency (nearest rank) and the
 * worker's token totals.
 *
 * @example const { pass_rate } = summarize(run.cases);
 */
export function summarize(cases: readonly CaseResult[]): EvalSummary {
  const count = cases.length;
  const passed = cases.filter((c) => c.passed).length;
  const errors = cases.filter((c) => c.error !== null).length;
  const latencies = cases.map((c) => c.latency_ms).sort((a, b) => a - b);
  return {
    cases: count,
    passed,
    failed: count - passed - errors,
    errors,
    pass_rate: count === 0 ? 0 : passed / count,
    mean_score: count === 0 ? 0 : cases.reduce((sum, c) => sum + c.score, 0) / count,
    latency_p50_ms: percentile(latencies, 0.5),
    latency_p95_ms: percentile(latencies, 0.95),
    tokens: {
      input: cases.reduce((sum, c) => sum + c.token_usage.input, 0),
      output: cases.reduce((sum, c) => sum + c.token_usage.output, 0),
    },
  };
}

/** Nearest-rank percentile of sorted values (0 for none). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}
