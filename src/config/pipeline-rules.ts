/**
 * The pipeline rules beyond field types (Part 3): unique stage names, paths that read from `goal`
 * or an earlier stage, `depends_on` names, condition syntax, cycles, and worker types that have a
 * worker config when the workers folder is known.
 */
import { CONDITION_HINT, parseCondition } from "./condition.js";
import { asRecord, didYouMean, type IssueCollector } from "./issue-collector.js";
import { parsePath } from "./mapping-path.js";
import { dependencyMap, findCycle } from "./pipeline-graph.js";
import type { DataPath } from "./yaml-source.js";

type Raw = Record<string, unknown>;

/** The fields of a goal a path may read after `goal.`. */
const GOAL_FIELDS = ["context", "instruction", "goal_id"];

export interface PipelineRuleOptions {
  /** Names of the worker configs available, when the workers folder is known. */
  workers?: { dir: string; names: readonly string[] };
}

/** Checks a pipeline config's raw data. */
export function checkPipelineRules(data: Raw, issues: IssueCollector, options: PipelineRuleOptions): void {
  const stages = Array.isArray(data.pipeline_stages) ? data.pipeline_stages.map(asRecord) : [];
  const names = stages.map((s) => (typeof s?.name === "string" ? s.name : undefined));
  const allNames = [...new Set(names.filter((n): n is string => n !== undefined))];
  stages.forEach((stage, index) => {
    if (!stage) return;
    const at: DataPath = ["pipeline_stages", index];
    const name = names[index];
    const earlier = names.slice(0, index).filter((n): n is string => n !== undefined);
    if (name !== undefined && earlier.includes(name)) {
      issues.error(
        [...at, "name"],
        `duplicate stage name '${name}' (also pipeline_stages[${earlier.indexOf(name)}])`,
      );
    }
    const checkPath = (p: DataPath, value: string) =>
      checkSourcePath(p, value, name, earlier, allNames, issues);
    const mapping = asRecord(stage.input_mapping);
    for (const [field, value] of Object.entries(mapping ?? {})) {
      if (typeof value === "string" && value !== "") checkPath([...at, "input_mapping", field], value);
    }
    if (typeof stage.condition === "string" && stage.condition !== "") {
      const condition = parseCondition(stage.condition);
      if (!condition)
        issues.error([...at, "condition"], `invalid condition '${stage.condition}': ${CONDITION_HINT}`);
      else checkPath([...at, "condition"], condition.path);
    }
    if (Array.isArray(stage.depends_on)) {
      stage.depends_on.forEach((dep, i) => {
        if (typeof dep !== "string" || dep === "") return;
        if (dep === name) issues.error([...at, "depends_on", i], `stage '${name}' depends on itself`);
        else if (!allNames.includes(dep)) {
          issues.error(
            [...at, "depends_on", i],
            `unknown stage '${dep}'${didYouMean(dep, allNames)} (stages: ${allNames.join(", ")})`,
          );
        }
      });
    }
    const workerType = stage.worker_type;
    if (options.workers && typeof workerType === "string" && !options.workers.names.includes(workerType)) {
      const known = options.workers.names;
      issues.error(
        [...at, "worker_type"],
        `no worker config named '${workerType}' in ${options.workers.dir}${didYouMean(workerType, known)} ` +
          `(workers: ${known.join(", ") || "none"})`,
      );
    }
  });
  reportCycle(stages, issues);
}

/** A path must start with `goal.<context|instruction|goal_id>` or the name of an earlier stage. */
function checkSourcePath(
  at: DataPath,
  value: string,
  stage: string | undefined,
  earlier: readonly string[],
  all: readonly string[],
  issues: IssueCollector,
): void {
  const segments = parsePath(value);
  if (!segments) {
    issues.error(
      at,
      `malformed path '${value}': expected dotted names like goal.context.file_ref or extract.output.text_preview`,
    );
    return;
  }
  const [first, second] = segments;
  if (first === "goal") {
    if (typeof second !== "string" || !GOAL_FIELDS.includes(second)) {
      const hint = typeof second === "string" ? didYouMean(second, GOAL_FIELDS) : "";
      const read =
        second === undefined ? "the whole goal" : `goal.${String(second)}, which a goal does not have`;
      issues.error(
        at,
        `'${value}' reads ${read}${hint} (a goal has ${GOAL_FIELDS.join(", ")}, e.g. goal.context.file_ref)`,
      );
    }
    return;
  }
  const source = String(first);
  const allowed = `(a path must start with goal or an earlier stage: ${["goal", ...earlier].join(", ")})`;
  if (source === stage) issues.error(at, `'${value}' reads this stage's own output ${allowed}`);
  else if (all.includes(source) && !earlier.includes(source)) {
    issues.error(
      at,
      `'${value}' reads stage '${source}', which is defined later; move '${source}' above this stage ${allowed}`,
    );
  } else if (!earlier.includes(source)) {
    issues.error(
      at,
      `'${value}' reads unknown stage '${source}'${didYouMean(source, ["goal", ...all])} ${allowed}`,
    );
  }
}

function reportCycle(stages: readonly (Raw | undefined)[], issues: IssueCollector): void {
  const seen = new Set<string>();
  const shapes = stages.flatMap((s) =>
    s && typeof s.name === "string" && !seen.has(s.name) && seen.add(s.name)
      ? [
          {
            name: s.name,
            inputMapping: Object.fromEntries(
              Object.entries(asRecord(s.input_mapping) ?? {}).filter(
                (e): e is [string, string] => typeof e[1] === "string",
              ),
            ),
            dependsOn: Array.isArray(s.depends_on)
              ? s.depends_on.filter((d): d is string => typeof d === "string")
              : undefined,
            condition: typeof s.condition === "string" ? s.condition : undefined,
          },
        ]
      : [],
  );
  const deps = dependencyMap(shapes);
  // A self-dependency is reported on its own above; look for longer cycles only.
  for (const [name, list] of deps)
    deps.set(
      name,
      list.filter((d) => d !== name),
    );
  const cycle = findCycle(deps);
  if (!cycle) return;
  const index = stages.findIndex((s) => s?.name === cycle[0]);
  const field = stages[index]?.depends_on !== undefined ? "depends_on" : "name";
  issues.error(["pipeline_stages", index, field], `dependency cycle: ${cycle.join(" → ")}`);
}
