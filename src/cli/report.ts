/** How every command reports a failure: one line saying what is wrong; the stack only with --verbose. */
import { errorMessage } from "../errors.js";

/** Writes `loom <command>: <message>` to stderr, and the stack when `loom --verbose` was given. */
export function reportError(command: string, error: unknown): void {
  process.stderr.write(`loom ${command}: ${errorMessage(error)}\n`);
  if (process.env.LOOM_VERBOSE === "1" && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
}
