/**
 * Builds one `McpServer` instance from a tool list. The transports call this once per stdio
 * connection, once per 2025-era HTTP session and once per 2026-era HTTP request, so everything an
 * instance holds is cheap: the tool specs and their compiled schemas are shared.
 */
import {
  type CallToolResult,
  type ListToolsResult,
  McpServer,
  type RegisteredTool,
  type ServerCapabilities,
  type ServerContext,
  type StandardSchemaWithJSON,
  type ToolAnnotations,
} from "@modelcontextprotocol/server";
import { keepListingJson } from "./listing-json.js";
import type { GatewayLogger } from "./logger.js";
import { installResourceHandlers } from "./resource-handlers.js";
import type { WorkspaceResources } from "./resources/workspace-resources.js";
import { toolSchema } from "./schema-validator.js";
import { toolCallback } from "./tool-call.js";
import type { ToolSpec } from "./tool-spec.js";

/** Who the server says it is in `initialize` / `server/discover`. */
export interface GatewayInfo {
  name: string;
  version: string;
  /** Shown to the client's model as the server's instructions (the config's `description`). */
  instructions?: string;
}

/** Everything an instance is built from. */
export interface McpServerSpec {
  info: GatewayInfo;
  tools: readonly ToolSpec[];
  logger: GatewayLogger;
  /** Progress heartbeat while a call runs. @default 10 000 */
  heartbeatMs?: number;
  /** The workspace served as resources now, if any (asked on every request). */
  resources?: () => WorkspaceResources | undefined;
  /**
   * The instance answers one `tools/call` and nothing else (a 2026-era HTTP request): it gets no
   * resource or completion handlers, which that call never reaches. @default false
   */
  toolCallOnly?: boolean;
}

/** One instance plus what the gateway needs to keep it current. */
export interface GatewayInstance {
  server: McpServer;
  /** URIs this client subscribed to with `resources/subscribe` (2025-era clients). */
  subscriptions: ReadonlySet<string>;
  /** Replaces the instance's tools; the client gets one `notifications/tools/list_changed`. */
  setTools(tools: readonly ToolSpec[]): void;
}

/**
 * What the gateway advertises. Resources and prompts are declared (and answered with empty lists
 * when there is nothing to serve) so that every client and the conformance suite find the methods
 * they probe.
 */
export const GATEWAY_CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
};

/**
 * A fresh instance serving `spec.tools` (and the workspace, when configured).
 *
 * @example
 * const { server } = buildGatewayInstance({ info: { name: "demo", version: "1.0.0" }, tools: [echo], logger });
 * await server.connect(transport);
 */
