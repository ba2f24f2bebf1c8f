/**
 * `createServer`: reads an MCP gateway config (guide Part 12) and discovers its tools — one per
 * worker entry, one per pipeline entry, one per query action — all executed through a Dispatcher
 * (in-process `LocalDispatcher` by default).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadMcpConfig, loadPipelineConfig, loadWorkerConfig, loadWorkerConfigs } from "../config/index.js";
import type { McpGatewayConfig, WorkerConfig } from "../config/types.js";
import { LoomError } from "../errors.js";
import { type LoomSettings, loadSettings } from "../llm/settings.js";
import { checkStageWorkers, defaultWorkersDir } from "../pipeline/run-file.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { LocalDispatcher } from "../worker/local-dispatcher.js";
import { createToolServer, type LoomMcpServer } from "./gateway-server.js";
import { createStderrLogger, type GatewayLogger } from "./logger.js";
import { pipelineTool } from "./pipeline-tools.js";
import { prepareQueryEntry } from "./query-data.js";
import { queryTools, queryWorker } from "./query-tools.js";
import type { ToolSpec } from "./tool-spec.js";
import { workerTool } from "./worker-tools.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** LLM settings for the in-process dispatcher. @default loadSettings() of the current directory, else of the config's project */
  settings?: LoomSettings;
  /** Where worker and pipeline tasks run. @default a LocalDispatcher over the configs the gateway loads */
  dispatcher?: Dispatcher;
  /** @default a pino logger on stderr */
  logger?: GatewayLogger;
  /** Progress heartbeat while a call runs. @default 10 000 */
  heartbeatMs?: number;
}

/** Loom's package version, reported as the server version. */
function loomVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
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
 * Builds the gateway of an MCP config file (or an already loaded config).
 *
 * @throws ConfigValidationError when a config is invalid; LoomError `config_error` when a
 *   referenced worker, pipeline stage or query backend cannot be used.
 * @example
 * const server = await createServer("configs/mcp/example.yaml");
 * await runStreamableHttp(server, { port: 8000 });
 */
export async function createServer(
  config: string | McpGatewayConfig,
  options: CreateServerOptions = {},
): Promise<LoomMcpServer> {
  const gateway = typeof config === "string" ? await loadMcpConfig(path.resolve(config)) : config;
  const logger = options.logger ?? createStderrLogger();
  const file = gateway.sourcePath;
  if (gateway.natsUrl && !options.dispatcher) {
    logger.warn(
      { nats_url: gateway.natsUrl },
      "nats_url is set, but this version runs without the NATS mesh: tools run in this process",
    );
  }

  const registry = new Map<string, WorkerConfig>();
  const workerEntries = await Promise.all(
    gateway.tools.workers.map(async (entry) => ({ entry, worker: await loadWorkerConfig(entry.config) })),
  );
  for (const { entry, worker } of workerEntries)
    register(registry, worker, `tools.workers (${entry.config})`);

  const workersByDir = new Map<string, Promise<Map<string, WorkerConfig>>>();
  const pipelineEntries = [];
  for (const entry of gateway.tools.pipelines) {
    const pipeline = await loadPipelineConfig(entry.config);
    const dir = path.resolve(defaultWorkersDir(entry.config));
    if (!workersByDir.has(dir)) workersByDir.set(dir, loadWorkerConfigs(dir));
    const workers = (await workersByDir.get(dir)) as Map<string, WorkerConfig>;
    checkStageWorkers(pipeline, workers, dir);
    for (const stage of pipeline.stages) {
      register(registry, workers.get(stage.workerType) as WorkerConfig, `tools.pipelines (${entry.name})`);
    }
    pipelineEntries.push({ entry, pipeline, workers });
  }

  const dispatcher =
    options.dispatcher ??
    new LocalDispatcher({
      workers: registry,
      settings: options.settings ?? (await loadSettings({ configFile: file })),
    });

  const queryEntries = await Promise.all(
    gateway.tools.queries.map((q) => prepareQueryEntry(q, file, logger)),
  );
  const queryWorkers = new Map(queryEntries.map((q) => [`mcp-query-${q.namePrefix}`, queryWorker(q, file)]));
  const queryDispatcher = new LocalDispatcher({ workers: queryWorkers });

  const tools: ToolSpec[] = [
    ...workerEntries.map(({ entry, worker }) => workerTool(entry, worker, dispatcher)),
    ...pipelineEntries.map(({ entry, pipeline, workers }) =>
      pipelineTool(entry, pipeline, workers, dispatcher),
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

  logger.info(
    { config: file, tools: tools.map((t) => t.name) },
    `gateway '${gateway.name}' ready with ${tools.length} tools`,
  );
  return createToolServer({
    info: {
      name: gateway.name,
      version: loomVersion(),
      ...(gateway.description ? { instructions: gateway.description } : {}),
    },
    tools,
    logger,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    onClose: async () => {
      await Promise.all([queryDispatcher.close(), options.dispatcher ? undefined : dispatcher.close?.()]);
    },
  });
}
