/**
 * The gateway's own log, on stderr always — over stdio, stdout belongs to the MCP protocol.
 * Readable lines by default (`12:00:01.234 WARN  message  key=value`, with multi-line messages such
 * as reload issues kept as lines); JSON lines (pino) with `LOOM_LOG_FORMAT=json`.
 */
import { createRequire } from "node:module";
import type { pino as Pino } from "pino";
import { writeStderrLine } from "./stderr-line.js";

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
  /** @default process.env.LOOM_LOG_FORMAT ?? "text" */
  format?: LogFormat;
}

/** `text`: readable lines; `json`: one JSON object a line (pino), for log collectors. */
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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
  const format = options.format ?? logFormatFromEnv();
  const threshold = Object.hasOwn(LEVELS, level) ? (LEVELS[level] as number) : undefined;
  if (threshold === undefined) return pinoLogger(level);
  let real: GatewayLogger | undefined;
  const at =
    (value: number, method: keyof GatewayLogger) =>
    (data: Record<string, unknown>, message: string): void => {
      if (value < threshold) return;
      if (format === "text") {
        writeLine(method, data, message);
        return;
      }
      real ??= pinoLogger(level);
      real[method](data, message);
    };
  return { debug: at(20, "debug"), info: at(30, "info"), warn: at(40, "warn"), error: at(50, "error") };
}

function logFormatFromEnv(): LogFormat {
  const value = process.env.LOOM_LOG_FORMAT;
  if (value === undefined || value === "" || value === "text") return "text";
  if (value === "json") return "json";
  writeStderrLine(`loom: LOOM_LOG_FORMAT=${value} is not understood (use text or json); logging text\n`);
  return "text";
}

/** One readable line: time, level, message, then the data as key=value. */
function writeLine(method: keyof GatewayLogger, data: Record<string, unknown>, message: string): void {
  const time = new Date().toISOString().slice(11, 23);
  const fields = Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === "string" && !/\s/.test(value) ? value : JSON.stringify(value)}`,
    );
  const tail = fields.length > 0 ? `  ${fields.join(" ")}` : "";
  writeStderrLine(`${time} ${method.toUpperCase().padEnd(5)} ${message}${tail}\n`);
}

/** A logger that drops everything (tests, embedding hosts with their own logging). */
export const silentLogger: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
