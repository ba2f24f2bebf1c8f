/**
 * The streamable HTTP transport: one endpoint (`http://127.0.0.1:8000/mcp` by default) serving
 * both protocol eras. 2026-07-28 requests go to the SDK's per-request handler
 * (`createMcpHandler(factory, { legacy: "reject" })`); 2025-era requests (`isLegacyRequest`) to
 * session-based transports ({@link LegacySessions}).
 *
 * In front of it (issue 8): optional CORS, `/healthz` and `/readyz`, Host and Origin validation
 * (403), bearer-token auth (401), a body limit (413); behind it, a bounded drain on close.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler } from "@modelcontextprotocol/node";
import {
  classifyInboundRequest,
  createMcpHandler,
  type InboundHttpRequest,
  isJsonContentType,
} from "@modelcontextprotocol/server";
import { errorMessage } from "../errors.js";
import type { GatewayEvent, LoomMcpServer } from "./gateway-server.js";
import {
  allowedHostnames,
  DEFAULT_BODY_LIMIT_BYTES,
  declaresTooLargeBody,
  hostAndOriginGuard,
  readJsonBody,
  sendJsonRpcError,
} from "./http-guards.js";
import { LegacySessions } from "./legacy-sessions.js";
import {
  assertBindAllowed,
  assertUsableToken,
  bearerAuthGuard,
  bearerTokenMatcher,
} from "./production/auth.js";
import { corsHandler, corsOriginHostnames } from "./production/cors.js";
import { healthHandler, type ReadinessCheck, requestPathname } from "./production/health.js";
import { DEFAULT_DRAIN_MS, InFlight } from "./production/shutdown.js";

/** After a drain times out, how long the calls' "shutting down" answers get to be written. */
const ANSWER_AFTER_DRAIN_MS = 1000;

/** Options of {@link runStreamableHttp}. */
export interface StreamableHttpOptions {
  /** Interface to bind. A non-loopback host needs `authToken`. @default "127.0.0.1" */
  host?: string;
  /** Port; 0 picks a free one. @default 8000 */
  port?: number;
  /** Endpoint path. @default "/mcp" */
  path?: string;
  /** Hostnames accepted in Host/Origin besides loopback and the bound host. @default [] */
  allowedHosts?: string[];
  /** Larger request bodies get 413. @default DEFAULT_BODY_LIMIT_BYTES (4 MiB) */
  bodyLimitBytes?: number;
  /** Clients must send `Authorization: Bearer <authToken>`. @default no auth (loopback only) */
  authToken?: string;
  /** Browser origins allowed by CORS (`"*"` for any). @default CORS off */
  corsOrigins?: string[] | "*";
  /** 2025-era sessions idle this long are closed; 0 never. @default 30 min */
  sessionIdleTimeoutMs?: number;
  /** Open 2025-era sessions allowed at once; at the cap the longest-idle one is evicted. @default 1000 */
  maxSessions?: number;
  /** Open 2025-era sessions one client address may hold (0: no limit). @default 100 */
  maxSessionsPerClient?: number;
  /** A 2025-era session with no request after its `initialize` is closed after this long. @default 10 000 */
  unconfirmedSessionTimeoutMs?: number;
  /** Checks `/readyz` runs besides "the gateway is built". @default [] */
  readinessChecks?: ReadinessCheck[];
  /** How long {@link HttpHandle.close} waits for tool calls in flight. @default 10 000 */
  drainTimeoutMs?: number;
}

