/**
 * What `loom mcp` does, as a library call: build the gateway of a config (watching it for hot
 * reload), serve it over stdio or streamable HTTP until the client goes away (stdio) or the
 * process is told to stop (SIGINT, SIGTERM), then shut down gracefully: stop accepting, let calls
 * in flight finish (bounded), close sessions, watchers and everything the tools hold. A second
 * signal exits at once.
 */

import type { ConfigFileCache } from "../config/file-cache.js";
import { errorMessage } from "../errors.js";
import { installProcessGuard } from "../worker/backend-guard.js";
import { closeProcessors } from "../worker/processor-runner.js";
import { closeThreadPool } from "../worker/thread-pool.js";
import { createServer } from "./gateway.js";
import type { StreamableHttpOptions } from "./http.js";
import { createStderrLogger } from "./logger.js";
import { DEFAULT_DRAIN_MS } from "./production/shutdown.js";
import { runStdio } from "./stdio.js";

/** Time given to the last results to reach stdout before a stdio connection closes. */
const RESULT_FLUSH_MS = 100;

export const TRANSPORTS = ["stdio", "streamable-http"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Options of {@link serveConfig}; the HTTP ones apply to `streamable-http` only. */
export interface ServeOptions extends Omit<StreamableHttpOptions, "readinessChecks"> {
  /** @default "stdio" */
  transport?: TransportName;
  /** Reload when a config file changes. @default true */
  watch?: boolean;
  /** Router rules file; replaces the config's `router_rules:`. */
  routerRules?: string;
  /** Folder of the workers pipeline stages name; replaces the config's `workers_dir:`. */
  workersDir?: string;
  /** stdio: largest message read from stdin. @default DEFAULT_MAX_MESSAGE_BYTES (10 MiB) */
  maxMessageBytes?: number;
  /** Run tool calls on the NATS mesh at this URL; replaces the config's `nats_url:`. */
  natsUrl?: string;
  /** A NATS credentials file. */
  natsCreds?: string;
  /** Config files already read through this cache (see `CreateServerOptions.fileCache`). */
  fileCache?: ConfigFileCache;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits the process at once (code 130). */
function stopSignal(): { promise: Promise<string>; dispose(): void } {
  let dispose = (): void => {};
  const promise = new Promise<string>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        process.stderr.write(`loom mcp: ${signal} again, exiting without waiting\n`);
        process.exit(130);
      }
      stopping = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    dispose = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  });
  return { promise, dispose };
}

/**
 * Serves the gateway of `configFile` until it should stop. Rejects (before serving) when the
 * config cannot be loaded, or when HTTP would bind a non-loopback host without a token.
 *
 * @example await serveConfig("configs/mcp/example.yaml", { transport: "streamable-http", port: 8000 });
 */
export async function serveConfig(configFile: string, options: ServeOptions = {}): Promise<void> {
  const transport = options.transport ?? "stdio";
  // The HTTP stack (Hono, the SDK's Node adapter) is loaded only when it serves: stdio starts faster.
  const http = transport === "streamable-http" ? await import("./http.js") : undefined;
  if (http) {
    const { assertBindAllowed } = await import("./production/auth.js");
    assertBindAllowed(options.host ?? "127.0.0.1", options.authToken);
  }
  const logger = createStderrLogger();
  // A backend's stray error fails its call (or is logged); it never ends the gateway.
  const unguard = installProcessGuard({
    onStray: ({ kind, error, worker, backend, failedCall }) =>
      logger.error(
        {
          kind,
          worker,
          backend,
          failed_call: failedCall,
          error: errorMessage(error),
          // Without a backend's name, where it was raised is the lead.
          ...(backend === undefined && error instanceof Error ? { stack: error.stack } : {}),
        },
        failedCall
          ? "a backend's stray error failed its call"
          : "stray error caught; the gateway keeps serving",
      ),
  });
  const server = await createServer(configFile, {
    logger,
    watch: options.watch ?? true,
    ...(options.routerRules ? { routerRules: options.routerRules } : {}),
    ...(options.workersDir ? { workersDir: options.workersDir } : {}),
    ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
    ...(options.natsCreds ? { natsCreds: options.natsCreds } : {}),
    ...(options.fileCache ? { fileCache: options.fileCache } : {}),
  }).catch((error) => {
    unguard();
    throw error;
  });
  const stop = stopSignal();
  const drainMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_MS;
  try {
    if (!http) {
      const stdio = runStdio(
        server,
        options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes },
      );
      const reason = await Promise.race([stdio.closed.then(() => "stdin closed"), stop.promise]);
      logger.info({ reason, in_flight: server.inFlight.size }, "stopping");
      if (!(await server.inFlight.drained(drainMs))) {
        logger.warn(
          { in_flight: server.inFlight.size },
          "drain timed out: answering the calls still running",
        );
        server.abortCalls();
        await server.inFlight.drained(RESULT_FLUSH_MS * 10);
      }
      // The results of the last calls are written just after their tools return.
      await new Promise((resolve) => setTimeout(resolve, RESULT_FLUSH_MS));
      await stdio.close();
    } else {
      const {
        transport: _t,
        watch: _w,
        routerRules: _r,
        workersDir: _d,
        maxMessageBytes: _m,
        ...httpOptions
      } = options;
      const serving = await http.runStreamableHttp(server, httpOptions);
      process.stderr.write(`loom mcp: serving '${server.info.name}' at ${serving.url}\n`);
      const reason = await stop.promise;
      logger.info({ reason, in_flight: server.inFlight.size, sessions: serving.sessions }, "stopping");
      await serving.close();
    }
  } finally {
    await server.close();
    await Promise.all([closeProcessors(), closeThreadPool()]);
    stop.dispose();
    unguard();
  }
}
