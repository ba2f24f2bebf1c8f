/**
 * Builds one `McpServer` instance from a tool list. The transports call this once per stdio
 * connection, once per 2025-era HTTP session and once per 2026-era HTTP request, so everything an
 * instance holds is cheap: the tool specs and their compiled schemas are shared.
 */
import { McpServer, type RegisteredTool, type ServerCapabilities } from "@modelcontextprotocol/server";
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
      debouncedNotificationMethods: [
        "notifications/tools/list_changed",
        "notifications/resources/list_changed",
      ],
    },
  );
  let registered: RegisteredTool[] = [];
  const setTools = (tools: readonly ToolSpec[]) => {
    for (const tool of registered) tool.remove();
    registered = tools.map((tool) =>
      server.registerTool(
        tool.name,
        {
          description: tool.description,
          inputSchema: toolSchema(tool.inputSchema),
          ...(tool.outputSchema ? { outputSchema: toolSchema(tool.outputSchema) } : {}),
          ...(tool.annotations ? { annotations: tool.annotations } : {}),
          ...(tool.annotations?.title ? { title: tool.annotations.title } : {}),
        },
        toolCallback(tool, {
          logger: spec.logger,
          ...(spec.heartbeatMs === undefined ? {} : { heartbeatMs: spec.heartbeatMs }),
        }),
      ),
    );
  };
  setTools(spec.tools);
  const subscriptions = new Set<string>();
  installResourceHandlers(server, spec.resources ?? (() => undefined), subscriptions);
  server.server.setRequestHandler("completion/complete", () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return { server, subscriptions, setTools };
}

/** A fresh `McpServer` serving `spec.tools` (see {@link buildGatewayInstance}). */
export function buildMcpServer(spec: McpServerSpec): McpServer {
  return buildGatewayInstance(spec).server;
}