export function buildGatewayInstance(spec: McpServerSpec): GatewayInstance {
  const server = new McpServer(
    { name: spec.info.name, version: spec.info.version },
    {
      capabilities: GATEWAY_CAPABILITIES,
      ...(spec.info.instructions ? { instructions: spec.info.instructions } : {}),
      // Re-registering every tool on a hot reload must reach the client as one notification.
      ...(spec.toolCallOnly
        ? {}
        : {
            debouncedNotificationMethods: [
              "notifications/tools/list_changed",
              "notifications/resources/list_changed",
            ],
          }),
    },
  );
  setDefaultClientLogLevel(server, spec.logger);
  let registered: RegisteredTool[] = [];
  let served = spec.tools;
  const setTools = (tools: readonly ToolSpec[]) => {
    for (const tool of registered) tool.remove();
    registered = tools.map((tool) => {
      const { config, callback } = registration(tool, spec);
      return server.registerTool(tool.name, config, callback);
    });
    served = tools;
  };
  setTools(spec.tools);
  const subscriptions = new Set<string>();
  if (spec.toolCallOnly) return { server, subscriptions, setTools };
  listToolsOncePerSet(server, () => served, spec.logger);
  installResourceHandlers(server, spec.resources ?? (() => undefined), subscriptions);
  server.server.setRequestHandler("completion/complete", () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return { server, subscriptions, setTools };
}

/**
 * The level below which log notifications are not sent to a 2025-era client that never sent
 * `logging/setLevel`. The SDK sends every level to such a client, which triples the messages of a
 * call; the spec leaves the choice to the server. (2026-era clients name a level per request and
 * get nothing without one.)
 */
export const DEFAULT_CLIENT_LOG_LEVEL = "warning";

/**
 * Makes {@link DEFAULT_CLIENT_LOG_LEVEL} the level of clients that set none. The SDK looks a
 * session's level up in a private map and falls back to its `undefined` key; there is no public
 * setter, so this writes that key, and says so loudly if an SDK release renamed the map.
 */
function setDefaultClientLogLevel(server: McpServer, logger: GatewayLogger): void {
  const levels = (server.server as unknown as { _loggingLevels?: unknown })._loggingLevels;
  if (levels instanceof Map) {
    if (!levels.has(undefined)) levels.set(undefined, DEFAULT_CLIENT_LOG_LEVEL);
  } else if (!warnedNoLevelMap) {
    warnedNoLevelMap = true;
    logger.warn(
      {},
      "this MCP SDK has no default log level to set: clients that set no level get every log notification",
    );
  }
}
let warnedNoLevelMap = false;

type ToolListHandler = (request: unknown, ctx: unknown) => Promise<ListToolsResult>;

// The SDK's answer to `tools/list` for each tool set, shared by every instance serving that set.
const toolLists = new WeakMap<readonly ToolSpec[], Promise<ListToolsResult>>();

/**
 * Answers `tools/list` with the SDK's own answer, computed once per tool set instead of on every
 * list: the SDK rebuilds and re-scans every tool's definition each time, about 3 ms per list at
 * 1,000 tools. The SDK's handler is taken through its protected accessor (no public one exists);
 * if a release renamed it, lists are left to the SDK, and the gateway says so loudly.
 */
function listToolsOncePerSet(
  server: McpServer,
  served: () => readonly ToolSpec[],
  logger: GatewayLogger,
): void {
  const low = server.server as unknown as { _getRequestHandler?: (method: string) => unknown };
  const sdkList = low._getRequestHandler?.("tools/list");
  if (typeof sdkList !== "function") {
    if (!warnedNoListHandler) {
      warnedNoListHandler = true;
      logger.warn({}, "this MCP SDK hides its tools/list handler: every tools/list is rebuilt by the SDK");
    }
    return;
  }
  server.server.setRequestHandler("tools/list", async (request, ctx) => {
    const tools = served();
    let listing = toolLists.get(tools);
    if (!listing) {
      const computing = (sdkList as ToolListHandler)(request, ctx);
      listing = computing;
      toolLists.set(tools, computing);
      computing.catch(() => {
        if (toolLists.get(tools) === computing) toolLists.delete(tools);
      });
    }
    const answer = await listing;
    keepListingJson(answer.tools);
    // A fresh outer object per answer: the era codecs add fields to the result they encode.
    return { ...answer };
  });
}
let warnedNoListHandler = false;

/** A fresh `McpServer` serving `spec.tools` (see {@link buildGatewayInstance}). */
export function buildMcpServer(spec: McpServerSpec): McpServer {
  return buildGatewayInstance(spec).server;
}

/** What `registerTool` gets for one tool: the same objects for every instance that serves it. */
interface Registration {
  config: {
    description: string;
    inputSchema: StandardSchemaWithJSON;
    outputSchema?: StandardSchemaWithJSON;
    annotations?: ToolAnnotations;
    title?: string;
  };
  callback: (args: unknown, ctx: ServerContext) => Promise<CallToolResult>;
  logger: GatewayLogger;
  heartbeatMs: number | undefined;
}

// Built once per tool spec (and logger): instances are built per HTTP request, tools are not.
const registrations = new WeakMap<ToolSpec, Registration>();

function registration(tool: ToolSpec, spec: McpServerSpec): Registration {
  const cached = registrations.get(tool);
  if (cached && cached.logger === spec.logger && cached.heartbeatMs === spec.heartbeatMs) return cached;
  const built: Registration = {
    config: {
      description: tool.description,
      inputSchema: toolSchema(tool.inputSchema),
      ...(tool.outputSchema ? { outputSchema: toolSchema(tool.outputSchema) } : {}),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
      ...(tool.annotations?.title ? { title: tool.annotations.title } : {}),
    },
    callback: toolCallback(tool, {
      logger: spec.logger,
      ...(spec.heartbeatMs === undefined ? {} : { heartbeatMs: spec.heartbeatMs }),
    }),
    logger: spec.logger,
    heartbeatMs: spec.heartbeatMs,
  };
  registrations.set(tool, built);
  return built;
}
