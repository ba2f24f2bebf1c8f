/**
 * Every error Loom raises on purpose. One base class with a stable `code`, so callers
 * (the CLI, the MCP gateway, a TaskResult on the wire) can branch on it without parsing text.
 */

/** Stable error codes. Task-level codes also appear in `TaskResult.error.code`. */
export const ErrorCode = {
  /** A config file is malformed or breaks a rule; `details.issues` lists every problem. */
  ConfigInvalid: "config_invalid",
  /** A task cannot run because of configuration (no LLM backend for a tier, unloadable backend). */
  ConfigError: "config_error",
  /** The task payload does not match the worker's input_schema (or a file ref is unusable). */
  InvalidInput: "invalid_input",
  /** The worker's output is not JSON or does not match its output_schema. */
  InvalidOutput: "invalid_output",
  /** The LLM provider failed (unreachable, 5xx after retries, refused the request). */
  LlmError: "llm_error",
  /** A processor backend or tool raised an error. */
  BackendError: "backend_error",
  /** The task or pipeline ran past its timeout_seconds. */
  Timeout: "timeout",
  /** The caller aborted the task. */
  Cancelled: "cancelled",
  /**
   * Router rules refused the task: its tier is at `max_concurrent` or out of `tokens_per_minute`.
   * Returned at once (a dead letter); `details.retry_after_ms` says when to try again.
   */
  RateLimited: "rate_limited",
  /** The task names no worker or tier that can take it (a dead letter, like `rate_limited`). */
  Unroutable: "unroutable",
  /**
   * The mesh lost the task: its worker died on every delivery, or no result came back before the
   * deadline. A dead letter; replaying it runs the task again.
   */
  WorkerLost: "worker_lost",
  /** A workspace path tried to leave the workspace, or the file is missing. */
  WorkspaceError: "workspace_error",
  /** A bug in Loom itself. */
  Internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Who is to blame: the user's config or input, a service upstream, or Loom itself. */
export const ErrorCategory = { User: "user", Upstream: "upstream", Internal: "internal" } as const;
export type ErrorCategory = (typeof ErrorCategory)[keyof typeof ErrorCategory];

/** Options shared by every {@link LoomError}. */
export interface LoomErrorOptions {
  /** @default "user" */
  category?: ErrorCategory;
  /** Plain JSON that says more (paths, allowed values, the raw reply, ...). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class of every error Loom throws on purpose. */
export class LoomError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: LoomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = options.category ?? ErrorCategory.User;
    this.details = options.details ?? {};
  }

  /** The wire form: plain data, never a stack trace. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `error` is an abort raised by an AbortSignal (DOMException or Node's AbortError). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** A readable one-line message for anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
