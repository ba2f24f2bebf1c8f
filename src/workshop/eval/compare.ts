/**
 * Comparing a run with the golden baseline: which cases newly fail, which were fixed, and how
 * scores, latency and outputs moved.
 */
import { deepEqual } from "./deep-equal.js";
import type { EvalRun } from "./run-types.js";

/** How a case moved between the baseline and this run. */
export const CaseChange = {
  NewlyFailing: "newly_failing",
  Fixed: "fixed",
  StillFailing: "still_failing",
  StillPassing: "still_passing",
  NewCase: "new_case",
} as const;
export type CaseChange = (typeof CaseChange)[keyof typeof CaseChange];

/** One case of a run compared with the same-named case of the baseline. */
export interface CaseDelta {
  name: string;
  change: CaseChange;
  /** This run's score minus the baseline's; null for a new case. */
  score_delta: number | null;
  latency_delta_ms: number | null;
  /** The output differs from the baseline's (false for a new case). */
  output_changed: boolean;
  /** The case errored in this run. */
  error: boolean;
}

const ORDER: readonly CaseChange[] = ["newly_failing", "fixed", "still_failing", "new_case", "still_passing"];

/**
 * Compares each case of `run` with the baseline case of the same name. Ordered newly_failing,
 * fixed, still_failing, new_case, still_passing; suite order within each. Cases only in the
 * baseline are left out.
 *
 * @example
 * const regressions = compareRuns(run, baseline).filter((d) => d.change === "newly_failing");
 */
export function compareRuns(run: EvalRun, baseline: EvalRun): CaseDelta[] {
  const before = new Map(baseline.cases.map((c) => [c.name, c]));
  const deltas = run.cases.map((now): CaseDelta => {
    const then = before.get(now.name);
    if (!then) {
      return {
        name: now.name,
        change: "new_case",
        score_delta: null,
        latency_delta_ms: null,
        output_changed: false,
        error: now.error !== null,
      };
    }
    const change: CaseChange = now.passed
      ? then.passed
        ? "still_passing"
        : "fixed"
      : then.passed
        ? "newly_failing"
        : "still_failing";
    return {
      name: now.name,
      change,
      score_delta: now.score - then.score,
      latency_delta_ms: now.latency_ms - then.latency_ms,
      output_changed: !deepEqual(now.output, then.output),
      error: now.error !== null,
    };
  });
  // Array.prototype.sort is stable, so suite order holds within each change.
  return deltas.sort((a, b) => ORDER.indexOf(a.change) - ORDER.indexOf(b.change));
}

/** Views of a comparison the Workshop offers. */
export const DeltaFilter = {
  Regressions: "regressions",
  Improvements: "improvements",
  Errors: "errors",
  Changed: "changed",
} as const;
export type DeltaFilter = (typeof DeltaFilter)[keyof typeof DeltaFilter];

/**
 * The deltas a filter keeps: `regressions` — newly failing or score down; `improvements` — fixed
 * or score up; `errors` — errored in this run; `changed` — output differs. No filter keeps all.
 *
 * @example filterDeltas(compareRuns(run, baseline), "regressions")
 */
export function filterDeltas(deltas: readonly CaseDelta[], filter: DeltaFilter | undefined): CaseDelta[] {
  switch (filter) {
    case undefined:
      return [...deltas];
    case "regressions":
      return deltas.filter((d) => d.change === "newly_failing" || (d.score_delta ?? 0) < 0);
    case "improvements":
      return deltas.filter((d) => d.change === "fixed" || (d.score_delta ?? 0) > 0);
    case "errors":
      return deltas.filter((d) => d.error);
    case "changed":
      return deltas.filter((d) => d.output_changed);
  }
}
