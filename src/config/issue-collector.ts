/**
 * Collects the issues of one config file, placing each at the source position of its YAML path.
 * Rules call `error` / `warning` with a data path; the collector does the rest.
 */
import { createRequire } from "node:module";
import type { ConfigIssue } from "./issues.js";
import { type DataPath, formatPath, type YamlSource } from "./yaml-source.js";

// fastest-levenshtein (CommonJS) is required when the first suggestion is wanted: a valid config
// never asks for one, so loading configs at start-up does not load it.
const require = createRequire(import.meta.url);
type Levenshtein = typeof import("fastest-levenshtein");

export interface IssueOptions {
  /** Point at the key rather than the value (unknown keys, duplicate names). */
  key?: boolean;
}

/** Issue sink for one file. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  constructor(readonly source: YamlSource) {}

  error(path: DataPath, message: string, options?: IssueOptions): void {
    this.add("error", path, message, options);
  }

  warning(path: DataPath, message: string, options?: IssueOptions): void {
    this.add("warning", path, message, options);
  }

  /** Adds issues found elsewhere (e.g. in a referenced file) as they are. */
  addAll(issues: readonly ConfigIssue[]): void {
    this.issues.push(...issues);
  }

  get errorCount(): number {
    return this.issues.filter((i) => i.severity === "error").length;
  }

  private add(severity: ConfigIssue["severity"], path: DataPath, message: string, options?: IssueOptions) {
    const { line, column } = this.source.position(path, options);
    this.issues.push({ file: this.source.file, line, column, path: formatPath(path), message, severity });
  }
}

/**
 * " — did you mean 'system_prompt'?" when a known name is close to `name`, else "".
 * Close means at most a third of the name's letters differ (at least 1, at most 3).
 */
export function didYouMean(name: string, known: readonly string[]): string {
  if (known.length === 0) return "";
  const { closest, distance } = require("fastest-levenshtein") as Levenshtein;
  const best = closest(name, [...known]);
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  return best !== name && distance(name, best) <= limit ? ` — did you mean '${best}'?` : "";
}

/** `v` as a mapping of keys to values, or undefined when it is not one (null, a list, a scalar). */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The value at `path` inside `data`, or undefined. */
export function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** A short rendering of a value for messages: `'fast'`, `0`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  return String(value);
}
