/**
 * Builds the checked dependency graph of a pipeline (Part 3 of the guide) from its raw YAML data:
 * the same dependencies the runner waits for (src/config/pipeline-graph.ts), one edge per
 * producer → consumer pair, levels, and every static problem found on the way.
 */
import { parseCondition } from "../../config/condition.js";
import { computeLevels, dependencyMap, findCycle } from "../../config/pipeline-graph.js";
import type { GraphEdge, GraphProblem, GraphStage, PipelineGraph, WorkerSchemas } from "./model.js";
import { type ReadStage, readStages } from "./read-stages.js";
import { checkReference, type ReferenceContext } from "./reference-checks.js";
import { checkStage } from "./stage-checks.js";

interface EdgeDraft {
  from: string;
  to: string;
  fields: string[];
  explicit: boolean;
  condition: boolean;
  problems: GraphProblem[];
}

/**
 * Turns a pipeline config into a dependency graph with static checks. Never throws: whatever
 * cannot be read or does not fit is reported in `problems`.
 *
 * @param pipeline the parsed YAML of a pipeline config (snake_case), valid or not
 * @param workers the worker configs known by name (`worker_type`), for the schema checks
 * @example
 * const worker = await loadWorkerConfig("configs/workers/doc_extractor.yaml");
 * const graph = buildPipelineGraph(parse(text), new Map([[worker.name, worker]]));
 * graph.levels; // [["extract"], ["classify", "summarize"]]
 */
export function buildPipelineGraph(
  pipeline: unknown,
  workers: ReadonlyMap<string, WorkerSchemas>,
): PipelineGraph {
  const read = readStages(pipeline);
  const stages = new Map(read.stages.map((s) => [s.name, s]));
  const ctx: ReferenceContext = { stages, workers };
  const problems: GraphProblem[] = [...read.problems];
  const edges = new Map<string, EdgeDraft>();
  const edge = (from: string, to: string): EdgeDraft => {
    const key = JSON.stringify([from, to]);
    let draft = edges.get(key);
    if (!draft) {
      draft = { from, to, fields: [], explicit: false, condition: false, problems: [] };
      edges.set(key, draft);
    }
    return draft;
  };
  for (const stage of read.stages) {
    problems.push(...checkStage(stage, ctx));
    for (const [field, path] of Object.entries(stage.inputMapping)) {
      const check = checkReference(stage, field, path, ctx);
      if (check.source !== undefined) edge(check.source, stage.name).fields.push(field);
      problems.push(...check.problems);
    }
    const condition = stage.condition !== undefined ? parseCondition(stage.condition) : undefined;
    if (condition) {
      const check = checkReference(stage, "condition", condition.path, ctx);
      if (check.source !== undefined) edge(check.source, stage.name).condition = true;
      problems.push(...check.problems);
    }
    for (const dep of stage.dependsOn ?? []) if (stages.has(dep)) edge(dep, stage.name).explicit = true;
  }
  const deps = dependencyMap(read.stages);
  problems.push(...unwaitedReads(read.stages, deps, edges.values()));
  const inCycle = new Set<string>();
  const cycleEdges = breakCycles(deps, inCycle);
  problems.push(...cycleEdges.keys());
  const { levels, levelOf } = levelsWithout(deps, inCycle);

  const drafts = [...edges.values()];
  for (const problem of problems) {
    for (const { from, to } of cycleEdges.get(problem) ?? (problem.edge ? [problem.edge] : [])) {
      for (const d of drafts) if (d.from === from && d.to === to) d.problems.push(problem);
    }
  }
  return {
    name: read.name,
    stages: read.stages.map((s): GraphStage => ({ ...s, level: levelOf.get(s.name) ?? -1 })),
    edges: drafts.map(
      (d): GraphEdge => ({
        from: d.from,
        to: d.to,
        kind: d.explicit ? "depends_on" : d.condition ? "condition" : "mapping",
        fields: d.fields,
        problems: d.problems,
      }),
    ),
    levels,
    problems,
  };
}

