/**
 * Loads the tools of an LLM worker (Part 9): each `knowledge_silos` entry with `type: tool` names a
 * `ToolProvider` or `SyncToolProvider` class (`provider: "<module>#<Export>"`), constructed with the
 * entry's `config`. Async providers run on the event loop; `executeSync` runs in the shared
 * worker-thread pool.
 */
import { loadModuleRef } from "../config/module-ref.js";
import type { ToolSilo, WorkerConfig } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import { callBackend } from "./backend-guard.js";
import { runInThread } from "./thread-pool.js";
import type { ToolDefinition, ToolExecuteOptions } from "./tools.js";

/** A tool ready for the tool loop. */
export interface LoadedTool {
  definition: ToolDefinition;
  /** The silo entry it came from. */
  silo: string;
  /** Runs the tool; rejects when the tool throws (the loop turns that into text for the model). */
  execute(args: Record<string, unknown>, options?: ToolExecuteOptions): Promise<string>;
}

interface ProviderInstance {
  getDefinition(): ToolDefinition | Promise<ToolDefinition>;
  execute?(args: Record<string, unknown>, options?: ToolExecuteOptions): Promise<string>;
  executeSync?(args: Record<string, unknown>): string;
  close?(): Promise<void>;
}

type ProviderClass = new (config: Record<string, unknown>) => ProviderInstance;

const cache = new Map<string, Promise<LoadedTool>>();
const instances = new Set<ProviderInstance>();
/** Cache key → its provider instance, and the owners (dispatchers) using it. */
const instanceByKey = new Map<string, ProviderInstance>();
const owners = new Map<string, Set<object>>();

/**
 * The tools a worker offers its model, in silo order. Instances are cached per (config file,
 * provider, config), so a DuckDB connection is opened once, not per task.
 * Throws `config_error` when a provider cannot be loaded or gives no usable definition.
 */
export async function loadTools(worker: WorkerConfig, owner?: object): Promise<LoadedTool[]> {
  const silos = worker.knowledgeSilos.filter((s): s is ToolSilo => s.type === "tool");
  const tools = await Promise.all(silos.map((silo) => loadTool(worker, silo, owner)));
  const seen = new Map<string, string>();
  for (const tool of tools) {
    const other = seen.get(tool.definition.name);
    if (other !== undefined) {
      throw new LoomError(
        "config_error",
        `worker '${worker.name}': tools from silos '${other}' and '${tool.silo}' share the name '${tool.definition.name}'`,
        { details: { worker: worker.name, tool: tool.definition.name } },
      );
    }
    seen.set(tool.definition.name, tool.silo);
  }
  return tools;
}

/** Closes the providers `owner` used that no other owner uses (see `releaseProcessors`). */
export async function releaseTools(owner: object): Promise<void> {
  const closing: ProviderInstance[] = [];
  for (const [key, users] of owners) {
    if (!users.delete(owner) || users.size > 0) continue;
    owners.delete(key);
    cache.delete(key);
    const instance = instanceByKey.get(key);
    instanceByKey.delete(key);
    if (instance) {
      instances.delete(instance);
      closing.push(instance);
    }
  }
  await Promise.allSettled(closing.map((instance) => instance.close?.()));
}

/** Closes every cached tool provider that has `close()` and forgets them. */
export async function closeTools(): Promise<void> {
  const all = [...instances];
  instances.clear();
  instanceByKey.clear();
  owners.clear();
  cache.clear();
  await Promise.allSettled(all.map((instance) => instance.close?.()));
}

function loadTool(worker: WorkerConfig, silo: ToolSilo, owner: object | undefined): Promise<LoadedTool> {
  const key = JSON.stringify([worker.sourcePath ?? "", silo.provider, silo.config ?? {}]);
  if (owner) {
    const users = owners.get(key) ?? new Set<object>();
    users.add(owner);
    owners.set(key, users);
  }
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = createTool(worker, silo, key);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

async function createTool(worker: WorkerConfig, silo: ToolSilo, key: string): Promise<LoadedTool> {
  const where = `worker '${worker.name}', knowledge_silos '${silo.name}'`;
  const exported = await loadModuleRef(silo.provider, worker.sourcePath);
  if (typeof exported !== "function") {
    throw new LoomError("config_error", `${where}: provider '${silo.provider}' is not a class`, {
      details: { worker: worker.name, silo: silo.name, provider: silo.provider },
    });
  }
  let instance: ProviderInstance;
  let definition: ToolDefinition;
  try {
    instance = new (exported as ProviderClass)(silo.config ?? {});
    definition = await instance.getDefinition();
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `${where}: cannot construct '${silo.provider}': ${errorMessage(cause)}`,
      {
        details: { worker: worker.name, silo: silo.name, provider: silo.provider },
        cause,
      },
    );
  }
  if (!definition || typeof definition.name !== "string" || !definition.name) {
    throw new LoomError(
      "config_error",
      `${where}: getDefinition() of '${silo.provider}' returned no tool name`,
      {
        details: { worker: worker.name, silo: silo.name },
      },
    );
  }
  const normalized: ToolDefinition = {
    name: definition.name,
    description: definition.description ?? "",
    input_schema: definition.input_schema ?? { type: "object", properties: {} },
  };
  instances.add(instance);
  instanceByKey.set(key, instance);
  if (typeof instance.execute === "function") {
    const execute = instance.execute.bind(instance);
    const owner = instance.constructor.name;
    return {
      definition: normalized,
      silo: silo.name,
      execute: (args, options) => callBackend(worker.name, owner, () => execute(args, options)),
    };
  }
  if (typeof instance.executeSync === "function") {
    const ref = silo.provider;
    const fromFile = worker.sourcePath;
    return {
      definition: normalized,
      silo: silo.name,
      execute: async (args, options) => {
        const value = await runInThread(
          {
            ref,
            ...(fromFile === undefined ? {} : { fromFile }),
            init: silo.config ?? {},
            method: "executeSync",
            args: [args],
          },
          options?.signal,
        );
        return typeof value === "string" ? value : JSON.stringify(value);
      },
    };
  }
  throw new LoomError(
    "config_error",
    `${where}: '${silo.provider}' has neither execute() (ToolProvider) nor executeSync() (SyncToolProvider)`,
    { details: { worker: worker.name, silo: silo.name } },
  );
}
