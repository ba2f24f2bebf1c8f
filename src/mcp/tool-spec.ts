/**
 * What the gateway serves: a list of {@link ToolSpec}s. Workers, pipelines and query actions are
 * each turned into one (see `worker-tools.ts`, `pipeline-tools.ts`, `query-tools.ts`); the server
 * layer (`mcp-server.ts`) only ever sees this shape, so it can be tested with trivial specs and the
 * tool set can be swapped as a whole (hot reload, issue 8).
 */
import type { JsonSchema } from "../config/types.js";
import type { ErrorCode } from "../errors.js";

/** MCP log levels, lowest first (RFC 5424 severities). */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Behaviour hints shown to clients (MCP `ToolAnnotations`). */
export interface ToolHints {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** One progress report of a running tool call. */
export interface ToolProgress {
  /** Progress so far; the gateway keeps what reaches the client strictly increasing. */
  progress: number;
  /** Total, when known (a pipeline: its number of stages). */
  total?: number;
  /** Human-readable, e.g. "stage 'extract' completed". */
  message?: string;
}

/** What a running tool may use: its cancellation signal, progress and request-scoped logs. */
export interface ToolRunContext {
  /** Aborted when the client cancels the call or disconnects. Pass it to the dispatcher. */
  signal: AbortSignal;
  /** Sent as `notifications/progress` when the client asked for progress; ignored otherwise. */
  sendProgress(progress: ToolProgress): void;
  /** A log message for this call, delivered at the client's log level (and never on stdout). */
  log(level: LogLevel, message: string, data?: Record<string, unknown>): void;
}

/** The failure of a tool call, as data: a Loom error code and a message that says what and where. */
export interface ToolFailure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** How a tool call ended: the structured output, or a failure the client sees as `isError`. */
export type ToolOutcome =
  | { ok: true; output: Record<string, unknown> }
  | { ok: false; error: ToolFailure; output?: Record<string, unknown> };

/**
 * One MCP tool. `inputSchema` is served verbatim and arguments are validated against it before
 * `run` is called; `outputSchema`, when given, describes `output` of a successful outcome.
 *
 * @example
 * const echo: ToolSpec = {
 *   name: "echo",
 *   description: "Returns its input",
 *   inputSchema: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
 *   annotations: { readOnlyHint: true },
 *   run: async (args) => ({ ok: true, output: { text: args.text } }),
 * };
 */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolHints;
  run(args: Record<string, unknown>, context: ToolRunContext): Promise<ToolOutcome>;
}
