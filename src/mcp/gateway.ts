/**
 * `createServer`: reads an MCP gateway config (guide Part 12) and serves its tools (see
 * `gateway-tools.ts`) and its workspace as resources. With `watch`, the gateway reloads itself when
 * a config file changes (issue 8, "Hot reload").
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigFileCache } from "../config/file-cache.js";
import type { McpGatewayConfig, PipelineConfig, WorkerConfig } from "../config/types.js";
import { loadSettings } from "../llm/settings.js";
import { createToolServer, type LoomMcpServer } from "./gateway-server.js";
import { discoverTools, type GatewayToolsOptions } from "./gateway-tools.js";
import { createStderrLogger, type GatewayLogger } from "./logger.js";
import { watchGatewaySoon } from "./reload/hot-reload.js";
import { loadGatewayConfig } from "./reload/load-config.js";
import type { WorkspaceResources } from "./resources/workspace-resources.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions
  extends Partial<Omit<GatewayToolsOptions, "logger" | "meshDispatcher" | "fileCache">> {
  /**
   * Run tool calls on the NATS mesh at this URL (router → workers) instead of in this process.
   * @default the config's `nats_url`, else in-process
   */
  natsUrl?: string;
  /** A NATS credentials file for `natsUrl`. */
  natsCreds?: string;
  /** @default a pino logger on stderr */
  logger?: GatewayLogger;
  /**
   * The config files already read through this cache (the CLI's pre-flight loads the config
   * first): the gateway and its hot reloads read through it too. @default a new cache
   */
  fileCache?: ConfigFileCache;
  /** Progress heartbeat while a call runs. @default 10 000 */
  heartbeatMs?: number;
  /**
   * Watch the MCP config and every worker and pipeline config it loads; on a change, serve the new
   * tools if they are valid, else keep the old ones and log the issues. @default false
   */
  watch?: boolean;
  /** Quiet time after a config change before reloading. @default 50 */
  reloadDebounceMs?: number;
  /** Watch the workspace for changes made outside tool calls. @default true */
  watchResources?: boolean;
  /** Quiet time before a burst of workspace changes is announced. @default 100 */
  resourceDebounceMs?: number;
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

/** Opens the workspace of `gateway.resources` as watched resources (undefined when none). */
export async function openResources(
  gateway: McpGatewayConfig,
  options: CreateServerOptions,
  logger: GatewayLogger,
): Promise<WorkspaceResources | undefined> {
  const config = gateway.resources;
  if (!config) return undefined;
  // Loaded only by gateways that serve resources (it brings glob matching and a file watcher).
  const { WorkspaceResources } = await import("./resources/workspace-resources.js");
  return WorkspaceResources.open({
    workspaceDir: config.workspaceDir,
    ...(config.patterns ? { patterns: config.patterns } : {}),
    ...(config.create === undefined ? {} : { create: config.create }),
    ...(config.allowSystemDir === undefined ? {} : { allowSystemDir: config.allowSystemDir }),
    ...(config.maxFileBytes === undefined ? {} : { maxReadBytes: config.maxFileBytes }),
    ...(config.maxConcurrentReads === undefined ? {} : { maxConcurrentReads: config.maxConcurrentReads }),
    ...(config.maxWatchedFiles === undefined ? {} : { maxWatchedFiles: config.maxWatchedFiles }),
    watch: options.watchResources ?? true,
    ...(options.resourceDebounceMs === undefined ? {} : { debounceMs: options.resourceDebounceMs }),
    onError: (error) => logger.warn({ error: error.message }, "workspace watcher error"),
    onCreated: (dir) =>
      logger.info({ workspace_dir: dir }, "created the missing workspace folder (resources.create: true)"),
  });
}

/**
 * Builds the gateway of an MCP config file (or an already loaded config).
 *
 * @throws ConfigValidationError when a config is invalid; LoomError `config_error` when a
 *   referenced worker, pipeline stage or query backend cannot be used.
 * @example
 * const server = await createServer("configs/mcp/example.yaml", { watch: true });
 * await runStreamableHttp(server, { port: 8000 });
 */
