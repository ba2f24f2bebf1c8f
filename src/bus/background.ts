/**
 * Loops that follow a NATS connection for the life of a process (status events, KV watches). One
 * that fails must say so on stderr, not become an unhandled rejection that ends the process.
 */
import { errorMessage } from "../errors.js";

export function inBackground(task: Promise<unknown>, what: string): void {
  task.catch((error: unknown) => process.stderr.write(`loom: ${what} stopped: ${errorMessage(error)}\n`));
}
