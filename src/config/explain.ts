/** `loom validate --explain`: the levels Loom infers for a pipeline (Part 3). */
import { computeLevels, dependencyMap } from "./pipeline-graph.js";
import type { PipelineStage } from "./types.js";

type StageShape = Pick<PipelineStage, "name" | "inputMapping" | "dependsOn" | "condition">;

/**
 * The stages of each level, level 0 first: stages of one level run in parallel once the level
 * before has finished. Assumes a valid pipeline (no cycle).
 */
export function pipelineLevels(stages: readonly StageShape[]): string[][] {
  return computeLevels(dependencyMap(stages));
}

/**
 * Lines such as `Level 0: extract` and `Level 1: classify + summarize`.
 *
 * @example explainLevels([["extract"], ["classify", "summarize"]])
 */
export function explainLevels(levels: readonly string[][]): string[] {
  return levels.map((names, index) => `Level ${index}: ${names.join(" + ")}`);
}
