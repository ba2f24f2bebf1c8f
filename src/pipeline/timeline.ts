/**
 * A human-readable timeline of a goal, for stderr: one line per stage that started (start and
 * end offsets, a bar drawn to scale), then the stages that did not run and why.
 */
import type { PipelineEvent, PipelineResult } from "./types.js";

/** Options of {@link formatTimeline}. */
export interface FormatTimelineOptions {
  /** Width of the bar column in characters. @default 30 */
  barWidth?: number;
}

const ms = (value: number): string => `${Math.round(value)}ms`;

/**
 * Formats a result's timeline, e.g.
 * `extract    completed  0ms → 120ms   ████████`. Ends with a summary line.
 */
export function formatTimeline(result: PipelineResult, options: FormatTimelineOptions = {}): string[] {
  const barWidth = options.barWidth ?? 30;
  const names = Object.keys(result.stages);
  const nameWidth = Math.max(5, ...names.map((n) => n.length));
  const total = Math.max(result.duration_ms, ...result.timeline.map((t) => t.end_ms), 1);
  const lines: string[] = [];
  for (const entry of result.timeline) {
    const from = Math.floor((entry.start_ms / total) * barWidth);
    const to = Math.max(from + 1, Math.ceil((entry.end_ms / total) * barWidth));
    const bar = " ".repeat(from) + "█".repeat(Math.min(to, barWidth) - from);
    const span = `${ms(entry.start_ms)} → ${ms(entry.end_ms)}`.padEnd(20);
    lines.push(`${entry.stage.padEnd(nameWidth)}  ${entry.status.padEnd(9)}  ${span} ${bar}`);
  }
  for (const name of names) {
    const outcome = result.stages[name];
    if (!outcome || outcome.started_at !== undefined) continue;
    const why = outcome.reason ?? (outcome.status === "pending" ? "did not start" : "");
    lines.push(`${name.padEnd(nameWidth)}  ${outcome.status.padEnd(9)}  ${why}`);
  }
  const summary = `goal ${result.goal_id}: ${result.status} in ${ms(result.duration_ms)}`;
  lines.push(result.error ? `${summary} — ${result.error.message}` : summary);
  return lines;
}

/** One progress line for an event, e.g. `[1/3] skipped ocr — condition '...' is false (...)`. */
export function formatEvent(event: PipelineEvent): string {
  const counts = `[${event.completed}/${event.total}]`;
  const detail =
    event.type === "stage_skipped"
      ? ` — ${event.reason}`
      : event.type === "stage_failed"
        ? ` — ${event.error?.message}`
        : "";
  return `${counts} ${event.type.replace("stage_", "")} ${event.stage}${detail}`;
}
