/**
 * Plain-text views of an eval run for terminals and logs: a line per case, a progress bar, a
 * summary table with the changes against the baseline.
 */
import type { CaseDelta } from "./compare.js";
import type { CaseResult, EvalRun } from "./run-types.js";

/**
 * One line for a finished case.
 *
 * @example formatCaseLine(result) // "case extracts_people: pass 1.00 (412 ms)"
 */
export function formatCaseLine(result: CaseResult): string {
  const latency = `(${result.latency_ms} ms)`;
  if (result.error)
    return `case ${result.name}: error ${result.error.code}: ${result.error.message} ${latency}`;
  return `case ${result.name}: ${result.passed ? "pass" : "fail"} ${result.score.toFixed(2)} ${latency}`;
}

/**
 * A one-line progress bar (redraw it with `\r`).
 *
 * @example formatProgress(3, 10, 1) // "cases 3/10 ▕███████░░░░░░░░░░░░░░░░░▏ 1 failing"
 */
export function formatProgress(done: number, total: number, failing: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `cases ${done}/${total} ▕${"█".repeat(filled)}${"░".repeat(width - filled)}▏ ${failing} failing`;
}

/** The summary table of a run and, with deltas, the newly failing and fixed cases. */
export function formatSummary(run: EvalRun, deltas?: readonly CaseDelta[]): string {
  const s = run.summary;
  const rows: [string, string][] = [
    ["worker", `${run.worker} (tier ${run.tier}, ${run.scoring})`],
    ["run", run.id],
    ["cases", String(s.cases)],
    ["passed", `${s.passed} (failed ${s.failed}, errors ${s.errors})`],
    ["pass rate", `${(s.pass_rate * 100).toFixed(1)}%`],
    ["mean score", s.mean_score.toFixed(3)],
    ["latency", `p50 ${s.latency_p50_ms} ms, p95 ${s.latency_p95_ms} ms`],
    ["tokens", `${s.tokens.input} in, ${s.tokens.output} out`],
  ];
  if (run.aborted) rows.push(["aborted", "yes (not every case ran)"]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (deltas) {
    const named = (change: CaseDelta["change"]) =>
      deltas.filter((d) => d.change === change).map((d) => d.name);
    const newlyFailing = named("newly_failing");
    const fixed = named("fixed");
    lines.push(
      "",
      `vs baseline: ${newlyFailing.length} newly failing, ${fixed.length} fixed, ${named("new_case").length} new`,
    );
    if (newlyFailing.length > 0) lines.push(`newly failing: ${newlyFailing.join(", ")}`);
    if (fixed.length > 0) lines.push(`fixed: ${fixed.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}
