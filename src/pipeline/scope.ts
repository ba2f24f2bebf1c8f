/**
 * What input_mapping paths and conditions read from: `{ goal: { context, instruction, goal_id },
 * <stage>: { output } }`. Paths walk nested objects and array indices (`extract.output.items[0]`);
 * when one does not resolve, the message says how far it got and what was there.
 */
import type { PathSegment } from "../config/mapping-path.js";
import { ErrorCode, LoomError } from "../errors.js";
import type { MappingEntry, StageCondition } from "./plan.js";
import type { Goal } from "./types.js";

/** The values paths resolve against. Completed stages are added as they finish. */
export type Scope = Record<string, unknown>;

/** The scope of a goal before any stage has run. */
export function goalScope(goal: Goal): Scope {
  const view: Record<string, unknown> = { context: goal.context, goal_id: goal.goal_id };
  if (goal.instruction !== undefined) view.instruction = goal.instruction;
  return { goal: view };
}

/** The outcome of resolving a path: its value, or why it is missing. */
export type Lookup = { found: true; value: unknown } | { found: false; reason: string };

function describe(value: unknown): string {
  if (value === null) return "is null";
  if (Array.isArray(value)) return `is an array of length ${value.length}`;
  if (typeof value === "object") {
    const keys = Object.keys(value);
    return keys.length === 0 ? "is an empty object" : `has keys ${keys.join(", ")}`;
  }
  return `is a ${typeof value}`;
}

function joinPath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** Resolves `segments` against `scope`. Only own keys of plain objects and in-range indices count. */
export function lookupPath(scope: Scope, segments: readonly PathSegment[]): Lookup {
  let current: unknown = scope;
  for (const [i, segment] of segments.entries()) {
    let next: unknown;
    let found = false;
    if (typeof segment === "number") {
      if (Array.isArray(current) && segment < current.length) {
        next = current[segment];
        found = true;
      }
    } else if (current !== null && typeof current === "object" && !Array.isArray(current)) {
      if (Object.hasOwn(current, segment)) {
        next = (current as Record<string, unknown>)[segment];
        found = next !== undefined;
      }
    }
    if (!found) {
      if (i === 0) {
        const stages = Object.keys(scope).filter((k) => k !== "goal");
        const done = stages.length > 0 ? stages.join(", ") : "none";
        return {
          found: false,
          reason: `no output from stage '${String(segment)}' (stages with output: ${done})`,
        };
      }
      return { found: false, reason: `${joinPath(segments.slice(0, i))} ${describe(current)}` };
    }
    current = next;
  }
  return { found: true, value: current };
}

/**
 * Builds a stage's payload from its input_mapping.
 *
 * @throws LoomError `invalid_input` naming every path that does not resolve, e.g.
 *   `input_mapping.text: path 'extract.output.text_preview' not found: extract.output has keys page_count, title`.
 */
export function buildPayload(
  stage: string,
  mapping: readonly MappingEntry[],
  scope: Scope,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const { field, path, segments } of mapping) {
    const lookup = lookupPath(scope, segments);
    if (lookup.found) payload[field] = lookup.value;
    else problems.push(`input_mapping.${field}: path '${path}' not found: ${lookup.reason}`);
  }
  if (problems.length > 0) {
    throw new LoomError(ErrorCode.InvalidInput, `stage '${stage}': ${problems.join("; ")}`, {
      details: { stage, problems },
    });
  }
  return payload;
}

/** The outcome of a condition, with a reason to show when it is false. */
export interface ConditionOutcome {
  pass: boolean;
  reason: string;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Evaluates a stage condition. A path that does not resolve makes the condition false. */
export function evaluateCondition(condition: StageCondition, scope: Scope): ConditionOutcome {
  const lookup = lookupPath(scope, condition.segments);
  if (!lookup.found) {
    return {
      pass: false,
      reason: `condition '${condition.text}' is false: path '${condition.path}' not found (${lookup.reason})`,
    };
  }
  const equal = lookup.value === condition.value;
  const pass = condition.op === "==" ? equal : !equal;
  return {
    pass,
    reason: `condition '${condition.text}' is ${pass} (${condition.path} = ${preview(lookup.value)})`,
  };
}
