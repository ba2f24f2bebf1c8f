/**
 * Turns what is wrong with a suite file into messages that say where (file:line, YAML path) and
 * what would be right.
 */
import type { z } from "zod";
import { describeValue, didYouMean, valueAt } from "../../config/issue-collector.js";
import { type DataPath, formatPath, type YamlSource } from "../../config/yaml-source.js";
import { SUITE_KEYS } from "./suite-schema.js";

/** One problem in a suite file. */
export interface SuiteIssue {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `cases[2].expected`; empty for the whole file. */
  path: string;
  message: string;
}

/** `file:line:column: path: message`. */
export function formatSuiteIssue(issue: SuiteIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

/** Places a message at the value (or, with `key`, the key) at `path` in the source. */
export function issueAt(source: YamlSource, path: DataPath, message: string, key = false): SuiteIssue {
  const { line, column } = source.position(path, { key });
  return { file: source.file, line, column, path: formatPath(path), message };
}

const SCORING_KEYS: Record<string, readonly string[]> = {
  exact: ["method"],
  field_match: ["method", "fields"],
  llm_judge: ["method", "rubric", "tier"],
};

/** The keys allowed in the mapping at `path`. */
function allowedKeys(data: unknown, path: DataPath): readonly string[] {
  if (path.length === 0) return SUITE_KEYS;
  if (path.length === 1 && path[0] === "scoring") {
    const method = valueAt(data, ["scoring", "method"]);
    return SCORING_KEYS[String(method)] ?? ["method"];
  }
  if (path[0] === "scoring" && path[1] === "fields") return ["weight", "tolerance"];
  if (path[0] === "cases") return ["name", "input", "expected"];
  return [];
}

/**
 * Every Zod issue as positioned suite issues, unknown keys first: a misspelt key (`scorin:`) also
 * makes the right one missing, and the misspelling is what the user needs to see.
 */
export function zodSuiteIssues(source: YamlSource, issues: readonly z.core.$ZodIssue[]): SuiteIssue[] {
  const out: SuiteIssue[] = [];
  const ordered = [...issues].sort(
    (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
  );
  for (const issue of ordered) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(source.data, path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, allowed) || ` (allowed keys: ${allowed.join(", ")})`;
        out.push(issueAt(source, [...path, key], `unknown key '${key}'${hint}`, true));
      }
      continue;
    }
    const value = valueAt(source.data, path);
    const parent = valueAt(source.data, path.slice(0, -1));
    const last = path.at(-1);
    const missing =
      value === undefined &&
      last !== undefined &&
      !(parent !== null && typeof parent === "object" && String(last) in parent);
    if (missing) {
      out.push(issueAt(source, path.slice(0, -1), `required key '${String(last)}' is missing`));
      continue;
    }
    out.push(issueAt(source, path, `${messageOf(issue)} (got ${describeValue(value)})`));
  }
  return out;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid|Too|Unrecognized|Expected)\b/.test(issue.message)) return issue.message;
  if (issue.code === "invalid_type") {
    const expected =
      issue.expected === "object"
        ? "a mapping"
        : issue.expected === "array"
          ? "a list"
          : `a ${issue.expected}`;
    return `expected ${expected}`;
  }
  return issue.message;
}
