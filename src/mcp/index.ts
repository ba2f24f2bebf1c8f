/**
 * The MCP gateway (Part 12 of the guide): serve workers, pipelines and DuckDB query actions as
 * typed MCP tools over stdio or streamable HTTP.
 *
 * @example
 * const server = await createServer("configs/mcp/example.yaml");
 * await runStdio(server).closed;           // or: await runStreamableHttp(server, { port: 8000 })
 * await server.close();
 */

export { type CreateServerOptions, createServer } from "./gateway.js";
export {
  createToolServer,
  type GatewayEvent,
  LoomMcpServer,
  type ToolServerOptions,
} from "./gateway-server.js";
export { type HttpHandle, runStreamableHttp, type StreamableHttpOptions } from "./http.js";
export { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_MS } from "./legacy-sessions.js";
export { createStderrLogger, type GatewayLogger, silentLogger } from "./logger.js";
export type { GatewayInfo } from "./mcp-server.js";
export { AUTH_TOKEN_ENV, resolveAuthToken } from "./production/auth.js";
export { DEFAULT_DRAIN_MS } from "./production/shutdown.js";
export { DEFAULT_HEARTBEAT_MS } from "./progress.js";
export {
  toWorkspaceUri,
  WORKSPACE_URI_TEMPLATE,
  type WorkspaceEvent,
  WorkspaceResources,
  type WorkspaceResourcesOptions,
} from "./resources/index.js";
export { type ServeOptions, serveConfig } from "./serve.js";
export { runStdio, type StdioHandle, type StdioOptions } from "./stdio.js";
export { ERROR_META_KEY } from "./tool-call.js";
export type {
  LogLevel,
  ToolFailure,
  ToolHints,
  ToolOutcome,
  ToolProgress,
  ToolRunContext,
  ToolSpec,
} from "./tool-spec.js";
