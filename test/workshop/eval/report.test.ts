import { describe, expect, it } from "vitest";
import { formatCaseLine, formatProgress, formatSummary } from "../../../src/workshop/eval/index.js";
import { caseResult, evalRun } from "./run-fixtures.js";

describe("eval text reports", () => {
  it("a line per case: pass, fail or error with latency", () => {
    expect(formatCaseLine(caseResult("extracts_people", true, { latency_ms: 412 }))).toBe(
      "case extracts_people: pass 1.00 (412 ms)",
    );
    expect(formatCaseLine(caseResult("x", false, { score: 0.25 }))).toBe("case x: fail 0.25 (100 ms)");
    expect(formatCaseLine(caseResult("x", false, { error: { code: "timeout", message: "too slow" } }))).toBe(
      "case x: error timeout: too slow (100 ms)",
    );
  });

  it("a progress bar that fills with the cases done", () => {
    expect(formatProgress(3, 10, 1, 10)).toBe("cases 3/10 ▕███░░░░░░░▏ 1 failing");
    expect(formatProgress(10, 10, 0, 10)).toBe("cases 10/10 ▕██████████▏ 0 failing");
  });

  it("a summary with the newly failing and fixed cases when there is a baseline", () => {
    const run = evalRun([caseResult("a", true), caseResult("b", false)]);
    const text = formatSummary(run, [
      {
        name: "b",
        change: "newly_failing",
        score_delta: -1,
        latency_delta_ms: 0,
        output_changed: true,
        error: false,
      },
      { name: "a", change: "fixed", score_delta: 1, latency_delta_ms: 0, output_changed: true, error: false },
    ]);
    expect(text).toContain("pass rate   50.0%");
    expect(text).toContain("newly failing: b\nfixed: a\n");
    expect(formatSummary(run)).not.toContain("baseline");
  });
});
