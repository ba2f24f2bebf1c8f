/**
 * Builds one `McpServer` instance from a tool list. The transports call this once per stdio
 * connection, once per 2025-era HTTP session and once per 2026-era HTTP request, so everything an
 * instance holds is cheap: the tool specs and their compiled schemas are shared.
 */
import { McpServer, type ServerCapabilities } from "@modelcontextprotocol/server";
import type { GatewayLogger } from "./logger.js";
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
}

/**
 * What the gateway advertises. Resources and prompts are declared (and answered with empty lists
 * until workspace resources exist) so that every client and the conformance suite find the
 * methods they probe; `subscribe` is accepted for any URI.
 */
export const GATEWAY_CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
};

/**
 * A fresh `McpServer` serving `spec.tools`.
 *
 * @example
 * const server = buildMcpServer({ info: { name: "demo", version: "1.0.0" }, tools: [echo], logger });
 * await server.connect(transport);
 */
export function buildMcpServer(spec: McpServerSpec): McpServer {
  const server = new McpServer(
    { name: spec.info.name, version: spec.info.version },
    {
      capabilities: GATEWAY_CAPABILITIES,
      ...(spec.info.instructions ? { instructions: spec.info.instructions } : {}),
    },
  );
  for (const tool of spec.tools) {
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
    );
  }
  // Subscriptions are remembered per instance; workspace resources (issue 8) will send updates.
  const subscriptions = new Set<string>();
  server.server.setRequestHandler("resources/subscribe", (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler("resources/unsubscribe", (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
  server.server.setRequestHandler("completion/complete", () => ({
    completion: { values: [], total: 0, hasMore: false },
  }));
  return server;
}
