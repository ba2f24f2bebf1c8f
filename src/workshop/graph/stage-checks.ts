/**
 * Checks of one stage on its own: a worker config for its worker_type, its required inputs
 * filled by input_mapping, the names in depends_on, and its condition's syntax.
 */
import { CONDITION_HINT, parseCondition } from "../../config/condition.js";
import { parsePath } from "../../config/mapping-path.js";
import type { GraphProblem } from "./model.js";
import type { ReadStage } from "./read-stages.js";
import type { ReferenceContext } from "./reference-checks.js";
import { suggest } from "./suggest.js";

const MAX_LISTED = 20;

function list(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown}, … (${names.length} in all)` : shown;
}

/** Problems of `stage` that need no other stage's edges. */
export function checkStage(stage: ReadStage, ctx: ReferenceContext): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const add = (message: string, field: string) =>
    problems.push({
      severity: "error",
      message: `stage '${stage.name}': ${message}`,
      stage: stage.name,
      field,
    });
  const known = [...ctx.workers.keys()].sort();
  if (stage.workerType !== "" && !ctx.workers.has(stage.workerType)) {
    add(
      `no worker named '${stage.workerType}'${suggest(stage.workerType, known)} (workers: ${list(known)})`,
      "worker_type",
    );
  }
  const names = [...ctx.stages.keys()];
  for (const dep of stage.dependsOn ?? []) {
    if (dep === stage.name) add("depends_on lists the stage itself; remove it", "depends_on");
    else if (!ctx.stages.has(dep))
      add(
        `depends_on names unknown stage '${dep}'${suggest(dep, names)} (stages: ${list(names)})`,
        "depends_on",
      );
  }
  if (stage.condition !== undefined && !parseCondition(stage.condition))
    add(`invalid condition '${stage.condition}': ${CONDITION_HINT}`, "condition");
  problems.push(...missingInputs(stage, ctx));
  return problems;
}

/** A required input (input_schema.required) that no input_mapping key fills. */
function missingInputs(stage: ReadStage, ctx: ReferenceContext): GraphProblem[] {
  const required = ctx.workers.get(stage.workerType)?.inputSchema.required;
  if (!Array.isArray(required)) return [];
  const mapped = Object.keys(stage.inputMapping);
  return required
    .filter((f): f is string => typeof f === "string" && !mapped.includes(f))
    .map((field) => ({
      severity: "error" as const,
      message:
        `stage '${stage.name}': required input '${field}' of ${stage.workerType} is not filled by input_mapping ` +
        `(mapped: ${list(mapped)}); add e.g. ${field}: "${likelySource(stage, field, ctx)}"`,
      stage: stage.name,
      field,
    }));
}

/** An earlier stage whose output has a field of that name, else the goal context. */
function likelySource(stage: ReadStage, field: string, ctx: ReferenceContext): string {
  for (const other of ctx.stages.values()) {
    if (other.name === stage.name) break;
    const properties = ctx.workers.get(other.workerType)?.outputSchema.properties;
    if (properties !== null && typeof properties === "object" && Object.hasOwn(properties, field))
      return `${other.name}.output.${field}`;
  }
  return parsePath(`goal.context.${field}`) ? `goal.context.${field}` : "goal.context.<key>";
}
