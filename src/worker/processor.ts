/**
 * Processor workers (Part 2): non-LLM code behind one interface. Implement
 * {@link ProcessingBackend} for async work, or {@link SyncProcessingBackend} for CPU-bound work,
 * which Loom runs in a worker-thread pool so the event loop stays responsive.
 */
import { LoomError, type LoomErrorOptions } from "../errors.js";

/** What a backend returns: the output object (validated against output_schema) and a model label. */
export interface ProcessingResult {
  output: Record<string, unknown>;
  model_used: string;
}

/** The worker config a backend receives alongside the payload (plain JSON, snake_case keys). */
export type ProcessingConfig = Record<string, unknown>;

export interface ProcessOptions {
  signal?: AbortSignal;
}

/**
 * An async processor backend. The class is constructed with the worker's `backend_config`.
 *
 * @example
 * export class Upper extends ProcessingBackend {
 *   async process(payload) { return { output: { text: String(payload.text).toUpperCase() }, model_used: "upper" }; }
 * }
 */
export abstract class ProcessingBackend {
  abstract process(
    payload: Record<string, unknown>,
    config: ProcessingConfig,
    options?: ProcessOptions,
  ): Promise<ProcessingResult>;
  /** Releases resources (connections, handles). */
  async close(): Promise<void> {}
}

/**
 * A synchronous, CPU-bound processor backend. `processSync` runs in a worker thread: the module is
 * imported again there and the class constructed with the same `backend_config`, so it must be a
 * named export of a module file (not a class defined inline in a test).
 */
export abstract class SyncProcessingBackend {
  abstract processSync(payload: Record<string, unknown>, config: ProcessingConfig): ProcessingResult;
}

/**
 * Base class for errors a backend raises on purpose. Subclass it; always pass `cause` so the
 * original error chain is kept.
 *
 * @example class ConversionError extends BackendError {}
 * throw new ConversionError(`Conversion failed: ${err.message}`, { cause: err });
 */
export class BackendError extends LoomError {
  constructor(message: string, options: Omit<LoomErrorOptions, "category"> = {}) {
    super("backend_error", message, { ...options, category: "upstream" });
  }
}
