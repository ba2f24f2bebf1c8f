/**
 * One `tools/call`: runs a {@link ToolSpec} with the request's abort signal, progress (with a
 * heartbeat) and request-scoped logs, and turns its outcome into a `CallToolResult` — the output
 * as `structuredContent` plus a JSON text block, or an `isError` result naming the Loom error code.
 */
import { performance } from "node:perf_hooks";
import type { CallToolResult, ServerContext } from "@modelcontextprotocol/server";
import { errorMessage, LoomError } from "../errors.js";
import { startSpan, withSpan } from "../telemetry/tracer.js";
import { toJsonSafe } from "./json-safe.js";
import type { GatewayLogger } from "./logger.js";
import { ProgressReporter } from "./progress.js";
import type { LogLevel, ToolFailure, ToolOutcome, ToolRunContext, ToolSpec } from "./tool-spec.js";

const SETTLED = Promise.resolve();

/** `_meta` key under which an `isError` result carries the Loom error as data. */
export const ERROR_META_KEY = "loom/error";

export interface ToolCallOptions {
  logger: GatewayLogger;
  /** @default DEFAULT_HEARTBEAT_MS (10 s) */
  heartbeatMs?: number;
}

/** Builds the MCP callback of one tool. Input was validated by the server before it runs. */
export function toolCallback(
  spec: ToolSpec,
  options: ToolCallOptions,
): (args: unknown, ctx: ServerContext) => Promise<CallToolResult> {
  return async (args, ctx) => {
    const started = performance.now();
    const token = ctx.mcpReq._meta?.progressToken;
    const progress =
      token === undefined
        ? undefined
        : new ProgressReporter({
            send: (params) =>
              ctx.mcpReq.notify({
                method: "notifications/progress",
                params: { progressToken: token, ...params },
              }),
            ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
          });
    // Log notifications go out in order, and all before the result.
    let logs: Promise<void> | undefined;
    const context: ToolRunContext = {
      signal: ctx.mcpReq.signal,
      sendProgress: (update) => progress?.report(update),
      log: (level: LogLevel, message: string, data?: Record<string, unknown>) => {
        const send = () => ctx.mcpReq.log(level, data ? { message, ...data } : message, "loom");
        logs = (logs ?? SETTLED).then(send).catch(() => {});
      },
    };
    const span = startSpan("mcp.tool_call", {
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": spec.name,
      "loom.tool": spec.name,
    });
    let outcome: ToolOutcome;
    try {
      outcome = await withSpan(span, () => spec.run(isRecord(args) ? args : {}, context));
    } catch (error) {
      outcome = { ok: false, error: thrownFailure(error) };
    }
    if (!outcome.ok) span.recordError(outcome.error.code, outcome.error.message);
    span.end();
    if (progress) await progress.stop();
    if (logs) await logs;
    const durationMs = Math.round(performance.now() - started);
    if (outcome.ok) {
      options.logger.debug({ tool: spec.name, duration_ms: durationMs }, "tool call completed");
      return successResult(outcome.output);
    }
    options.logger.warn(
      { tool: spec.name, duration_ms: durationMs, code: outcome.error.code, error: outcome.error.message },
      "tool call failed",
    );
    return errorResult(outcome.error);
  };
}

/**
 * A successful result: structured output plus the same JSON as text, for text-only clients.
 * Values JSON cannot carry are converted ({@link toJsonSafe}); if the output still cannot be
 * written, the result is an `isError` result saying so — never a reply that is never sent.
 */
export function successResult(output: Record<string, unknown>): CallToolResult {
  try {
    const safe = toJsonSafe(output) as Record<string, unknown>;
    return { content: [{ type: "text", text: JSON.stringify(safe, null, 2) }], structuredContent: safe };
  } catch (error) {
    return unserialisable(error);
  }
}

/** An `isError` result: `"<code>: <message>"` as text, the error as data under `_meta`. */
export function errorResult(error: ToolFailure): CallToolResult {
  try {
    const details = toJsonSafe(error.details ?? {});
    return {
      content: [{ type: "text", text: `${error.code}: ${error.message}` }],
      isError: true,
      _meta: { [ERROR_META_KEY]: { code: error.code, message: error.message, details } },
    };
  } catch (cause) {
    return unserialisable(cause);
  }
}

function unserialisable(error: unknown): CallToolResult {
  const message = `the tool's result could not be written as JSON: ${errorMessage(error)}`;
  return {
    content: [{ type: "text", text: `internal: ${message}` }],
    isError: true,
    _meta: { [ERROR_META_KEY]: { code: "internal", message, details: {} } },
  };
}

/** A tool should return failures; anything it throws becomes one here, never a crash. */
function thrownFailure(error: unknown): ToolFailure {
  if (error instanceof LoomError) return { code: error.code, message: error.message, details: error.details };
  return { code: "internal", message: `unexpected error in the gateway: ${errorMessage(error)}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
