/**
 * Tool use (Part 9): tools an LLM worker may call during its reasoning, loaded from
 * `knowledge_silos` entries with `type: tool`. The provider class is constructed with the entry's
 * `config`.
 */

import type { ToolDefinition } from "../llm/backend.js";

export type { ToolDefinition };

export interface ToolExecuteOptions {
  signal?: AbortSignal;
}

/** An async tool. `execute` returns the text handed back to the model (JSON is customary). */
export abstract class ToolProvider {
  abstract getDefinition(): ToolDefinition | Promise<ToolDefinition>;
  abstract execute(args: Record<string, unknown>, options?: ToolExecuteOptions): Promise<string>;
  async close(): Promise<void> {}
}

/**
 * A synchronous tool (CPU-bound or blocking). `executeSync` runs in a worker thread: the module is
 * imported there and the class constructed with the same `config`, so it must be a named export
 * of a module file.
 */
export abstract class SyncToolProvider {
  abstract getDefinition(): ToolDefinition;
  abstract executeSync(args: Record<string, unknown>): string;
}
