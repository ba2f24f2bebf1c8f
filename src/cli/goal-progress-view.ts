/**
 * How `loom submit` shows a running goal: a line per stage transition, and on a terminal a status
 * line below them that keeps the running stages and the elapsed time current.
 */

import { formatEvent } from "../pipeline/timeline.js";
import type { PipelineEvent } from "../pipeline/types.js";

export interface GoalProgressView {
  onEvent(event: PipelineEvent): void;
  /** Removes the status line (call before printing the result). */
  end(): void;
}

export function goalProgressView(out: NodeJS.WriteStream = process.stderr): GoalProgressView {
  if (!out.isTTY) return { onEvent: (event) => out.write(`${formatEvent(event)}\n`), end: () => {} };
  const started = Date.now();
  const running = new Set<string>();
  let counts = "";
  const clear = () => out.write("\r\x1b[2K");
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const doing =
      running.size > 0
        ? `running ${[...running].join(", ")}`
        : counts
          ? "next stage"
          : "waiting for an orchestrator";
    clear();
    out.write(`${counts}${counts ? " " : ""}${doing} · ${seconds}s`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  draw();
  return {
    onEvent(event) {
      if (event.type === "stage_started") running.add(event.stage);
      else running.delete(event.stage);
      counts = `[${event.completed}/${event.total}]`;
      clear();
      out.write(`${formatEvent(event)}\n`);
      draw();
    },
    end() {
      clearInterval(timer);
      clear();
    },
  };
}
