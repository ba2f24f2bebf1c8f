/**
 * The transport-independent gateway: a named tool list, a factory of `McpServer` instances for the
 * transports, the watched workspace resources, and what must be released on shutdown. Build one
 * from an MCP config with `createServer`, or from your own tool specs with {@link createToolServer}.
 *
 * The tool list can be swapped as a whole while serving (hot reload, issue 8): every connected
 * client is told with one `tools/list_changed`, and calls in flight finish on the tools they
 * started with — the old set is released only once its last call has ended.
 */
import type { McpRequestContext, McpServer } from "@modelcontextprotocol/server";
import { errorMessage } from "../errors.js";
import { createStderrLogger, type GatewayLogger } from "./logger.js";
import { buildGatewayInstance, type GatewayInfo, type GatewayInstance } from "./mcp-server.js";
import { InFlight } from "./production/shutdown.js";
import type { WorkspaceEvent, WorkspaceResources } from "./resources/workspace-resources.js";
import type { ToolOutcome, ToolSpec } from "./tool-spec.js";

/** How long a replaced tool set waits for its calls in flight before it is released anyway. */
const RETIRE_AFTER_MS = 60 * 60 * 1000;

/** Options of {@link createToolServer}. */
export interface ToolServerOptions {
  info: GatewayInfo;
  tools: readonly ToolSpec[];
  /** @default a pino logger on stderr */
  logger?: GatewayLogger;
  /** Progress heartbeat interval while a call runs. @default 10 000 */
  heartbeatMs?: number;
  /** Called once the tool set is released (close the dispatcher, database handles...). */
  onClose?: () => Promise<void>;
  /** Workspace files served as resources; closed with the gateway. */
  resources?: WorkspaceResources;
}

/** A change every connected client should hear about. */
export type GatewayEvent =
  | { type: "tools_changed" }
  | { type: "resources_changed" }
  | { type: "resource_updated"; uri: string };

interface Generation {
  tools: ToolSpec[];
  byName: Map<string, ToolSpec>;
  onClose: (() => Promise<void>) | undefined;
  inFlight: InFlight;
}

interface Live {
  instance: GatewayInstance;
  era: "legacy" | "modern";
}

/**
 * A gateway ready to serve: hand it to `runStdio` or `runStreamableHttp`. Each transport asks
 * {@link LoomMcpServer.factory} for the `McpServer` instances it needs.
 */
/** What a call still running when the drain times out answers. */
const SHUTTING_DOWN: ToolOutcome = {
  ok: false,
  error: {
    code: "cancelled",
    message: "the gateway is shutting down and this call did not finish in time; retry it",
  },
};

export class LoomMcpServer {
  #shuttingDown = false;
  /** Answers each running call (with {@link SHUTTING_DOWN}) at once. */
  readonly #answerers = new Set<(outcome: ToolOutcome) => void>();
  readonly info: GatewayInfo;
  readonly logger: GatewayLogger;
  /** Tool calls running now, across tool sets (a shutdown waits for them). */
  readonly inFlight = new InFlight();
  readonly #heartbeatMs: number | undefined;
  readonly #live = new Set<Live>();
  readonly #listeners = new Set<(event: GatewayEvent, relayed: boolean) => void>();
  readonly #retiring = new Set<Promise<void>>();
  #generation: Generation;
  #resources: WorkspaceResources | undefined;
  #stopResourceEvents: (() => void) | undefined;
  #extraClose: (() => Promise<void>)[] = [];
  #closing: Promise<void> | undefined;

  constructor(options: ToolServerOptions) {
    this.info = options.info;
    this.logger = options.logger ?? createStderrLogger();
    this.#heartbeatMs = options.heartbeatMs;
    this.#generation = this.#newGeneration(options.tools, options.onClose);
    this.#attachResources(options.resources);
  }

  /** The tools served now. */
  get tools(): readonly ToolSpec[] {
    return this.#generation.tools;
  }

