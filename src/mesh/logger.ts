/** What mesh processes log with: a pino logger fits (the CLI passes the stderr logger). */
export interface MeshLogger {
  debug(data: Record<string, unknown>, message: string): void;
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything (library use without logs). */
export const silentLogger: MeshLogger = { debug() {}, info() {}, warn() {}, error() {} };
