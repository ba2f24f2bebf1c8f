/**
 * JUnit XML of an eval run, for CI systems (GitHub Actions, GitLab, Jenkins) that show test
 * reports: one `<testcase>` per case, `<failure>` for a case scored below the threshold, `<error>`
 * for a case whose task or judge failed.
 */
import type { CaseDelta } from "./compare.js";
import type { CaseResult, EvalRun } from "./run-types.js";

/**
 * The run as a JUnit XML document. With `deltas` (from `compareRuns`), a failure message says
 * whether the case is newly failing against the baseline.
 *
 * @example await writeFileAtomic("eval.xml", toJUnitXml(run, compareRuns(run, baseline)));
 */
export function toJUnitXml(run: EvalRun, deltas?: readonly CaseDelta[]): string {
  const { summary } = run;
  const byName = new Map((deltas ?? []).map((d) => [d.name, d]));
  const time = seconds(Date.parse(run.finished_at) - Date.parse(run.started_at));
  const counts = `tests="${summary.cases}" failures="${summary.failed}" errors="${summary.errors}" time="${time}"`;
  const suiteName = attr(`loom eval ${run.worker}`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name=${suiteName} ${counts}>`,
    `  <testsuite name=${suiteName} ${counts} skipped="0" timestamp=${attr(run.started_at.replace(/Z$/, ""))}>`,
    "    <properties>",
    ...Object.entries({
      run_id: run.id,
      worker: run.worker,
      tier: run.tier,
      scoring: run.scoring,
      config_hash: run.config_hash,
      pass_rate: summary.pass_rate.toFixed(4),
      mean_score: summary.mean_score.toFixed(4),
    }).map(([name, value]) => `      <property name=${attr(name)} value=${attr(value)}/>`),
    "    </properties>",
    ...run.cases.flatMap((c) => testCase(run.worker, c, byName.get(c.name))),
    "  </testsuite>",
    "</testsuites>",
    "",
  ];
  return lines.join("\n");
}

function testCase(worker: string, c: CaseResult, delta: CaseDelta | undefined): string[] {
  const open = `    <testcase name=${attr(c.name)} classname=${attr(`loom.eval.${worker}`)} time="${seconds(c.latency_ms)}"`;
  const body: string[] = [];
  if (c.error) {
    body.push(
      `      <error message=${attr(c.error.message)} type=${attr(c.error.code)}>${text(c.raw_response ?? "")}</error>`,
    );
  } else if (!c.passed) {
    const vsBaseline = delta?.change === "newly_failing" ? " (newly failing vs the baseline)" : "";
    const message = `score ${c.score.toFixed(2)} below the pass threshold${vsBaseline}`;
    const details = c.diff.map(
      (d) =>
        `${d.kind} ${d.path || "(root)"}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
    );
    if (c.judge_reason) details.unshift(`judge: ${c.judge_reason}`);
    body.push(`      <failure message=${attr(message)} type="score">${text(details.join("\n"))}</failure>`);
  }
  if (c.output) body.push(`      <system-out>${text(JSON.stringify(c.output, null, 2))}</system-out>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, "    </testcase>"];
}

function seconds(ms: number): string {
  return (Math.max(0, Number.isFinite(ms) ? ms : 0) / 1000).toFixed(3);
}

// XML 1.0 allows tab, newline, carriage return and most of Unicode; other control characters
// (and lone surrogates) cannot appear even escaped, so they are replaced.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value
    .replace(NOT_XML_CHAR, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

function attr(value: string): string {
  const escaped = text(value)
    .replaceAll('"', "&quot;")
    .replaceAll("\n", "&#10;")
    .replaceAll("\r", "&#13;")
    .replaceAll("\t", "&#9;");
  return `"${escaped}"`;
}
