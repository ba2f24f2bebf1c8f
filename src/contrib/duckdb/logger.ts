/**
 * What the DuckDB tools log with. They are built from YAML `backend_config`, so by default they
 * write their own lines to stderr (never stdout: it belongs to the stdio MCP transport), at
 * `LOOM_LOG_LEVEL` like the gateway; a library user can pass any pino-like logger instead.
 */

/** The few methods the DuckDB tools log with; a pino logger fits, so does a test double. */
export interface DuckDBLogger {
  debug(data: Record<string, unknown>, message: string): void;
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
}

const LEVELS = { debug: 20, info: 30, warn: 40 } as const;

/**
 * A logger writing `loom duckdb: LEVEL message {data}` lines to stderr, for levels at or above
 * `LOOM_LOG_LEVEL` (@default "info"; `silent`, `error` or `fatal` drop all of them).
 */
export function stderrDuckDBLogger(): DuckDBLogger {
  const level = process.env.LOOM_LOG_LEVEL ?? "info";
  const threshold = level in LEVELS ? LEVELS[level as keyof typeof LEVELS] : level === "trace" ? 0 : 100;
  const at =
    (name: keyof typeof LEVELS) =>
    (data: Record<string, unknown>, message: string): void => {
      if (LEVELS[name] < threshold) return;
      process.stderr.write(`loom duckdb: ${name.toUpperCase()} ${message} ${JSON.stringify(data)}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn") };
}
