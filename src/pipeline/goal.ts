/**
 * Building a {@link Goal} from what a user types: `--context key=value` pairs or a JSON goal.
 * Context values stay strings (`pages=3` gives "3"); a goal that needs numbers, booleans or
 * nested values is written as JSON (`--goal '{"context": {"pages": 3}}'`).
 */
import { randomUUID } from "node:crypto";
import { ErrorCode, errorMessage, LoomError } from "../errors.js";
import type { Goal } from "./types.js";

/**
 * Parses `key=value` pairs into a context object. The first `=` splits; the value may contain
 * more `=` and may be empty. A key given twice keeps the last value.
 *
 * @throws LoomError `invalid_input` for a pair without `=` or with an empty key.
 * @example parseContextPairs(["text=Hello", "lang=en"]) // { text: "Hello", lang: "en" }
 */
export function parseContextPairs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      throw new LoomError(
        ErrorCode.InvalidInput,
        `--context '${pair}': expected key=value (e.g. --context file_ref=report.pdf)`,
      );
    }
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Parses a goal written as JSON: `{"context": {...}, "instruction"?: "...", "goal_id"?: "..."}`.
 * A missing goal_id gets a fresh UUID.
 *
 * @throws LoomError `invalid_input` naming what is wrong.
 */
export function parseGoalJson(text: string): Goal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LoomError(ErrorCode.InvalidInput, `--goal: not valid JSON (${errorMessage(error)})`, {
      cause: error,
    });
  }
  if (!isObject(value)) {
    throw new LoomError(
      ErrorCode.InvalidInput,
      '--goal: expected a JSON object like {"context": {"text": "..."}}',
    );
  }
  const { context, instruction, goal_id: goalId } = value;
  if (!isObject(context)) {
    throw new LoomError(
      ErrorCode.InvalidInput,
      `--goal: "context" must be an object (got ${context === undefined ? "nothing" : JSON.stringify(context)}); ` +
        'e.g. {"context": {"text": "..."}}',
    );
  }
  if (instruction !== undefined && typeof instruction !== "string") {
    throw new LoomError(ErrorCode.InvalidInput, '--goal: "instruction" must be a string');
  }
  if (goalId !== undefined && (typeof goalId !== "string" || goalId === "")) {
    throw new LoomError(ErrorCode.InvalidInput, '--goal: "goal_id" must be a non-empty string');
  }
  return createGoal(context, { instruction, goalId });
}

/** Options of {@link createGoal}. */
export interface CreateGoalOptions {
  instruction?: string;
  /** @default a fresh UUID */
  goalId?: string;
}

/** A goal with a fresh goal_id unless one is given. */
export function createGoal(context: Record<string, unknown>, options: CreateGoalOptions = {}): Goal {
  const goal: Goal = { goal_id: options.goalId ?? randomUUID(), context };
  if (options.instruction !== undefined) goal.instruction = options.instruction;
  return goal;
}
