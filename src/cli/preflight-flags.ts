/** The `--skip-preflight` flag of the serving commands, and running their checks before they serve. */
import type { Command } from "commander";
import { LoomError } from "../errors.js";
import type { CheckResult } from "../preflight/index.js";

export interface PreflightFlags {
  skipPreflight?: boolean;
}

export function addPreflightFlag(command: Command): Command {
  return command.option("--skip-preflight", "start without the pre-flight checks (LLM backend, NATS)");
}

/** Runs `checks` unless skipped; throws when one failed, after each printed its line and fix. */
export async function preflightOrStop(
  flags: PreflightFlags,
  checks: () => Promise<CheckResult>[],
): Promise<void> {
  if (flags.skipPreflight) return;
  const { preflight } = await import("../preflight/index.js");
  if (!(await preflight(checks()))) {
    throw new LoomError(
      "config_error",
      "a pre-flight check failed (see above): fix it, or start anyway with --skip-preflight",
    );
  }
}
