/**
 * The gateway's own log: structured lines (pino) on stderr, always — over stdio, stdout belongs to
 * the MCP protocol.
 */
import { pino } from "pino";

/** The few methods the gateway logs with; a pino logger fits, so does a test double. */
export interface GatewayLogger {
  debug(data: Record<string, unknown>, message: string): void;
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
}

export interface StderrLoggerOptions {
  /** @default process.env.LOOM_LOG_LEVEL ?? "info" */
  level?: string;
}

/**
 * A pino logger writing synchronously to file descriptor 2.
 *
 * @example const logger = createStderrLogger(); logger.info({ tools: 3 }, "gateway ready");
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): GatewayLogger {
  return pino(
    { name: "loom-mcp", level: options.level ?? process.env.LOOM_LOG_LEVEL ?? "info" },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, embedding hosts with their own logging). */
export const silentLogger: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
