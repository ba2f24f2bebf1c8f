/** Ids of eval runs: sortable by time, safe as file names, unguessable enough to never collide. */
import { randomBytes } from "node:crypto";
import { LoomError } from "../../errors.js";

/** What a run id may look like (also what the store accepts). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A new run id: the ISO time with `-` instead of `:`, then 8 random hex digits.
 *
 * @example newRunId(new Date("2026-03-01T09:30:00.000Z")) // "2026-03-01T09-30-00.000Z-1f3a9c0b"
 */
export function newRunId(at: Date = new Date()): string {
  return `${at.toISOString().replaceAll(":", "-")}-${randomBytes(4).toString("hex")}`;
}

/** Throws `invalid_input` unless `id` is a run id (no path separators, no `..`). */
export function assertRunId(id: string): void {
  if (!RUN_ID_PATTERN.test(id) || id.includes("..")) {
    throw new LoomError(
      "invalid_input",
      `${JSON.stringify(id)} is not an eval run id: expected letters, digits, '.', '_' and '-' (e.g. 2026-03-01T09-30-00.000Z-1f3a9c0b)`,
      { details: { id } },
    );
  }
}
