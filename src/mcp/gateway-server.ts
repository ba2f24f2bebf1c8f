/**
 * The transport-independent gateway: a named tool list, a factory of `McpServer` instances for the
 * transports, and what must be released on shutdown (the dispatcher, database handles). Build one
 * from an MCP config with `createServer`, or from your own tool specs with {@link createToolServer}.
 */
import type { McpRequestContext, McpServer } from "@modelcontextprotocol/server";
import { createStderrLogger, type GatewayLogger } from "./logger.js";
import { buildMcpServer, type GatewayInfo } from "./mcp-server.js";
import type { ToolSpec } from "./tool-spec.js";

/** Options of {@link createToolServer}. */
export interface ToolServerOptions {
  info: GatewayInfo;
  tools: readonly ToolSpec[];
  /** @default a pino logger on stderr */
  logger?: GatewayLogger;
  /** Progress heartbeat interval while a call runs. @default 10 000 */
  heartbeatMs?: number;
  /** Called once by {@link LoomMcpServer.close} (close the dispatcher, database handles...). */
  onClose?: () => Promise<void>;
}

/**
 * A gateway ready to serve: hand it to `runStdio` or `runStreamableHttp`. Each transport asks
 * {@link LoomMcpServer.factory} for the `McpServer` instances it needs.
 */
export class LoomMcpServer {
  readonly info: GatewayInfo;
  readonly logger: GatewayLogger;
  readonly #heartbeatMs: number | undefined;
  readonly #onClose: (() => Promise<void>) | undefined;
  #tools: readonly ToolSpec[];
  #closing: Promise<void> | undefined;

  constructor(options: ToolServerOptions) {
    this.info = options.info;
    this.logger = options.logger ?? createStderrLogger();
    this.#tools = [...options.tools];
    this.#heartbeatMs = options.heartbeatMs;
    this.#onClose = options.onClose;
    const names = new Set<string>();
    for (const tool of this.#tools) {
      if (names.has(tool.name)) throw new Error(`duplicate tool name '${tool.name}'`);
      names.add(tool.name);
    }
  }

  /** The tools served now. */
  get tools(): readonly ToolSpec[] {
    return this.#tools;
  }

  /**
   * A fresh `McpServer` for one connection, session or request (the SDK's `McpServerFactory`).
   * Instances built later see the tool list of the moment they are built.
   */
  readonly factory = (_context?: McpRequestContext): McpServer =>
    buildMcpServer({
      info: this.info,
      tools: this.#tools,
      logger: this.logger,
      ...(this.#heartbeatMs === undefined ? {} : { heartbeatMs: this.#heartbeatMs }),
    });

  /** Releases what the tools hold (dispatcher, database handles). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (this.#onClose?.() ?? Promise.resolve()).catch((error: unknown) => {
      this.logger.error({ error: String(error) }, "error while closing the gateway");
    });
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * A gateway over hand-written tool specs — the server layer without any YAML.
 *
 * @example
 * const server = createToolServer({ info: { name: "demo", version: "1.0.0" }, tools: [echo] });
 * const http = await runStreamableHttp(server, { port: 0 });
 */
export function createToolServer(options: ToolServerOptions): LoomMcpServer {
  return new LoomMcpServer(options);
}