/** A listening HTTP endpoint. */
export interface HttpHandle {
  /** The endpoint URL, e.g. `http://127.0.0.1:8000/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Number of open 2025-era sessions. */
  readonly sessions: number;
  /**
   * Stops accepting requests, lets tool calls in flight finish (up to `drainTimeoutMs`), then
   * closes sessions and connections. Does not close the gateway.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves `server` over streamable HTTP until {@link HttpHandle.close}.
 *
 * @throws LoomError `config_error` when `host` is not loopback and no `authToken` is set.
 * @example
 * const server = await createServer("configs/mcp/example.yaml");
 * const http = await runStreamableHttp(server, { port: 8000, authToken: process.env.LOOM_MCP_TOKEN });
 * console.error(`listening on ${http.url}`);
 */
export async function runStreamableHttp(
  server: LoomMcpServer,
  options: StreamableHttpOptions = {},
): Promise<HttpHandle> {
  const host = options.host ?? "127.0.0.1";
  if (options.authToken !== undefined) assertUsableToken(options.authToken);
  assertBindAllowed(host, options.authToken);
  const endpoint = options.path ?? "/mcp";
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const corsOrigins = options.corsOrigins;
  const cors = corsOrigins ? corsHandler({ origins: corsOrigins }) : undefined;
  const guard = hostAndOriginGuard(
    allowedHostnames(host, [...(options.allowedHosts ?? []), ...corsOriginHostnames(corsOrigins ?? [])]),
    { anyOrigin: corsOrigins === "*" },
  );
  const auth = options.authToken ? bearerAuthGuard(options.authToken) : undefined;
  const health = healthHandler(
    [
      { name: "gateway", check: () => ({ ok: true, detail: `${server.tools.length} tools` }) },
      ...(options.readinessChecks ?? []),
    ],
    options.authToken ? { showDetail: bearerTokenMatcher(options.authToken) } : {},
  );
  const onerror = (error: Error) => server.logger.warn({ error: error.message }, "HTTP transport error");
  const legacy = new LegacySessions(server.factory, server.logger, {
    ...(options.sessionIdleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.sessionIdleTimeoutMs }),
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    ...(options.maxSessionsPerClient === undefined
      ? {}
      : { maxSessionsPerClient: options.maxSessionsPerClient }),
    ...(options.unconfirmedSessionTimeoutMs === undefined
      ? {}
      : { unconfirmedTimeoutMs: options.unconfirmedSessionTimeoutMs }),
  });
  const modern = createMcpHandler(server.requestFactory, {
    legacy: "reject",
    onerror,
    maxRequestBodySize: bodyLimit,
  });
  const modernNode = toNodeHandler(modern, { onerror, maxRequestBodySize: bodyLimit });
  const stopEvents = server.onEvent((event) => publish(modern.notify, event));
  // POSTs being answered (a tool call's result goes out on its POST); GET streams do not count.
  const exchanges = new InFlight();
  let draining = false;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (cors?.(req, res)) return;
    if (await health(req, res)) return;
    const pathname = requestPathname(req);
    if (pathname !== endpoint) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: the MCP endpoint is ${endpoint}`);
      return;
    }
    if (!guard(req, res)) return;
    if (auth && !auth(req, res)) return;
    if (draining) {
      res.setHeader("connection", "close");
      sendJsonRpcError(res, 503, -32000, "Service Unavailable: the gateway is shutting down");
      return;
    }
    if (req.method === "GET" || req.method === "DELETE") {
      await legacy.handle(req, res);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST, DELETE" }).end();
      return;
    }
    res.once("close", exchanges.begin());
    if (!isJsonContentType(req.headers["content-type"])) {
      sendJsonRpcError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    if (declaresTooLargeBody(req, bodyLimit)) {
      res.setHeader("connection", "close");
      sendJsonRpcError(res, 413, -32000, `request body larger than ${bodyLimit} bytes`);
      return;
    }
    const body = await readJsonBody(req, bodyLimit);
    if (!body.ok) {
      if (body.status === 413) res.setHeader("connection", "close");
      sendJsonRpcError(res, body.status, body.status === 413 ? -32000 : -32700, body.message);
      return;
    }
    if (isLegacyBody(req, body.value)) await legacy.handle(req, res, body.value);
    else await modernNode(req, res, body.value);
  };

  const http = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      server.logger.error({ error: errorMessage(error) }, "unhandled error serving an MCP request");
      sendJsonRpcError(res, 500, -32603, "Internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 8000, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}${endpoint}`;
  server.logger.info(
    { server: server.info.name, tools: server.tools.length, url, auth: auth !== undefined },
    "serving MCP over HTTP",
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      stopEvents();
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const drained = await exchanges.drained(options.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
      if (!drained) {
        server.logger.warn(
          { in_flight: exchanges.size },
          "drain timed out: answering the calls still running",
        );
        server.abortCalls();
        await exchanges.drained(ANSWER_AFTER_DRAIN_MS);
      }
      await Promise.all([legacy.closeAll(), modern.close()]);
      http.closeAllConnections();
      await stopped;
    })();
    return closing;
  };
  return {
    url,
    port,
    get sessions() {
      return legacy.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Forwards a gateway change to the 2026-era `subscriptions/listen` streams. */
function publish(notify: ReturnType<typeof createMcpHandler>["notify"], event: GatewayEvent): void {
  if (event.type === "tools_changed") notify.toolsChanged();
  else if (event.type === "resources_changed") notify.resourcesChanged();
  else notify.resourceUpdated(event.uri);
}

/**
 * Whether a parsed POST body is 2025-era traffic: the SDK's own classification, as
 * `isLegacyRequest(toWebRequest(req, body), body)` runs it, without building a web `Request`.
 */
function isLegacyBody(req: IncomingMessage, body: unknown): boolean {
  const request: InboundHttpRequest = { httpMethod: "POST", body };
  const version = headerValue(req, "mcp-protocol-version");
  const method = headerValue(req, "mcp-method");
  const name = headerValue(req, "mcp-name");
  if (version !== undefined) request.protocolVersionHeader = version;
  if (method !== undefined) request.mcpMethodHeader = method;
  if (name !== undefined) request.mcpNameHeader = name;
  return classifyInboundRequest(request).kind === "legacy";
}

/** A header as `Headers.get` gives it: repeated values joined with ", ". */
function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
