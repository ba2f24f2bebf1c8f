/**
 * Pipelines (Part 3 of the guide): stages chained by input_mapping, run with inferred
 * parallelism, conditions, timeouts and a limit on concurrent goals, through any Dispatcher.
 * `./run-file.js` (loading a pipeline file and running it with a LocalDispatcher) is kept out of
 * this index so that importing the runner does not pull in the config loaders and executeTask.
 */

export type { CreateGoalOptions } from "./goal.js";
export { createGoal, parseContextPairs, parseGoalJson } from "./goal.js";
export type { ReleaseSlot } from "./goal-slots.js";
export { GoalSlots } from "./goal-slots.js";
export type { MappingEntry, PipelinePlan, StageCondition, StagePlan } from "./plan.js";
export { compilePipeline } from "./plan.js";
export type { PipelineRunnerOptions } from "./runner.js";
export { PipelineRunner } from "./runner.js";
export type { ConditionOutcome, Lookup, Scope } from "./scope.js";
export { buildPayload, evaluateCondition, goalScope, lookupPath } from "./scope.js";
export type { FormatTimelineOptions } from "./timeline.js";
export { formatEvent, formatTimeline } from "./timeline.js";
export type {
  Goal,
  PipelineError,
  PipelineEvent,
  PipelineResult,
  RunGoalOptions,
  StageOutcome,
  TimelineEntry,
} from "./types.js";
export { PipelineEventType, PipelineStatus, StageStatus } from "./types.js";
