/**
 * The work behind `loom validate`: validate a set of files and render the result as text or JSON,
 * with the exit code the CLI should use. Starts no infrastructure and needs no network.
 */
import path from "node:path";
import type { PipelineData } from "./definitions/index.js";
import { explainLevels, pipelineLevels } from "./explain.js";
import { type ConfigIssue, formatIssue } from "./issues.js";
import type { ConfigKind } from "./types.js";
import { checkConfigFile } from "./validate-file.js";

/** Options of {@link validateFiles}. */
export interface ValidateFilesOptions {
  kind?: ConfigKind;
  workersDir?: string;
  /** Compute pipeline levels. @default false */
  explain?: boolean;
}

/** The result for one file. `levels` is set for valid pipelines when explaining. */
export interface FileReport {
  file: string;
  kind: ConfigKind | undefined;
  issues: ConfigIssue[];
  levels?: string[][];
}

/** Validates each file (in order) and returns one report per file. */
export async function validateFiles(
  files: readonly string[],
  options: ValidateFilesOptions = {},
): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const file of files) {
    const checked = await checkConfigFile(file, { kind: options.kind, workersDir: options.workersDir });
    const report: FileReport = { file, kind: checked.kind, issues: checked.issues };
    if (options.explain && checked.kind === "pipeline" && checked.data) {
      const data = checked.data as PipelineData;
      report.levels = pipelineLevels(
        data.pipeline_stages.map((s) => ({
          name: s.name,
          inputMapping: s.input_mapping,
          dependsOn: s.depends_on,
          condition: s.condition,
        })),
      );
    }
    reports.push(report);
  }
  return reports;
}

/** Counts errors and warnings over all reports. */
export function countIssues(reports: readonly FileReport[]): { errors: number; warnings: number } {
  const all = reports.flatMap((r) => r.issues);
  const errors = all.filter((i) => i.severity === "error").length;
  return { errors, warnings: all.length - errors };
}

/** 0 when clean, 1 when any error (or, with `strict`, any warning). */
export function exitCodeFor(reports: readonly FileReport[], strict: boolean): number {
  const { errors, warnings } = countIssues(reports);
  return errors > 0 || (strict && warnings > 0) ? 1 : 0;
}

/** Human-readable output: one line per file, one per issue, levels when explained, a summary. */
export function formatReportText(reports: readonly FileReport[], cwd: string = process.cwd()): string {
  const lines: string[] = [];
  const shown = (file: string) => {
    const relative = path.relative(cwd, file);
    return path.isAbsolute(file) && relative !== "" && !relative.startsWith("..") ? relative : file;
  };
  for (const report of reports) {
    const errors = report.issues.filter((i) => i.severity === "error").length;
    const status = errors > 0 ? "FAIL" : "ok  ";
    lines.push(`${status} ${shown(report.file)}${report.kind ? ` (${report.kind})` : ""}`);
    for (const issue of report.issues) lines.push(`  ${formatIssue({ ...issue, file: shown(issue.file) })}`);
    for (const line of explainLevels(report.levels ?? [])) lines.push(`  ${line}`);
  }
  const { errors, warnings } = countIssues(reports);
  const files = `${reports.length} file${reports.length === 1 ? "" : "s"}`;
  lines.push(
    `${files} checked: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Machine-readable output (`--json`). */
export function formatReportJson(reports: readonly FileReport[], strict: boolean): string {
  const { errors, warnings } = countIssues(reports);
  return `${JSON.stringify({ ok: exitCodeFor(reports, strict) === 0, errors, warnings, files: reports }, null, 2)}\n`;
}
