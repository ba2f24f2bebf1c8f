/**
 * What every long-running mesh process does around its actor: connect (with reconnects), create
 * the streams, log its identity and subjects to stderr, and on SIGTERM or SIGINT drain — stop
 * taking work, finish or hand back what is in flight — then close the connection.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats, redactNatsUrl } from "../bus/connection.js";
import { ensureMesh, type Mesh } from "../bus/streams.js";
import type { MeshLogger } from "./logger.js";

export interface MeshProcessOptions {
  /** The connection name the NATS server shows, e.g. `loom-router`. */
  name: string;
  url: string;
  credsFile?: string;
  logger: MeshLogger;
  /** Starts the actor; the returned `stop` is called on the first SIGTERM/SIGINT. */
  start(nc: NatsConnection, mesh: Mesh): Promise<{ stop(): Promise<void> }>;
}

/** Runs until a signal; resolves once drained. A second signal exits at once (code 130). */
export async function runMeshProcess(options: MeshProcessOptions): Promise<void> {
  const { logger } = options;
  const nc = await connectNats({
    url: options.url,
    name: options.name,
    ...(options.credsFile ? { credsFile: options.credsFile } : {}),
    onStatus: (event, server) =>
      event === "disconnect"
        ? logger.warn({ server }, "lost the NATS connection; reconnecting (work resumes when it is back)")
        : logger.info({ server }, "reconnected to NATS"),
  });
  logger.info({ nats: redactNatsUrl(options.url), pid: process.pid }, `${options.name} connected`);
  let actor: { stop(): Promise<void> };
  try {
    actor = await options.start(nc, await ensureMesh(nc));
  } catch (error) {
    await nc.close();
    throw error;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.once(signal, () => process.exit(130));
      logger.info({ signal }, `${options.name} draining: no new work; finishing what is in flight`);
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  await actor.stop();
  await nc.drain();
}

/** Connects, opens the mesh, runs one command's work and closes: for `loom mesh status` and `loom dead-letters`. */
export async function withMesh<T>(
  options: { url: string; credsFile?: string; name: string },
  work: (mesh: Mesh, nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connectNats(options);
  try {
    return await work(await ensureMesh(nc), nc);
  } finally {
    await nc.close();
  }
}
