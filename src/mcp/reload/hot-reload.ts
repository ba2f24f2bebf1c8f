/**
 * Hot reload of a running gateway (issue 8): on a change to any config file it loaded, re-load
 * and re-discover the whole tool set; if that works, swap it in atomically (clients get
 * `tools/list_changed`, calls in flight finish on the old tools); if not, keep serving the old
 * tools and log every issue as `file:line:col  path  message`.
 */
import { type ConfigFileCache, formatIssue, type McpGatewayConfig } from "../../config/index.js";
import { errorMessage } from "../../errors.js";
import type { LoomMcpServer } from "../gateway-server.js";
import type { GatewayTools } from "../gateway-tools.js";
import type { WorkspaceResources } from "../resources/workspace-resources.js";
import { ConfigWatcher } from "./config-watcher.js";
import { loadGatewayConfig } from "./load-config.js";

/** Options of {@link watchGateway}. */
export interface WatchGatewayOptions {
  /** The MCP config file (absolute). */
  configFile: string;
  /** Every config file the served tools were built from. */
  files: readonly string[];
  /** The `resources` section served now. */
  resources: McpGatewayConfig["resources"];
  /** Discovers the tools of a freshly loaded config. */
  discover: (gateway: McpGatewayConfig) => Promise<GatewayTools>;
  /** Opens the workspace of a freshly loaded config. */
  openResources: (gateway: McpGatewayConfig) => Promise<WorkspaceResources | undefined>;
  /** When the served tools' files began to be read; see `ConfigWatcherOptions.loadedSince`. */
  loadedSince?: number;
  /** @default DEFAULT_RELOAD_DEBOUNCE_MS (50) */
  debounceMs?: number;
  /**
   * The cache the served tools were loaded through (`discover` reads through it too); each reload
   * forgets the files that changed, so only those are read again. @default read every file
   */
  fileCache?: ConfigFileCache;
}

interface Loaded {
  gateway: McpGatewayConfig;
  tools: GatewayTools;
}

/**
 * Watches the gateway's config files and keeps `server` serving the latest valid tool set.
 * Close the returned watcher to stop.
 */
export async function watchGateway(
  server: LoomMcpServer,
  options: WatchGatewayOptions,
): Promise<ConfigWatcher<Loaded>> {
  const logger = server.logger;
  let resourcesKey = JSON.stringify(options.resources ?? null);
  return ConfigWatcher.start<Loaded>({
    files: options.files,
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.loadedSince === undefined ? {} : { loadedSince: options.loadedSince }),
    loadedText: (file) => options.fileCache?.text(file),
    load: async (changed) => {
      options.fileCache?.forget(changed);
      const gateway = await loadGatewayConfig(
        options.configFile,
        options.fileCache ? { fileCache: options.fileCache } : {},
      );
      const tools = await options.discover(gateway);
      options.fileCache?.saveParsesSoon();
      return { value: { gateway, tools }, files: tools.files };
    },
    onReload: async (event) => {
      if (event.type === "invalid") {
        const lines = event.issues.map(formatIssue);
        logger.error(
          { config: options.configFile, issue_count: lines.length },
          `config reload failed; still serving the previous ${server.tools.length} tools:\n  ${lines.join("\n  ")}`,
        );
        return;
      }
      const { gateway, tools } = event.value;
      server.swapTools(tools.tools, tools.close);
      const key = JSON.stringify(gateway.resources ?? null);
      if (key !== resourcesKey) {
        resourcesKey = key;
        await server.setResources(await options.openResources(gateway));
      }
      logger.info(
        { config: options.configFile, tools: tools.tools.map((t) => t.name) },
        `config reloaded: serving ${tools.tools.length} tools`,
      );
    },
    onError: (error) => logger.warn({ error: error.message }, "config watcher error"),
  });
}

/**
 * How long after the gateway is ready its watcher starts: the client's first requests arrive
 * then, and setting up a watch per file (1,000 of them for 1,000 workers) would delay them.
 */
const WATCH_START_DELAY_MS = 250;

/**
 * {@link watchGateway}, started a moment after the gateway is ready; edits made before the watcher
 * is ready are found by their modification time (`loadedSince`). A watcher that cannot start is
 * logged as an error: hot reload is then off. Returns what stops it (or cancels its start).
 */
export function watchGatewaySoon(
  server: LoomMcpServer,
  options: WatchGatewayOptions,
  delayMs = WATCH_START_DELAY_MS,
): () => Promise<void> {
  let stopped = false;
  let starting: Promise<ConfigWatcher<Loaded> | undefined> | undefined;
  const timer = setTimeout(() => {
    starting = watchGateway(server, options).catch((error: unknown) => {
      server.logger.error(
        { config: options.configFile, error: errorMessage(error) },
        "cannot watch the config files: hot reload is off (restart the gateway to pick up changes)",
      );
      return undefined;
    });
  }, delayMs);
  return async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    await (await starting)?.close();
  };
}
