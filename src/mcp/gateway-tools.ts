/**
 * Tool discovery (guide Part 12, step 2): from a loaded MCP config, one tool per worker entry, one
 * per pipeline entry, one per query action — all executed through a Dispatcher (in-process
 * `LocalDispatcher` by default). Also records every config file read, which hot reload watches.
 */
import path from "node:path";
import type { ConfigFileCache } from "../config/file-cache.js";
import { loadPipelineConfig, loadRouterRules, loadWorkerConfig, loadWorkerConfigs } from "../config/index.js";
import type { McpGatewayConfig, PipelineConfig, WorkerConfig } from "../config/types.js";
import { LoomError } from "../errors.js";
import type { LoomSettings } from "../llm/settings.js";
import type { GoalRunner } from "../pipeline/goal-runner.js";
import { checkStageWorkers, defaultWorkersDir } from "../pipeline/run-file.js";
import { PipelineRunner } from "../pipeline/runner.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { LocalDispatcher } from "../worker/local-dispatcher.js";
import type { GatewayLogger } from "./logger.js";
import { pipelineTool } from "./pipeline-tools.js";
import { prepareQueryEntry } from "./query-data.js";
import { queryTools, queryWorker } from "./query-tools.js";
import type { ToolSpec } from "./tool-spec.js";
import { workerTool } from "./worker-tools.js";

/** What tool discovery needs besides the config. */
export interface GatewayToolsOptions {
  logger: GatewayLogger;
  settings?: LoomSettings;
  /** Where worker and pipeline tasks run. @default a LocalDispatcher over the loaded configs */
  dispatcher?: Dispatcher;
  /**
   * Builds the dispatcher of each tool set from its worker configs (the NATS mesh: tiers and
   * deadlines are resolved from the configs at the edge). The mesh's router applies router rules,
   * so the gateway applies none of its own. Ignored when `dispatcher` is given.
   */
  meshDispatcher?: (workers: ReadonlyMap<string, WorkerConfig>) => Dispatcher;
  /** Runs each pipeline's goals on the mesh's orchestrators instead of in this process. */
  meshGoalRunner?: (pipeline: PipelineConfig) => GoalRunner;
  /**
   * Router rules file applied around the dispatcher (`loom mcp --router-rules`); replaces the
   * config's `router_rules:`. @default the config's `router_rules`, else none
   */
  routerRules?: string;
  /**
   * Folder of the workers pipeline stages name (`loom mcp --workers`); replaces the config's
   * `workers_dir:`. @default the config's `workers_dir`, else the workers/ folder beside each pipeline
   */
  workersDir?: string;
  /** Read worker and pipeline files through this cache (the gateway's). @default read each file */
  fileCache?: ConfigFileCache;
}

/** One discovered tool set and what it holds open. */
export interface GatewayTools {
  tools: ToolSpec[];
  /** Every config file read (the MCP config, workers, pipelines, the pipelines' workers). */
  files: string[];
  /** Releases the dispatchers and database handles of this tool set. */
  close(): Promise<void>;
}

/** Adds `worker` to the registry; two different files defining one worker name is a config error. */
function register(registry: Map<string, WorkerConfig>, worker: WorkerConfig, where: string): void {
  const existing = registry.get(worker.name);
  if (existing && existing.sourcePath !== worker.sourcePath) {
    throw new LoomError(
      "config_error",
      `${where}: worker '${worker.name}' is defined twice (${existing.sourcePath} and ${worker.sourcePath}); ` +
        "worker names must be unique",
      { details: { worker: worker.name, files: [existing.sourcePath, worker.sourcePath] } },
    );
  }
  if (!existing) registry.set(worker.name, worker);
}

/**
 * Discovers the tools of a loaded MCP config. On failure, whatever was opened is closed again.
 *
 * @throws ConfigValidationError when a worker or pipeline config is invalid; LoomError
 *   `config_error` when a worker, pipeline stage or query backend cannot be used.
 */
