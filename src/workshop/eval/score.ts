/**
 * Deterministic scoring of a worker's output against a case's expected output: `exact` and
 * `field_match`. (`llm_judge` asks a model; see judge.ts.)
 */
import { deepEqual } from "./deep-equal.js";
import type { FieldRule } from "./suite-types.js";

/** The score of one case. */
export interface CaseScore {
  /** 0..1. */
  score: number;
  passed: boolean;
  /** Why, when the scorer says (the LLM judge does). */
  reason?: string;
}

/**
 * 1 when `actual` equals `expected` (key order irrelevant, arrays in order), else 0.
 *
 * @example scoreExact({ count: 3 }, { count: 3 }) // 1
 */
export function scoreExact(
  expected: Record<string, unknown>,
  actual: Record<string, unknown> | null,
): number {
  return deepEqual(expected, actual) ? 1 : 0;
}

/**
 * The weighted share of fields that match: each field of `fields` (default: every field of
 * `expected`, weight 1) scores 1 when the actual value deep-equals the expected one, or — for two
 * numbers — lies within the field's `tolerance`; else 0. With no fields to compare the score is 1.
 *
 * @example
 * scoreFields({ people: ["Ann"], count: 3 }, { people: ["Ann"], count: 4 }) // 0.5
 * scoreFields({ total: 10 }, { total: 10.4 }, { total: { tolerance: 0.5 } }) // 1
 */
export function scoreFields(
  expected: Record<string, unknown>,
  actual: Record<string, unknown> | null,
  fields?: Record<string, FieldRule>,
): number {
  const rules: [string, FieldRule][] = fields
    ? Object.entries(fields)
    : Object.keys(expected).map((name) => [name, {}]);
  let total = 0;
  let matched = 0;
  for (const [name, rule] of rules) {
    const weight = rule.weight ?? 1;
    total += weight;
    if (fieldMatches(expected[name], actual?.[name], rule.tolerance ?? 0)) matched += weight;
  }
  return total === 0 ? 1 : matched / total;
}

function fieldMatches(expected: unknown, actual: unknown, tolerance: number): boolean {
  if (typeof expected === "number" && typeof actual === "number") {
    return Math.abs(expected - actual) <= tolerance;
  }
  return deepEqual(expected, actual);
}