/**
 * Finds every dependency cycle (one at a time with findCycle, removing its edges from `deps`
 * before looking again), marks its stages in `inCycle`, and returns a problem for each with the
 * edges it is drawn on (producer → waiting stage).
 */
function breakCycles(
  deps: Map<string, string[]>,
  inCycle: Set<string>,
): Map<GraphProblem, { from: string; to: string }[]> {
  const problems = new Map<GraphProblem, { from: string; to: string }[]>();
  for (let cycle = findCycle(deps); cycle; cycle = findCycle(deps)) {
    for (const name of cycle) inCycle.add(name);
    const [first, second] = cycle as [string, string];
    const waits = cycle
      .slice(1)
      .map((n, i) => (i === 0 ? `'${cycle[0]}' waits for '${n}'` : `which waits for '${n}'`))
      .join(", ");
    const message =
      cycle.length === 2
        ? `dependency cycle ${cycle.join(" → ")}: '${first}' waits for itself (it reads its own output or lists itself in depends_on), so it can never start — read an earlier stage instead`
        : `dependency cycle ${cycle.join(" → ")}: ${waits}, so none of them can ever start — remove one of these reads or depends_on entries`;
    const problem: GraphProblem = {
      severity: "error",
      message,
      stage: first,
      edge: { from: second, to: first },
    };
    const on: { from: string; to: string }[] = [];
    problems.set(problem, on);
    for (let i = 0; i + 1 < cycle.length; i++) {
      const waiter = cycle[i] as string;
      on.push({ from: cycle[i + 1] as string, to: waiter });
      deps.set(
        waiter,
        (deps.get(waiter) ?? []).filter((d) => d !== cycle[i + 1]),
      );
    }
  }
  return problems;
}

/** Levels of the stages outside cycles, empty levels dropped. */
function levelsWithout(
  deps: ReadonlyMap<string, readonly string[]>,
  inCycle: ReadonlySet<string>,
): { levels: string[][]; levelOf: Map<string, number> } {
  const levels = computeLevels(deps)
    .map((names) => (names ?? []).filter((n) => !inCycle.has(n)))
    .filter((names) => names.length > 0);
  const levelOf = new Map<string, number>();
  levels.forEach((names, level) => {
    for (const name of names) levelOf.set(name, level);
  });
  return { levels, levelOf };
}

/**
 * With depends_on a stage waits only for what it lists (and what those wait for): a mapping or
 * condition reading another stage's output would find nothing at run time.
 */
function unwaitedReads(
  stages: readonly ReadStage[],
  deps: ReadonlyMap<string, readonly string[]>,
  edges: Iterable<EdgeDraft>,
): GraphProblem[] {
  const byConsumer = new Map<string, EdgeDraft[]>();
  for (const e of edges) byConsumer.set(e.to, [...(byConsumer.get(e.to) ?? []), e]);
  const problems: GraphProblem[] = [];
  for (const stage of stages) {
    if (!stage.dependsOn) continue;
    const upstream = new Set<string>();
    const visit = (name: string) => {
      for (const dep of deps.get(name) ?? []) {
        if (upstream.has(dep)) continue;
        upstream.add(dep);
        visit(dep);
      }
    };
    visit(stage.name);
    for (const e of byConsumer.get(stage.name) ?? []) {
      if (upstream.has(e.from) || e.from === stage.name) continue;
      const reads = e.fields.length > 0 ? `input ${e.fields.join(", ")}` : "its condition";
      problems.push({
        severity: "error",
        message:
          `stage '${stage.name}' reads '${e.from}' (${reads}) but its depends_on [${stage.dependsOn.join(", ")}] ` +
          `does not wait for '${e.from}', so the value is not there when it starts — add '${e.from}' to depends_on`,
        stage: stage.name,
        edge: { from: e.from, to: stage.name },
      });
    }
  }
  return problems;
}
