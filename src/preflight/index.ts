/**
 * Pre-flight checks: what a serving command verifies before it serves, one line each on stderr, so
 * a missing model or server is reported at start with its fix rather than at the first task.
 */
import { type CheckResult, formatCheck, passed } from "./check.js";

export { type CheckResult, formatCheck, passed } from "./check.js";
export { checkTier } from "./llm-check.js";
export { checkNats } from "./nats-check.js";

/**
 * Runs `checks`, writes one line per result to stderr, and returns whether the command may go on.
 * Warnings are shown but never stop it.
 */
export async function preflight(checks: readonly Promise<CheckResult>[]): Promise<boolean> {
  const results = await Promise.all(checks);
  for (const result of results) process.stderr.write(`${formatCheck(result)}\n`);
  return passed(results);
}
