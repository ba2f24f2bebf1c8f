/**
 * Log lines to stderr that can neither throw nor block (issue #11). Once `process.stderr` exists,
 * fd 2 is a non-blocking pipe: when the host reads it slowly or never, a plain `writeSync(2, …)`
 * throws EAGAIN — inside an `uncaughtException` handler that ends the process (exit code 7).
 */
import { writeSync } from "node:fs";

/** Log bytes held in memory while stderr is not read; lines beyond are dropped and counted. */
export const MAX_QUEUED_LOG_BYTES = 1024 * 1024;

let dropped = 0;
let listening = false;

/**
 * Writes `line` to stderr: synchronously while the pipe takes it (so the last lines before an exit
 * are not lost); when it is full, queued on `process.stderr` — later lines follow in order until
 * the queue drains — and dropped once {@link MAX_QUEUED_LOG_BYTES} are waiting.
 */
export function writeStderrLine(line: string): void {
  if (dropped > 0 && process.stderr.writableLength === 0) {
    const note = `loom: ${dropped} log lines dropped: stderr was not being read\n`;
    dropped = 0;
    writeStderrLine(note);
  }
  let rest = Buffer.from(line);
  if (process.stderr.writableLength === 0) {
    try {
      rest = rest.subarray(writeSync(2, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return;
    }
    if (rest.length === 0) return;
  }
  if (process.stderr.writableLength + rest.length > MAX_QUEUED_LOG_BYTES) {
    dropped += 1;
    return;
  }
  if (!listening) {
    // A reader that went away (EPIPE) must not become an unhandled 'error' event.
    process.stderr.on("error", () => {});
    listening = true;
  }
  process.stderr.write(rest);
}