export async function createServer(
  config: string | McpGatewayConfig,
  options: CreateServerOptions = {},
): Promise<LoomMcpServer> {
  // Every config file is read and parsed once; hot reloads re-read only the files that changed.
  const fileCache =
    options.fileCache ??
    (typeof config === "string" ? ConfigFileCache.persistentFor(config) : new ConfigFileCache());
  const gateway =
    typeof config === "string" ? await loadGatewayConfig(path.resolve(config), { fileCache }) : config;
  const logger = options.logger ?? createStderrLogger();
  const natsUrl = options.natsUrl ?? gateway.natsUrl;
  const mesh =
    natsUrl && !options.dispatcher ? await openMesh(natsUrl, options.natsCreds, logger) : undefined;
  // Resolved once, from the config's location too: Claude Desktop and Cursor start the gateway
  // in a folder of their own, where no loom.yaml is found (issue #12).
  const settings =
    options.settings ??
    (await loadSettings(gateway.sourcePath === undefined ? {} : { configFile: gateway.sourcePath }));
  const toolOptions: GatewayToolsOptions = {
    logger,
    settings,
    fileCache,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(mesh ? { meshDispatcher: mesh.dispatcherFor, meshGoalRunner: mesh.goalRunnerFor } : {}),
    ...(options.routerRules ? { routerRules: options.routerRules } : {}),
    ...(options.workersDir ? { workersDir: options.workersDir } : {}),
  };
  let discovered: Awaited<ReturnType<typeof discoverTools>>;
  try {
    discovered = await discoverTools(gateway, toolOptions);
  } catch (error) {
    await mesh?.close();
    throw error;
  }
  fileCache.saveParsesSoon(); // the next start takes these parses from the cache
  let resources: WorkspaceResources | undefined;
  try {
    resources = await openResources(gateway, options, logger);
  } catch (error) {
    await discovered.close();
    await mesh?.close();
    throw error;
  }
  logger.info(
    {
      config: gateway.sourcePath,
      tools: discovered.tools.map((t) => t.name),
      resources: resources?.catalog.root,
    },
    `gateway '${gateway.name}' ready with ${discovered.tools.length} tools`,
  );
  const server = createToolServer({
    info: {
      name: gateway.name,
      version: loomVersion(),
      ...(gateway.description ? { instructions: gateway.description } : {}),
    },
    tools: discovered.tools,
    logger,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    onClose: discovered.close,
    ...(resources ? { resources } : {}),
  });
  server.addCloseHook(() => fileCache.saveParses());
  if (options.watch && gateway.sourcePath) {
    const stopWatching = watchGatewaySoon(server, {
      configFile: gateway.sourcePath,
      files: discovered.files,
      resources: gateway.resources,
      discover: (next) => discoverTools(next, toolOptions),
      fileCache,
      openResources: (next) => openResources(next, options, logger),
      loadedSince: fileCache.firstReadAt ?? Date.now(),
      ...(options.reloadDebounceMs === undefined ? {} : { debounceMs: options.reloadDebounceMs }),
    });
    server.addCloseHook(stopWatching);
  }
  if (mesh) {
    const stopSharing = mesh.shareEvents(server, gateway.name);
    server.addCloseHook(async () => {
      stopSharing();
      await mesh.close();
    });
  }
  return server;
}

/** The gateway's NATS connection, and a mesh dispatcher per tool set (hot reload builds new ones). */
async function openMesh(url: string, credsFile: string | undefined, logger: GatewayLogger) {
  // Loaded only by gateways on the mesh.
  const [
    { connectNats, redactNatsUrl },
    { ensureMesh },
    { NatsDispatcher },
    { NatsGoalRunner },
    { RegistryView },
    { shareReplicaEvents },
  ] = await Promise.all([
    import("../bus/connection.js"),
    import("../bus/streams.js"),
    import("../mesh/nats-dispatcher.js"),
    import("../mesh/nats-goal-runner.js"),
    import("../mesh/registry.js"),
    import("./replica-events.js"),
  ]);
  const nc = await connectNats({
    url,
    name: "loom-mcp",
    ...(credsFile ? { credsFile } : {}),
    onStatus: (event, server) =>
      event === "disconnect"
        ? logger.warn({ server }, "lost the NATS connection; calls wait for the reconnect")
        : logger.info({ server }, "reconnected to NATS"),
  });
  try {
    const mesh = await ensureMesh(nc);
    const registry = await RegistryView.watch(mesh.registry);
    logger.info(
      { nats: redactNatsUrl(url) },
      "tool calls run on the NATS mesh (router → workers; pipelines on their orchestrators)",
    );
    return {
      dispatcherFor: (workers: ReadonlyMap<string, WorkerConfig>) =>
        new NatsDispatcher({ nc, mesh, workers }),
      shareEvents: (server: LoomMcpServer, name: string) => shareReplicaEvents(server, nc, name),
      goalRunnerFor: (pipeline: PipelineConfig) =>
        new NatsGoalRunner({ nc, mesh, pipeline: pipeline.name, registry }),
      close: async () => {
        registry.stop();
        await nc.drain();
      },
    };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
