/**
 * The streamable HTTP transport: one endpoint (`http://127.0.0.1:8000/mcp` by default) serving
 * both protocol eras. 2026-07-28 requests go to the SDK's per-request handler
 * (`createMcpHandler(factory, { legacy: "reject" })`); 2025-era requests (`isLegacyRequest`) to
 * session-based transports ({@link LegacySessions}). Host and Origin are checked first (403).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toNodeHandler, toWebRequest } from "@modelcontextprotocol/node";
import { createMcpHandler, isJsonContentType, isLegacyRequest } from "@modelcontextprotocol/server";
import { errorMessage } from "../errors.js";
import type { LoomMcpServer } from "./gateway-server.js";
import {
  allowedHostnames,
  DEFAULT_BODY_LIMIT_BYTES,
  hostAndOriginGuard,
  readJsonBody,
  sendJsonRpcError,
} from "./http-guards.js";
import { LegacySessions } from "./legacy-sessions.js";

/** Options of {@link runStreamableHttp}. */
export interface StreamableHttpOptions {
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** Port; 0 picks a free one. @default 8000 */
  port?: number;
  /** Endpoint path. @default "/mcp" */
  path?: string;
  /** Hostnames accepted in Host/Origin besides loopback and the bound host. @default [] */
  allowedHosts?: string[];
  /** @default DEFAULT_BODY_LIMIT_BYTES (4 MiB) */
  bodyLimitBytes?: number;
}

/** A listening HTTP endpoint. */
export interface HttpHandle {
  /** The endpoint URL, e.g. `http://127.0.0.1:8000/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Number of open 2025-era sessions. */
  readonly sessions: number;
  /** Stops accepting, closes sessions and in-flight exchanges. Does not close the gateway. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves `server` over streamable HTTP until {@link HttpHandle.close}.
 *
 * @example
 * const server = await createServer("configs/mcp/example.yaml");
 * const http = await runStreamableHttp(server, { port: 8000 });
 * console.error(`listening on ${http.url}`);
 */
export async function runStreamableHttp(
  server: LoomMcpServer,
  options: StreamableHttpOptions = {},
): Promise<HttpHandle> {
  const host = options.host ?? "127.0.0.1";
  const endpoint = options.path ?? "/mcp";
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const guard = hostAndOriginGuard(allowedHostnames(host, options.allowedHosts));
  const onerror = (error: Error) => server.logger.warn({ error: error.message }, "HTTP transport error");
  const legacy = new LegacySessions(server.factory, server.logger);
  const modern = createMcpHandler(server.factory, {
    legacy: "reject",
    onerror,
    maxRequestBodySize: bodyLimit,
  });
  const modernNode = toNodeHandler(modern, { onerror, maxRequestBodySize: bodyLimit });

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== endpoint) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`Not found: the MCP endpoint is ${endpoint}`);
      return;
    }
    if (!guard(req, res)) return;
    if (req.method === "GET" || req.method === "DELETE") {
      await legacy.handle(req, res);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST, DELETE" }).end();
      return;
    }
    if (!isJsonContentType(req.headers["content-type"])) {
      sendJsonRpcError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    const body = await readJsonBody(req, bodyLimit);
    if (!body.ok) {
      sendJsonRpcError(res, body.status, body.status === 413 ? -32000 : -32700, body.message);
      return;
    }
    const probe = await toWebRequest(req, body.value);
    if (await isLegacyRequest(probe, body.value)) await legacy.handle(req, res, body.value);
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
  server.logger.info({ server: server.info.name, tools: server.tools.length, url }, "serving MCP over HTTP");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
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
