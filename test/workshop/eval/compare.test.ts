import { describe, expect, it } from "vitest";
import { compareRuns, filterDeltas, summarize } from "../../../src/workshop/eval/index.js";
import { caseResult, evalRun } from "./run-fixtures.js";

const baseline = evalRun([
  caseResult("a_pass_pass", true),
  caseResult("b_pass_fail", true),
  caseResult("c_fail_pass", false),
  caseResult("d_fail_fail", false, { score: 0.5 }),
  caseResult("e_pass_fail", true),
  caseResult("removed", true),
]);
const run = evalRun([
  caseResult("a_pass_pass", true, { latency_ms: 150 }),
  caseResult("b_pass_fail", false),
  caseResult("c_fail_pass", true),
  caseResult("d_fail_fail", false, { score: 0.25, output: { count: 7 } }),
  caseResult("e_pass_fail", false, { output: null, error: { code: "llm_error", message: "500" } }),
  caseResult("new_one", true),
]);

describe("compareRuns", () => {
  it("orders newly failing, fixed, still failing, new, still passing — suite order inside each", () => {
    const deltas = compareRuns(run, baseline);
    expect(deltas.map((d) => [d.name, d.change])).toEqual([
      ["b_pass_fail", "newly_failing"],
      ["e_pass_fail", "newly_failing"],
      ["c_fail_pass", "fixed"],
      ["d_fail_fail", "still_failing"],
      ["new_one", "new_case"],
      ["a_pass_pass", "still_passing"],
    ]);
    const byName = new Map(deltas.map((d) => [d.name, d]));
    expect(byName.get("a_pass_pass")).toMatchObject({
      score_delta: 0,
      latency_delta_ms: 50,
      output_changed: false,
    });
    expect(byName.get("d_fail_fail")).toMatchObject({
      score_delta: -0.25,
      output_changed: true,
      error: false,
    });
    expect(byName.get("e_pass_fail")).toMatchObject({ score_delta: -1, error: true, output_changed: true });
    expect(byName.get("new_one")).toMatchObject({ score_delta: null, latency_delta_ms: null });
  });

  it("filters regressions, improvements, errors and changed outputs", () => {
    const deltas = compareRuns(run, baseline);
    const names = (filter: Parameters<typeof filterDeltas>[1]) =>
      filterDeltas(deltas, filter).map((d) => d.name);
    expect(names("regressions")).toEqual(["b_pass_fail", "e_pass_fail", "d_fail_fail"]);
    expect(names("improvements")).toEqual(["c_fail_pass"]);
    expect(names("errors")).toEqual(["e_pass_fail"]);
    expect(names("changed")).toEqual(["b_pass_fail", "e_pass_fail", "c_fail_pass", "d_fail_fail"]);
    expect(names(undefined)).toHaveLength(6);
  });
});

describe("summarize", () => {
  it("counts passes, failures and errors, with nearest-rank latency percentiles", () => {
    const cases = Array.from({ length: 20 }, (_, i) =>
      caseResult(`c${i}`, i % 2 === 0, { latency_ms: (i + 1) * 10, score: i % 2 === 0 ? 1 : 0.5 }),
    );
    cases[1] = caseResult("c1", false, {
      error: { code: "timeout", message: "t" },
      latency_ms: 20,
      score: 0,
    });
    expect(summarize(cases)).toEqual({
      cases: 20,
      passed: 10,
      failed: 9,
      errors: 1,
      pass_rate: 0.5,
      mean_score: (10 + 9 * 0.5) / 20,
      latency_p50_ms: 100,
      latency_p95_ms: 190,
      tokens: { input: 200, output: 100 },
    });
    expect(summarize([])).toMatchObject({ cases: 0, pass_rate: 0, latency_p95_ms: 0 });
  });
});
