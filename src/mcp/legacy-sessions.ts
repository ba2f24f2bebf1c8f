/**
 * 2025-era streamable HTTP clients (Claude Desktop, Cursor, the Inspector, the conformance suite)
 * get real sessions: one `NodeStreamableHTTPServerTransport` and one `McpServer` per
 * `Mcp-Session-Id`. The SDK's stateless fallback would lose cancellation, log levels,
 * subscriptions and list_changed for them (issue 7, "SDK choice").
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import { isInitializeRequest, type McpServer, type McpServerFactory } from "@modelcontextprotocol/server";
import { sendJsonRpcError } from "./http-guards.js";
import type { GatewayLogger } from "./logger.js";

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
}

/** The open 2025-era sessions of one HTTP endpoint. */
export class LegacySessions {
  readonly #factory: McpServerFactory;
  readonly #logger: GatewayLogger;
  readonly #sessions = new Map<string, Session>();

  constructor(factory: McpServerFactory, logger: GatewayLogger) {
    this.#factory = factory;
    this.#logger = logger;
  }

  /** Open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Serves one 2025-era request: a known session's POST/GET/DELETE, or an `initialize` that opens
   * a session. An unknown session id is a 404 (the client then starts over), a request with no
   * session that is not `initialize` a 400.
   */
  async handle(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    const header = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId) {
      const session = this.#sessions.get(sessionId);
      if (!session) {
        sendJsonRpcError(
          res,
          404,
          -32001,
          `Session not found: ${sessionId} (it ended or the server restarted)`,
        );
        return;
      }
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === "POST" && isInitializeRequest(body)) {
      await this.#open(req, res, body);
      return;
    }
    sendJsonRpcError(
      res,
      400,
      -32000,
      "Bad Request: Mcp-Session-Id header is required (send initialize first)",
    );
  }

  /** Closes every session (aborting calls in flight). */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((s) => s.server.close().catch(() => {})));
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    let session: Session | undefined;
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        if (session) this.#sessions.set(id, session);
        this.#logger.debug({ session: id }, "MCP session opened");
      },
    });
    // Set before connect: the protocol layer chains its own close handling after ours.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.#sessions.delete(id)) this.#logger.debug({ session: id }, "MCP session closed");
    };
    const server = (await this.#factory({ era: "legacy" })) as McpServer;
    session = { transport, server };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
