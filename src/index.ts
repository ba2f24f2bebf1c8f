/**
 * The public API of Loom. Any export added here becomes public API.
 */

export type { LoomErrorOptions } from "./errors.js";
export { ErrorCategory, ErrorCode, LoomError } from "./errors.js";
