/**
 * Config issues: one problem in one config file, with its source position and YAML path, and the
 * error that carries all of them when a config cannot be loaded.
 */
import { LoomError } from "../errors.js";

/** One problem found in a config file. `line` and `column` are 1-based. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** YAML path such as `pipeline_stages[2].input_mapping.text`; "" for the whole file. */
  path: string;
  message: string;
  severity: "error" | "warning";
}

/** Formats one issue as `file:line:col  path  message` (warnings are marked). */
export function formatIssue(issue: ConfigIssue): string {
  const mark = issue.severity === "warning" ? "warning: " : "";
  return `${issue.file}:${issue.line}:${issue.column}  ${issue.path || "(root)"}  ${mark}${issue.message}`;
}

/** True when any issue is an error (warnings do not count). */
export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

/** Sorts issues by file, line and column, keeping the order of issues at the same place. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/**
 * Thrown by the `load*Config` functions when a config file breaks a rule. `issues` lists every
 * problem found (errors and warnings); the message lists each as `file:line:col  path  message`.
 */
export class ConfigValidationError extends LoomError {
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const errors = issues.filter((i) => i.severity === "error").length;
    const lines = sortIssues(issues).map((i) => `  ${formatIssue(i)}`);
    super(
      "config_invalid",
      `${file}: ${errors} error${errors === 1 ? "" : "s"} in config\n${lines.join("\n")}`,
      { details: { file, issues } },
    );
    this.issues = issues;
  }
}
