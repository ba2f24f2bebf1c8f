/**
 * The gateway's own log: structured lines (pino) on stderr, always — over stdio, stdout belongs to
 * the MCP protocol.
 */
import { createRequire } from "node:module";
import type { pino as Pino } from "pino";

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

// pino (CommonJS) is required on the first line logged at an enabled level, so that a gateway
// started with LOOM_LOG_LEVEL=warn (and nothing to warn about) does not load it.
const require = createRequire(import.meta.url);

/** pino's default levels; for another name pino itself is built at once (and rejects it). */
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

function pinoLogger(level: string): GatewayLogger {
  const { pino } = require("pino") as { pino: typeof Pino };
  return pino({ name: "loom-mcp", level }, pino.destination({ dest: 2, sync: true }));
}

/**
 * A pino logger writing synchronously to file descriptor 2 (pino is loaded on the first line
 * logged at an enabled level).
 *
 * @example const logger = createStderrLogger(); logger.info({ tools: 3 }, "gateway ready");
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): GatewayLogger {
  const level = options.level ?? process.env.LOOM_LOG_LEVEL ?? "info";
  const threshold = Object.hasOwn(LEVELS, level) ? (LEVELS[level] as number) : undefined;
  if (threshold === undefined) return pinoLogger(level);
  let real: GatewayLogger | undefined;
  const at =
    (value: number, method: keyof GatewayLogger) =>
    (data: Record<string, unknown>, message: string): void => {
      if (value < threshold) return;
      real ??= pinoLogger(level);
      real[method](data, message);
    };
  return { debug: at(20, "debug"), info: at(30, "info"), warn: at(40, "warn"), error: at(50, "error") };
}

/** A logger that drops everything (tests, embedding hosts with their own logging). */
export const silentLogger: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
