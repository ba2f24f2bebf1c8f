/**
 * Turns a PipelineConfig into a plan the runner can execute quickly for every goal: dependencies
 * and dependents per stage, parsed conditions and mapping paths, levels. Anything that would make
 * a run hang or fail the same way for every goal (a cycle, a malformed path) is rejected here.
 */
import { CONDITION_HINT, type Condition, parseCondition } from "../config/condition.js";
import { type PathSegment, parsePath } from "../config/mapping-path.js";
import { computeLevels, dependencyMap, findCycle } from "../config/pipeline-graph.js";
import type { PipelineConfig, PipelineStage } from "../config/types.js";
import { ErrorCode, LoomError } from "../errors.js";

/** One input_mapping entry, parsed. */
export interface MappingEntry {
  field: string;
  path: string;
  segments: PathSegment[];
}

/** A parsed condition with its path split into segments. */
export interface StageCondition extends Condition {
  text: string;
  segments: PathSegment[];
}

/** One stage, ready to run. */
export interface StagePlan {
  name: string;
  /** Position in the config. */
  index: number;
  stage: PipelineStage;
  dependencies: string[];
  dependents: string[];
  mapping: MappingEntry[];
  condition?: StageCondition;
  /** Undefined when the stage has no timeout of its own. */
  timeoutMs?: number;
}

/** A whole pipeline, ready to run. */
export interface PipelinePlan {
  name: string;
  stages: StagePlan[];
  byName: ReadonlyMap<string, StagePlan>;
  levels: string[][];
  timeoutMs: number;
  maxConcurrentGoals: number;
}

function invalid(config: PipelineConfig, message: string): LoomError {
  const where = config.sourcePath ? `${config.sourcePath}: ` : "";
  return new LoomError(ErrorCode.ConfigInvalid, `${where}pipeline '${config.name}': ${message}`, {
    details: { pipeline: config.name, file: config.sourcePath },
  });
}

function positiveSeconds(config: PipelineConfig, value: number, where: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw invalid(config, `${where}: timeout_seconds must be a positive number (got ${value})`);
  }
  return value * 1000;
}

function planStage(config: PipelineConfig, stage: PipelineStage, index: number): StagePlan {
  const where = `pipeline_stages[${index}] (${stage.name})`;
  const mapping: MappingEntry[] = [];
  for (const [field, path] of Object.entries(stage.inputMapping)) {
    const segments = typeof path === "string" ? parsePath(path) : undefined;
    if (!segments) {
      throw invalid(
        config,
        `${where}.input_mapping.${field}: malformed path '${String(path)}' ` +
          "(expected e.g. 'goal.context.file_ref' or 'extract.output.items[0]')",
      );
    }
    mapping.push({ field, path, segments });
  }
  let condition: StageCondition | undefined;
  if (stage.condition !== undefined) {
    const parsed = parseCondition(stage.condition);
    const segments = parsed ? parsePath(parsed.path) : undefined;
    if (!parsed || !segments) {
      throw invalid(config, `${where}.condition: invalid condition '${stage.condition}': ${CONDITION_HINT}`);
    }
    condition = { ...parsed, text: stage.condition, segments };
  }
  const timeoutMs =
    stage.timeoutSeconds === undefined
      ? undefined
      : positiveSeconds(config, stage.timeoutSeconds, `${where}.timeout_seconds`);
  return { name: stage.name, index, stage, dependencies: [], dependents: [], mapping, condition, timeoutMs };
}

/**
 * Compiles a pipeline config into a {@link PipelinePlan}.
 *
 * @throws LoomError `config_invalid` for duplicate stage names, malformed paths or conditions,
 *   non-positive timeouts or a dependency cycle.
 */
export function compilePipeline(config: PipelineConfig): PipelinePlan {
  const stages = config.stages.map((stage, index) => planStage(config, stage, index));
  const byName = new Map<string, StagePlan>();
  for (const plan of stages) {
    if (byName.has(plan.name)) throw invalid(config, `duplicate stage name '${plan.name}'`);
    byName.set(plan.name, plan);
  }
  const deps = dependencyMap(config.stages);
  const cycle = findCycle(deps);
  if (cycle) throw invalid(config, `stages depend on each other in a cycle: ${cycle.join(" -> ")}`);
  for (const plan of stages) {
    plan.dependencies = deps.get(plan.name) ?? [];
    for (const dep of plan.dependencies) byName.get(dep)?.dependents.push(plan.name);
  }
  const maxConcurrentGoals = config.maxConcurrentGoals;
  if (!Number.isInteger(maxConcurrentGoals) || maxConcurrentGoals < 1) {
    throw invalid(config, `max_concurrent_goals must be a positive integer (got ${maxConcurrentGoals})`);
  }
  return {
    name: config.name,
    stages,
    byName,
    levels: computeLevels(deps),
    timeoutMs: positiveSeconds(config, config.timeoutSeconds, "timeout_seconds"),
    maxConcurrentGoals,
  };
}
