/**
 * 2025-era streamable HTTP clients (Claude Desktop, Cursor, the Inspector, the conformance suite)
 * get real sessions: one `NodeStreamableHTTPServerTransport` and one `McpServer` per
 * `Mcp-Session-Id`. The SDK's stateless fallback would lose cancellation, log levels,
 * subscriptions and list_changed for them (issue 7, "SDK choice").
 *
 * Sessions are bounded (issue 8): at most `maxSessions` at once (503 beyond), and a session with
 * no request in flight for `idleTimeoutMs` is closed — its client gets 404 and starts over.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import { isInitializeRequest, type McpServer, type McpServerFactory } from "@modelcontextprotocol/server";
import { sendJsonRpcError } from "./http-guards.js";
import type { GatewayLogger } from "./logger.js";

/** A 2025-era session idle this long is closed. @default 30 min */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
/** Open 2025-era sessions allowed at once. @default 1000 */
export const DEFAULT_MAX_SESSIONS = 1000;

/** Options of {@link LegacySessions}. */
export interface LegacySessionsOptions {
  /** @default DEFAULT_SESSION_IDLE_MS; 0 disables the timeout */
  idleTimeoutMs?: number;
  /** @default DEFAULT_MAX_SESSIONS */
  maxSessions?: number;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  /** POSTs being answered now (an open GET stream alone does not keep a session busy). */
  active: number;
  lastSeen: number;
}

/** The open 2025-era sessions of one HTTP endpoint. */
export class LegacySessions {
  readonly #factory: McpServerFactory;
  readonly #logger: GatewayLogger;
  readonly #sessions = new Map<string, Session>();
  readonly #idleTimeoutMs: number;
  readonly #maxSessions: number;
  readonly #sweeper: NodeJS.Timeout | undefined;
  #opening = 0;

  constructor(factory: McpServerFactory, logger: GatewayLogger, options: LegacySessionsOptions = {}) {
    this.#factory = factory;
    this.#logger = logger;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS;
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (this.#idleTimeoutMs > 0) {
      const every = Math.max(50, Math.min(60_000, Math.floor(this.#idleTimeoutMs / 4)));
      this.#sweeper = setInterval(() => this.#sweep(), every);
      this.#sweeper.unref();
    }
  }

  /** Open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Serves one 2025-era request: a known session's POST/GET/DELETE, or an `initialize` that opens
   * a session. An unknown session id is a 404 (the client then starts over), a request with no
   * session that is not `initialize` a 400, an `initialize` beyond the session cap a 503.
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
      session.lastSeen = Date.now();
      if (req.method === "POST") {
        session.active += 1;
        res.once("close", () => {
          session.active -= 1;
          session.lastSeen = Date.now();
        });
      }
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === "POST" && isInitializeRequest(body)) {
      if (this.#sessions.size + this.#opening >= this.#maxSessions) {
        this.#logger.warn({ max_sessions: this.#maxSessions }, "MCP session refused: too many sessions");
        res.setHeader("retry-after", "5");
        sendJsonRpcError(
          res,
          503,
          -32000,
          `Too many sessions: this gateway serves at most ${this.#maxSessions} at once; retry later`,
        );
        return;
      }
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
    clearInterval(this.#sweeper);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((s) => s.server.close().catch(() => {})));
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    let session: Session | undefined;
    this.#opening += 1;
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
    try {
      const server = (await this.#factory({ era: "legacy" })) as McpServer;
      session = { transport, server, active: 1, lastSeen: Date.now() };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      this.#opening -= 1;
      if (session) session.active -= 1;
    }
    if (session && transport.sessionId === undefined) await session.server.close().catch(() => {});
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#idleTimeoutMs;
    for (const [id, session] of this.#sessions) {
      if (session.active > 0 || session.lastSeen > cutoff) continue;
      this.#sessions.delete(id);
      this.#logger.info({ session: id, idle_ms: this.#idleTimeoutMs }, "MCP session closed after being idle");
      session.server.close().catch(() => {});
    }
  }
}
