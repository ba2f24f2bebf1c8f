/**
 * What `loom mcp` does, as a library call: build the gateway of a config, serve it over stdio or
 * streamable HTTP until the client goes away (stdio) or the process is told to stop (SIGINT,
 * SIGTERM), then release everything.
 */
import { closeProcessors } from "../worker/processor-runner.js";
import { closeThreadPool } from "../worker/thread-pool.js";
import { createServer } from "./gateway.js";
import { runStreamableHttp } from "./http.js";
import { createStderrLogger } from "./logger.js";
import { runStdio } from "./stdio.js";

export const TRANSPORTS = ["stdio", "streamable-http"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Options of {@link serveConfig}. */
export interface ServeOptions {
  /** @default "stdio" */
  transport?: TransportName;
  /** HTTP only. @default "127.0.0.1" */
  host?: string;
  /** HTTP only. @default 8000 */
  port?: number;
  /** HTTP only. @default "/mcp" */
  path?: string;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): { promise: Promise<string>; dispose(): void } {
  let dispose = (): void => {};
  const promise = new Promise<string>((resolve) => {
    const onSignal = (signal: string) => resolve(signal);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    dispose = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  });
  return { promise, dispose };
}

/**
 * Serves the gateway of `configFile` until it should stop. Rejects (before serving) when the
 * config cannot be loaded.
 *
 * @example await serveConfig("configs/mcp/example.yaml", { transport: "streamable-http", port: 8000 });
 */
export async function serveConfig(configFile: string, options: ServeOptions = {}): Promise<void> {
  const logger = createStderrLogger();
  const server = await createServer(configFile, { logger });
  const stop = stopSignal();
  try {
    if ((options.transport ?? "stdio") === "stdio") {
      const stdio = runStdio(server);
      const reason = await Promise.race([stdio.closed.then(() => "stdin closed"), stop.promise]);
      logger.info({ reason }, "stopping");
      await stdio.close();
    } else {
      const http = await runStreamableHttp(server, {
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.path === undefined ? {} : { path: options.path }),
      });
      process.stderr.write(`loom mcp: serving '${server.info.name}' at ${http.url}\n`);
      const reason = await stop.promise;
      logger.info({ reason }, "stopping");
      await http.close();
    }
  } finally {
    stop.dispose();
    await server.close();
    await Promise.all([closeProcessors(), closeThreadPool()]);
  }
}
