/**
 * The dependency graph of a pipeline (Part 3): inferred from input_mapping and condition paths,
 * replaced by `depends_on` where a stage declares it. Shared by validation (cycles), `loom validate
 * --explain` (levels) and the pipeline runner (when a stage may start).
 */
import { parseCondition } from "./condition.js";
import { sourceStage } from "./mapping-path.js";
import type { PipelineStage } from "./types.js";

type StageShape = Pick<PipelineStage, "name" | "inputMapping" | "dependsOn" | "condition">;

/** The stages a stage waits for. Only names of stages in the pipeline are returned. */
export function stageDependencies(stage: StageShape, stageNames: ReadonlySet<string>): string[] {
  if (stage.dependsOn) return [...new Set(stage.dependsOn)].filter((n) => stageNames.has(n));
  const deps = new Set<string>();
  const paths = Object.values(stage.inputMapping);
  const condition = stage.condition ? parseCondition(stage.condition) : undefined;
  if (condition) paths.push(condition.path);
  for (const p of paths) {
    const source = typeof p === "string" ? sourceStage(p) : undefined;
    if (source && stageNames.has(source)) deps.add(source);
  }
  return [...deps];
}

/** Map of stage name → the stages it waits for. */
export function dependencyMap(stages: readonly StageShape[]): Map<string, string[]> {
  const names = new Set(stages.map((s) => s.name));
  return new Map(stages.map((s) => [s.name, stageDependencies(s, names)]));
}

/** A dependency cycle as a list of stage names (first repeated at the end), or undefined. */
export function findCycle(deps: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of deps.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Groups stages into levels: level 0 has no dependencies, level n depends on something in level
 * n-1. Stages keep their config order within a level. Assumes no cycle.
 */
export function computeLevels(deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    level.set(name, 0);
    const value = Math.max(-1, ...(deps.get(name) ?? []).map(depth)) + 1;
    level.set(name, value);
    return value;
  };
  const levels: string[][] = [];
  for (const name of deps.keys()) {
    const index = depth(name);
    levels[index] = [...(levels[index] ?? []), name];
  }
  return levels;
}
