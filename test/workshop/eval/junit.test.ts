import { describe, expect, it } from "vitest";
import { compareRuns, toJUnitXml } from "../../../src/workshop/eval/index.js";
import { caseResult, evalRun } from "./run-fixtures.js";
import { findAll, parseXml } from "./xml-check.js";

describe("toJUnitXml", () => {
  const baseline = evalRun([caseResult("ok", true), caseResult("broke", true), caseResult("errored", true)]);
  const run = evalRun([
    caseResult("ok", true, { latency_ms: 1234, output: { note: "<b>&amp;</b> \u0001 ]]>" } }),
    caseResult('broke "quoted" <name> & more', false, {
      score: 0.4,
      diff: [{ path: "people[0]", kind: "changed", expected: "Ann", actual: "A<n>" }],
    }),
    caseResult("broke", false, { score: 0.5 }),
    caseResult("errored", false, {
      output: null,
      error: { code: "llm_error", message: 'HTTP 500 "boom" <html>\n& more' },
      raw_response: "\u0000bad\u001b",
    }),
  ]);

  it("is well-formed JUnit XML with counts, times in seconds and escaped text", () => {
    const root = parseXml(toJUnitXml(run, compareRuns(run, baseline)));
    expect(root.name).toBe("testsuites");
    expect(root.attributes).toMatchObject({ tests: "4", failures: "2", errors: "1", time: "1.500" });
    const [suite] = findAll(root, "testsuite");
    expect(suite?.attributes).toMatchObject({
      name: "loom eval entity_extractor",
      tests: "4",
      failures: "2",
      errors: "1",
    });
    const properties = Object.fromEntries(
      findAll(root, "property").map((p) => [p.attributes.name, p.attributes.value]),
    );
    expect(properties).toMatchObject({
      run_id: run.id,
      worker: "entity_extractor",
      tier: "local",
      scoring: "exact",
    });
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => c.attributes.name)).toEqual([
      "ok",
      'broke "quoted" <name> & more',
      "broke",
      "errored",
    ]);
    expect(cases[0]?.attributes.time).toBe("1.234");
    expect(cases[0]?.children.map((c) => c.name)).toEqual(["system-out"]);
    expect(cases[0]?.children[0]?.text).toContain("<b>&amp;</b>");
  });

  it("says why a case failed or errored, and which failures are new against the baseline", () => {
    const root = parseXml(toJUnitXml(run, compareRuns(run, baseline)));
    const [, renamed, broke, errored] = findAll(root, "testcase");
    const failure = renamed?.children.find((c) => c.name === "failure");
    expect(failure?.attributes.message).toBe("score 0.40 below the pass threshold");
    expect(failure?.text).toContain('changed people[0]: expected "Ann", got "A<n>"');
    expect(broke?.children.find((c) => c.name === "failure")?.attributes.message).toBe(
      "score 0.50 below the pass threshold (newly failing vs the baseline)",
    );
    const error = errored?.children.find((c) => c.name === "error");
    expect(error?.attributes).toEqual({ message: 'HTTP 500 "boom" <html>\n& more', type: "llm_error" });
    expect(error?.text).toBe("\uFFFDbad\uFFFD");
  });
});