  /** The workspace served as resources now, if any. */
  get resources(): WorkspaceResources | undefined {
    return this.#resources;
  }

  /** Connected instances (stdio connections and 2025-era HTTP sessions). */
  get connections(): number {
    return this.#live.size;
  }

  /**
   * A fresh `McpServer` for one connection or session (the SDK's `McpServerFactory`). It is kept
   * current — tool swaps, resource changes — until it closes.
   */
  readonly factory = (context?: McpRequestContext): McpServer => {
    const live: Live = { instance: this.#build(), era: context?.era ?? "legacy" };
    this.#live.add(live);
    const low = live.instance.server.server;
    const previous = low.onclose;
    low.onclose = () => {
      this.#live.delete(live);
      previous?.();
    };
    return live.instance.server;
  };

  /**
   * A fresh `McpServer` for ONE 2026-era HTTP request. Not kept: changes reach 2026-era clients
   * through their `subscriptions/listen` streams (see {@link onEvent}).
   *
   * A `tools/call` instance registers only the tool it calls. The SDK builds it after checking the
   * request's standard headers, so `Mcp-Method` names the body's method and a plain `Mcp-Name` the
   * body's tool; anything else (another method, an encoded or unknown name) gets every tool.
   */
  readonly requestFactory = (context?: McpRequestContext): McpServer => {
    const headers = context?.requestInfo?.headers;
    const called =
      headers?.get("mcp-method")?.trim() === "tools/call"
        ? this.#generation.byName.get(headers.get("mcp-name")?.trim() ?? "")
        : undefined;
    return (called ? this.#build([called], true) : this.#build()).server;
  };

  /**
   * Tells this gateway's clients of a change another replica saw (gateway replicas on the mesh).
   * Listeners registered with {@link onEvent} hear it too, with `relayed` set.
   */
  relay(event: GatewayEvent): void {
    this.#emit(event, true);
  }

  /** Registers a listener of changes; returns a function that removes it. */
  onEvent(listener: (event: GatewayEvent, relayed: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Serves `tools` from now on (hot reload). Connected clients get `tools/list_changed`; calls in
   * flight finish on the old tools, whose `onClose` runs once the last of them has ended.
   */
  swapTools(tools: readonly ToolSpec[], onClose?: () => Promise<void>): void {
    const old = this.#generation;
    this.#generation = this.#newGeneration(tools, onClose);
    for (const live of this.#live) live.instance.setTools(this.#generation.tools);
    this.#emit({ type: "tools_changed" });
    this.#retire(old);
  }

  /** Serves another workspace (or none) from now on; the previous one is closed. */
  async setResources(resources: WorkspaceResources | undefined): Promise<void> {
    const previous = this.#resources;
    this.#attachResources(resources);
    await previous?.close();
    this.#emit({ type: "resources_changed" });
  }

  /** Also run `close` when the gateway closes (a config watcher, ...). */
  addCloseHook(close: () => Promise<void>): void {
    this.#extraClose.push(close);
  }

  /** Releases everything: watchers, the tool set (after its calls), resources. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const close of this.#extraClose) await close().catch((e: unknown) => this.#closeError(e));
      this.#stopResourceEvents?.();
      await this.#resources?.close().catch((e: unknown) => this.#closeError(e));
      await Promise.all(this.#retiring);
      await this.#generation.onClose?.().catch((e: unknown) => this.#closeError(e));
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #build(tools: readonly ToolSpec[] = this.#generation.tools, toolCallOnly = false): GatewayInstance {
    return buildGatewayInstance({
      info: this.info,
      tools,
      toolCallOnly,
      logger: this.logger,
      resources: () => this.#resources,
      ...(this.#heartbeatMs === undefined ? {} : { heartbeatMs: this.#heartbeatMs }),
    });
  }

  #newGeneration(tools: readonly ToolSpec[], onClose: (() => Promise<void>) | undefined): Generation {
    const names = new Set<string>();
    for (const tool of tools) {
      if (names.has(tool.name)) throw new Error(`duplicate tool name '${tool.name}'`);
      names.add(tool.name);
    }
    const generation: Generation = { tools: [], byName: new Map(), onClose, inFlight: new InFlight() };
    generation.tools = tools.map((spec) => this.#instrument(spec, generation));
    for (const tool of generation.tools) generation.byName.set(tool.name, tool);
    return generation;
  }

  /**
   * Counts the tool's calls, answers them at once when the gateway shuts down, and announces the
   * workspace files each call created or changed. The call runs with the client's own signal: a
   * signal of the gateway's per call would cost more than the rest of this wrapper (issue #18).
   */
  #instrument(spec: ToolSpec, generation: Generation): ToolSpec {
    return {
      ...spec,
      run: async (args, context) => {
        if (this.#shuttingDown) return SHUTTING_DOWN;
        const endAll = this.inFlight.begin();
        const endHere = generation.inFlight.begin();
        let answer: (outcome: ToolOutcome) => void = () => {};
        try {
          return await new Promise<ToolOutcome>((resolve, reject) => {
            answer = resolve;
            this.#answerers.add(answer);
            spec.run(args, context).then(resolve, reject);
          });
        } finally {
          this.#answerers.delete(answer);
          endHere();
          endAll();
          if (this.#resources) {
            await this.#resources.checkForChanges().catch((error: unknown) => {
              this.logger.warn({ error: errorMessage(error) }, "cannot check the workspace for changes");
            });
          }
        }
      },
    };
  }

  /**
   * Ends every tool call still running with an error result saying the gateway is shutting down,
   * so clients get an answer when a drain times out; later calls get it too. Their work is stopped
   * when the gateway closes (its dispatchers close) or their connection does.
   */
  abortCalls(): void {
    this.#shuttingDown = true;
    for (const answer of this.#answerers) answer(SHUTTING_DOWN);
  }

  #retire(generation: Generation): void {
    const retiring = generation.inFlight
      .drained(RETIRE_AFTER_MS)
      .then(() => generation.onClose?.())
      .catch((e: unknown) => this.#closeError(e))
      .finally(() => this.#retiring.delete(retiring));
    this.#retiring.add(retiring);
  }

  #attachResources(resources: WorkspaceResources | undefined): void {
    this.#stopResourceEvents?.();
    this.#resources = resources;
    this.#stopResourceEvents = resources?.onEvent((event) => this.#onWorkspaceEvent(event));
  }

  #onWorkspaceEvent(event: WorkspaceEvent): void {
    if (event.type === "list_changed") this.#emit({ type: "resources_changed" });
    else this.#emit({ type: "resource_updated", uri: event.uri });
  }

  #emit(event: GatewayEvent, relayed = false): void {
    for (const live of this.#live) notifyInstance(live, event);
    for (const listener of this.#listeners) {
      try {
        listener(event, relayed);
      } catch (error) {
        this.logger.warn({ error: errorMessage(error) }, "gateway event listener failed");
      }
    }
  }

  #closeError(error: unknown): void {
    this.logger.error({ error: errorMessage(error) }, "error while closing the gateway");
  }
}

/**
 * Sends a change to one connected instance. Tool changes were sent by `setTools` itself. A
 * 2025-era client gets `resources/updated` only for URIs it subscribed to; on a 2026-era stdio
 * connection the SDK routes the notification to the client's `subscriptions/listen` filters.
 */
function notifyInstance(live: Live, event: GatewayEvent): void {
  const { server, subscriptions } = live.instance;
  if (!server.isConnected()) return;
  const sent =
    event.type === "resources_changed"
      ? server.server.sendResourceListChanged()
      : event.type === "resource_updated" && (live.era === "modern" || subscriptions.has(event.uri))
        ? server.server.sendResourceUpdated({ uri: event.uri })
        : undefined;
  sent?.catch(() => {});
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
