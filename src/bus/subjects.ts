/**
 * The mesh's subjects, as the guide names them: tasks enter at `loom.tasks.incoming`, the router
 * forwards each to `loom.tasks.{worker_type}.{tier}`, refusals go to `loom.tasks.dead_letter`, and
 * results come back on `loom.results.{goal_id}.{task_id}` (`loom.results.tasks.{task_id}` for a
 * task outside a goal), so `nats sub 'loom.results.<goal>.>'` follows one goal.
 */
import { createHash } from "node:crypto";
import type { Tier } from "../config/types.js";

export const INCOMING_SUBJECT = "loom.tasks.incoming";
export const DEAD_LETTER_SUBJECT = "loom.tasks.dead_letter";
/** Every worker subject: `loom.tasks.{worker_type}.{tier}` (four tokens, so never the two above). */
export const WORKER_SUBJECTS = "loom.tasks.*.*";
export const RESULT_SUBJECTS = "loom.results.>";
/** Core NATS (not stored): cancellation requests and progress notes. */
export const CANCEL_SUBJECTS = "loom.cancel.*";

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** True when `name` can be one subject token (no dots, spaces or wildcards). */
export function isSubjectToken(name: string): boolean {
  return TOKEN.test(name);
}

/** An id as one subject token: itself when safe, else a stable hash of it. */
export function idToken(id: string): string {
  return isSubjectToken(id) ? id : `h${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
}

/**
 * The tiers a worker process serves: one tier (an LLM worker), or `any` (a processor, which runs
 * the same whatever tier a task names).
 */
export type ServedTier = Tier | "any";

export function workerSubject(workerType: string, tier: ServedTier): string {
  return `loom.tasks.${workerType}.${tier === "any" ? "*" : tier}`;
}

export function resultSubject(taskId: string, goalId?: string): string {
  return `loom.results.${goalId === undefined ? "tasks" : idToken(goalId)}.${idToken(taskId)}`;
}

export function progressSubject(taskId: string): string {
  return `loom.progress.${idToken(taskId)}`;
}

export function cancelSubject(taskId: string): string {
  return `loom.cancel.${idToken(taskId)}`;
}

/** The durable consumer that the copies of one worker type × tier share (competing consumers). */
export function workerConsumerName(workerType: string, tier: ServedTier): string {
  return `worker_${workerType}_${tier}`;
}

export const ROUTER_CONSUMER = "router";

/** Goals for any orchestrator (`loom submit` without --pipeline). */
export const GOALS_INCOMING_SUBJECT = "loom.goals.incoming";
/** Every goal subject: incoming and `loom.goals.{pipeline}`. */
export const GOAL_SUBJECTS = "loom.goals.*";

/** Goals addressed to one pipeline. */
export function goalSubject(pipeline: string): string {
  return `loom.goals.${pipeline}`;
}

/** A goal's stage events and its final result (the guide's `loom.results.{goal_id}`). */
export function goalResultSubject(goalId: string): string {
  return `loom.results.${idToken(goalId)}`;
}

export function goalCancelSubject(goalId: string): string {
  return `loom.cancel.goal.${idToken(goalId)}`;
}

export function goalConsumerName(pipeline: string | undefined): string {
  return pipeline === undefined ? "goals_incoming" : `goals_${pipeline}`;
}
