/**
 * 2025-era streamable HTTP clients (Claude Desktop, Cursor, the Inspector, the conformance suite)
 * get real sessions: one `NodeStreamableHTTPServerTransport` and one `McpServer` per
 * `Mcp-Session-Id`. The SDK's stateless fallback would lose cancellation, log levels,
 * subscriptions and list_changed for them (issue 7, "SDK choice").
 *
 * Sessions are bounded (issues 8, 11): at most `maxSessions` at once — at the cap a new session
 * evicts the longest-idle one (503 only when every session has a call in flight); a session with no
 * request in flight for `idleTimeoutMs` is closed — its client gets 404 and starts over; and a
 * session whose client never followed its `initialize` with another request (a bare `initialize`
 * flood) is closed after `unconfirmedTimeoutMs`. One client address may hold at most
 * `maxSessionsPerClient` sessions: beyond that its own longest-idle session makes room, or it gets
 * a 429 — a flood from one address cannot push everybody else's sessions out.
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

/** Open 2025-era sessions one client address may hold. @default 100 */
export const DEFAULT_MAX_SESSIONS_PER_CLIENT = 100;

/** A session with no request after its `initialize` is closed after this long. @default 10 s */
export const DEFAULT_UNCONFIRMED_SESSION_MS = 10_000;

/** Options of {@link LegacySessions}. */
export interface LegacySessionsOptions {
  /** @default DEFAULT_SESSION_IDLE_MS; 0 disables the timeout */
  idleTimeoutMs?: number;
  /** @default DEFAULT_MAX_SESSIONS */
  maxSessions?: number;
  /** @default DEFAULT_UNCONFIRMED_SESSION_MS */
  unconfirmedTimeoutMs?: number;
  /** @default DEFAULT_MAX_SESSIONS_PER_CLIENT; 0 disables the limit */
  maxSessionsPerClient?: number;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  /** POSTs being answered now (an open GET stream alone does not keep a session busy). */
  active: number;
  lastSeen: number;
  /** False until the client sends anything after its `initialize`. */
  confirmed: boolean;
  /** The client's address. */
  client: string;
}

/** The open 2025-era sessions of one HTTP endpoint. */
export class LegacySessions {
  readonly #factory: McpServerFactory;
  readonly #logger: GatewayLogger;
  readonly #sessions = new Map<string, Session>();
  readonly #idleTimeoutMs: number;
  readonly #maxSessions: number;
  readonly #unconfirmedTimeoutMs: number;
  readonly #maxPerClient: number;
  readonly #sweeper: NodeJS.Timeout;
  #opening = 0;

  constructor(factory: McpServerFactory, logger: GatewayLogger, options: LegacySessionsOptions = {}) {
    this.#factory = factory;
    this.#logger = logger;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS;
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#unconfirmedTimeoutMs = options.unconfirmedTimeoutMs ?? DEFAULT_UNCONFIRMED_SESSION_MS;
    this.#maxPerClient = options.maxSessionsPerClient ?? DEFAULT_MAX_SESSIONS_PER_CLIENT;
    const shortest = Math.min(
      this.#unconfirmedTimeoutMs,
      this.#idleTimeoutMs > 0 ? this.#idleTimeoutMs : Number.POSITIVE_INFINITY,
    );
    this.#sweeper = setInterval(
      () => this.#sweep(),
      Math.max(50, Math.min(60_000, Math.floor(shortest / 4))),
    );
    this.#sweeper.unref();
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
          `Session not found: ${sessionId} (it ended, the server restarted, or it belongs to another replica ` +
            "behind this load balancer: 2025-era sessions need sticky routing); send initialize to start a new session",
        );
        return;
      }
      session.lastSeen = Date.now();
      session.confirmed = true;
      if (req.method === "POST") {
        session.active += 1;
        res.once("close", () => {
          session.active -= 1;
          session.lastSeen = Date.now();
          // The client hung up before its answer: cancel what it asked, as its own
          // notifications/cancelled would (2026-era requests are cancelled by the SDK already).
          if (!res.writableFinished) cancelRequests(session.transport, body);
        });
      }
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === "POST" && isInitializeRequest(body)) {
      const client = clientAddress(req);
      if (this.#atClientLimit(client) && !this.#evictOne(client)) {
        this.#logger.warn(
          { client, max_sessions_per_client: this.#maxPerClient },
          "MCP session refused: client at its limit",
        );
        res.setHeader("retry-after", "5");
        sendJsonRpcError(
          res,
          429,
          -32000,
          `Too many sessions from ${client}: at most ${this.#maxPerClient} at once, all busy (raise --max-sessions-per-client); close one or retry later`,
        );
        return;
      }
      if (this.#sessions.size + this.#opening >= this.#maxSessions && !this.#evictOne()) {
        this.#logger.warn({ max_sessions: this.#maxSessions }, "MCP session refused: every session is busy");
        res.setHeader("retry-after", "5");
        sendJsonRpcError(
          res,
          503,
          -32000,
          `Too many sessions: this gateway serves at most ${this.#maxSessions} at once and all are busy; retry later`,
        );
        return;
      }
      await this.#open(req, res, body, client);
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

  #atClientLimit(client: string): boolean {
    if (this.#maxPerClient <= 0) return false;
    let held = 0;
    for (const session of this.#sessions.values()) if (session.client === client) held += 1;
    return held >= this.#maxPerClient;
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown, client: string): Promise<void> {
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
      session = { transport, server, active: 1, lastSeen: Date.now(), confirmed: false, client };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      this.#opening -= 1;
      if (session) session.active -= 1;
    }
    if (session && transport.sessionId === undefined) await session.server.close().catch(() => {});
  }

  /**
   * Closes the longest-idle session with no call in flight (unconfirmed ones first), of `client`
   * when given; false if none.
   */
  #evictOne(client?: string): boolean {
    let oldest: [string, Session] | undefined;
    for (const entry of this.#sessions) {
      const [, session] = entry;
      if (session.active > 0 || (client !== undefined && session.client !== client)) continue;
      const better =
        !oldest ||
        (!session.confirmed && oldest[1].confirmed) ||
        (session.confirmed === oldest[1].confirmed && session.lastSeen < oldest[1].lastSeen);
      if (better) oldest = entry;
    }
    if (!oldest) return false;
    this.#close(
      oldest[0],
      oldest[1],
      client ? "evicted: its client reached its session limit" : "evicted: the session cap was reached",
    );
    return true;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) {
      if (session.active > 0) continue;
      if (!session.confirmed && session.lastSeen <= now - this.#unconfirmedTimeoutMs) {
        this.#close(id, session, "closed: no request followed its initialize");
      } else if (this.#idleTimeoutMs > 0 && session.lastSeen <= now - this.#idleTimeoutMs) {
        this.#close(id, session, "closed after being idle");
      }
    }
  }

  #close(id: string, session: Session, why: string): void {
    this.#sessions.delete(id);
    this.#logger.info({ session: id }, `MCP session ${why}`);
    session.server.close().catch(() => {});
  }
}

/** The client's address (IPv4-mapped IPv6 shown as IPv4). */
function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/** Delivers `notifications/cancelled` for each request in a POST body, as if the client sent it. */
function cancelRequests(transport: NodeStreamableHTTPServerTransport, body: unknown): void {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    const id = (message as { id?: unknown; method?: unknown } | null)?.id;
    if (
      (typeof id !== "string" && typeof id !== "number") ||
      typeof (message as { method?: unknown }).method !== "string"
    )
      continue;
    transport.onmessage?.({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: id, reason: "the client disconnected before the result" },
    });
  }
}
