/**
 * The seam one level above the Dispatcher: whatever runs whole goals. `PipelineRunner` runs them
 * in this process; the mesh's `NatsGoalRunner` hands them to orchestrator processes. The gateway's
 * pipeline tools, `loom run pipeline`, `loom submit` and the Workshop only see a GoalRunner.
 */
import type { Goal, PipelineResult, RunGoalOptions } from "./types.js";

export interface GoalRunner {
  /** Runs one goal; resolves with its result (failures are statuses, never rejections). */
  run(goal: Goal, options?: RunGoalOptions): Promise<PipelineResult>;
}
