/**
 * Query tools (guide Part 12, "Query tools"): one MCP tool per backend action, named
 * `{name_prefix}_{action}`, with schemas generated from the backend's configuration — for
 * DuckDBQueryBackend, filter fields typed from the table's real column types. Calls run as tasks
 * of a processor worker made for the entry, in the gateway's process (the database is local).
 */

import { workerConfigWithDefaults } from "../config/index.js";
import { loadModuleRef } from "../config/module-ref.js";
import type { JsonSchema, McpQueryEntry, WorkerConfig } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { cachedActionSchemas } from "./query-schema-cache.js";
import type { ToolOutcome, ToolSpec } from "./tool-spec.js";
import { runWorkerTask, taskOutcome } from "./worker-tools.js";

/** What a query backend may offer to describe its actions (DuckDBQueryBackend does). */
interface DescribableBackend {
  actionSchemas?(
    actions: string[],
  ): Promise<Record<string, { description: string; inputSchema: JsonSchema }>>;
  close?(): Promise<void> | void;
}

/** Timeout of one query call. @default 30 s */
export const QUERY_TIMEOUT_SECONDS = 30;

/** The processor worker that runs an entry's actions (its name never clashes with a YAML worker's). */
export function queryWorker(entry: McpQueryEntry, mcpConfigFile: string | undefined): WorkerConfig {
  return workerConfigWithDefaults({
    name: `mcp-query-${entry.namePrefix}`,
    description: `Query actions ${entry.actions.join(", ")} of ${entry.backend}`,
    workerKind: "processor",
    processingBackend: entry.backend,
    backendConfig: entry.backendConfig,
    inputSchema: {
      type: "object",
      required: ["action"],
      properties: { action: { type: "string", enum: entry.actions } },
    },
    timeoutSeconds: QUERY_TIMEOUT_SECONDS,
    ...(mcpConfigFile ? { sourcePath: mcpConfigFile } : {}),
  });
}

/** Asks the backend for its action schemas; a backend without `actionSchemas` gets open ones. */
async function describeActions(
  entry: McpQueryEntry,
  mcpConfigFile: string | undefined,
): Promise<Record<string, { description: string; inputSchema: JsonSchema }>> {
  const where = `tools.queries (${entry.namePrefix})`;
  const exported = await loadModuleRef(entry.backend, mcpConfigFile);
  if (typeof exported !== "function") {
    throw new LoomError("config_error", `${where}: backend '${entry.backend}' is not a class`);
  }
  let backend: DescribableBackend;
  try {
    backend = new (exported as new (options: Record<string, unknown>) => DescribableBackend)(
      entry.backendConfig,
    );
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `${where}: cannot construct '${entry.backend}': ${errorMessage(cause)}`,
      {
        cause,
      },
    );
  }
  try {
    if (typeof backend.actionSchemas === "function") return await backend.actionSchemas(entry.actions);
    return Object.fromEntries(
      entry.actions.map((action) => [
        action,
        { description: `The '${action}' action of ${entry.backend}.`, inputSchema: { type: "object" } },
      ]),
    );
  } catch (cause) {
    if (cause instanceof LoomError) {
      throw new LoomError(cause.code, `${where}: ${cause.message}`, { details: cause.details, cause });
    }
    throw new LoomError("config_error", `${where}: ${errorMessage(cause)}`, { cause });
  } finally {
    await backend.close?.();
  }
}

/**
 * The tools of one query entry. `dispatcher` must know {@link queryWorker} of the entry.
 *
 * @example
 * const worker = queryWorker(entry, configFile);
 * const tools = await queryTools(entry, worker, new LocalDispatcher({ workers: new Map([[worker.name, worker]]) }), configFile);
 */
export async function queryTools(
  entry: McpQueryEntry,
  worker: WorkerConfig,
  dispatcher: Dispatcher,
  mcpConfigFile: string | undefined,
): Promise<ToolSpec[]> {
  const schemas = await cachedActionSchemas(entry, () => describeActions(entry, mcpConfigFile));
  return entry.actions.map((action): ToolSpec => {
    const name = `${entry.namePrefix}_${action}`;
    const schema = schemas[action] ?? {
      description: `The '${action}' action.`,
      inputSchema: { type: "object" },
    };
    return {
      name,
      description: entry.description ? `${entry.description} ${schema.description}` : schema.description,
      inputSchema: schema.inputSchema,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      run: async (args, context) =>
        asToolOutcome(
          name,
          worker,
          taskOutcome(await runWorkerTask(name, worker, { ...args, action }, dispatcher, context)),
        ),
    };
  });
}

/** The query worker is internal: a failure names the tool the client called, not `mcp-query-…`. */
function asToolOutcome(tool: string, worker: WorkerConfig, outcome: ToolOutcome): ToolOutcome {
  if (outcome.ok) return outcome;
  const { worker: _internal, ...details } = outcome.error.details ?? {};
  return {
    ok: false,
    error: {
      ...outcome.error,
      message: outcome.error.message.replaceAll(`worker '${worker.name}'`, `tool '${tool}'`),
      details: { ...details, tool },
    },
  };
}