export async function discoverTools(
  gateway: McpGatewayConfig,
  options: GatewayToolsOptions,
): Promise<GatewayTools> {
  const file = gateway.sourcePath;
  const files = new Set<string>(file ? [file] : []);
  const closers: (() => Promise<void> | undefined)[] = [];
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  const loaded = new Map<string, Promise<WorkerConfig>>();
  const loadWorker = (workerFile: string): Promise<WorkerConfig> => {
    const key = path.resolve(workerFile);
    let worker = loaded.get(key);
    if (!worker) {
      worker = loadWorkerConfig(key, options.fileCache ? { fileCache: options.fileCache } : {});
      loaded.set(key, worker);
    }
    return worker;
  };
  try {
    const registry = new Map<string, WorkerConfig>();
    const workerEntries = await Promise.all(
      gateway.tools.workers.map(async (entry) => {
        files.add(entry.config);
        return { entry, worker: await loadWorker(entry.config) };
      }),
    );
    for (const { entry, worker } of workerEntries)
      register(registry, worker, `tools.workers (${entry.config})`);

    const workersByDir = new Map<string, Promise<Map<string, WorkerConfig>>>();
    const pipelineEntries = [];
    for (const entry of gateway.tools.pipelines) {
      files.add(entry.config);
      const pipeline = await loadPipelineConfig(
        entry.config,
        options.fileCache ? { fileCache: options.fileCache } : {},
      );
      const dir = path.resolve(options.workersDir ?? gateway.workersDir ?? defaultWorkersDir(entry.config));
      if (!workersByDir.has(dir)) workersByDir.set(dir, loadWorkerConfigs(dir, { load: loadWorker }));
      const workers = (await workersByDir.get(dir)) as Map<string, WorkerConfig>;
      for (const worker of workers.values()) if (worker.sourcePath) files.add(worker.sourcePath);
      checkStageWorkers(pipeline, workers, dir);
      for (const stage of pipeline.stages) {
        register(registry, workers.get(stage.workerType) as WorkerConfig, `tools.pipelines (${entry.name})`);
      }
      pipelineEntries.push({ entry, pipeline, workers });
    }

    const mesh = options.dispatcher ? undefined : options.meshDispatcher?.(registry);
    const owned =
      options.dispatcher || mesh
        ? mesh
        : new LocalDispatcher({
            workers: registry,
            ...(options.settings ? { settings: options.settings } : {}),
          });
    if (owned) closers.push(() => owned.close?.() ?? Promise.resolve());
    const inner = (options.dispatcher ?? owned) as Dispatcher;
    let rulesFile = options.routerRules ?? gateway.routerRules;
    if (rulesFile && mesh) {
      options.logger.warn(
        { router_rules: rulesFile },
        "router rules are not applied by a gateway on the NATS mesh: start the router with them (`loom router --rules FILE`)",
      );
      rulesFile = undefined;
    }
    if (rulesFile) files.add(path.resolve(rulesFile));
    // The router layer is loaded only by gateways that have rules.
    const dispatcher = rulesFile
      ? (await import("../router/layer.js")).routerLayer(await loadRouterRules(rulesFile), {
          logger: options.logger,
        })(inner, registry)
      : inner;

    const queryEntries = await Promise.all(
      gateway.tools.queries.map((q) => prepareQueryEntry(q, file, options.logger)),
    );
    const queryWorkers = new Map(
      queryEntries.map((q) => [`mcp-query-${q.namePrefix}`, queryWorker(q, file)]),
    );
    const queryDispatcher = new LocalDispatcher({ workers: queryWorkers });
    closers.push(() => queryDispatcher.close());

    const tools: ToolSpec[] = [
      ...workerEntries.map(({ entry, worker }) => workerTool(entry, worker, dispatcher)),
      ...pipelineEntries.map(({ entry, pipeline, workers }) =>
        pipelineTool(
          entry,
          pipeline,
          workers,
          options.meshGoalRunner?.(pipeline) ?? new PipelineRunner(pipeline, { dispatcher }),
        ),
      ),
    ];
    for (const entry of queryEntries) {
      const worker = queryWorkers.get(`mcp-query-${entry.namePrefix}`) as WorkerConfig;
      tools.push(...(await queryTools(entry, worker, queryDispatcher, file)));
    }

    const names = new Set<string>();
    for (const tool of tools) {
      if (names.has(tool.name)) {
        throw new LoomError("config_error", `${file ?? "MCP config"}: two tools are named '${tool.name}'`, {
          details: { tool: tool.name },
        });
      }
      names.add(tool.name);
    }
    return { tools, files: [...files].sort(), close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
