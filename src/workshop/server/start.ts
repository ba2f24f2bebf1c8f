/**
 * Starts the Workshop: the catalog, stores and eval jobs for one configs folder, and the HTTP
 * server. Bound to loopback by default; bound elsewhere it requires a token (generated when none is
 * given, and printed in the URL).
 */
import { existsSync, statSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectNats } from "../../bus/connection.js";
import { ensureMesh, type Mesh } from "../../bus/streams.js";
import { LoomError } from "../../errors.js";
import { isLoopbackHost } from "../../mcp/http-guards.js";
import { WorkerCatalog } from "../catalog.js";
import { EvalStore } from "../eval/index.js";
import type { EvalCaseEvent } from "../eval-jobs.js";
import { Jobs } from "../jobs.js";
import { PipelineCatalog } from "../pipeline-catalog.js";
import type { PipelineJobEvent } from "../pipeline-jobs.js";
import { VersionStore } from "../versions.js";
import { createWorkshopApp } from "./app.js";
import type { WorkshopContext } from "./context.js";
import { newSecret } from "./security.js";

export interface WorkshopOptions {
  /** @default "configs" */
  configsDir?: string;
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Required when bound beyond loopback; generated when not given there. */
  token?: string;
  /** The NATS mesh whose dead letters the Workshop shows (and replays). */
  natsUrl?: string;
  natsCreds?: string;
  /** Where log lines go. @default stderr */
  log?: (line: string) => void;
}

export interface WorkshopHandle {
  /** What to open in a browser (with `?token=` when a token is required). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startWorkshop(options: WorkshopOptions = {}): Promise<WorkshopHandle> {
  const configsDir = path.resolve(options.configsDir ?? "configs");
  if (!existsSync(configsDir) || !statSync(configsDir).isDirectory()) {
    throw new LoomError(
      "config_error",
      `configs folder ${configsDir} does not exist: pass --configs DIR (the folder with workers/)`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopbackHost(host);
  const token = options.token ?? (loopback ? undefined : newSecret());
  if (token !== undefined && (token === "" || /\s/.test(token))) {
    throw new LoomError("invalid_input", "the Workshop token must be non-empty and contain no whitespace");
  }
  const assets = assetsDir();
  const csrf = newSecret();
  const loomDir = path.join(path.dirname(configsDir), ".loom");
  const mesh = options.natsUrl ? await connectMesh(options.natsUrl, options.natsCreds) : undefined;
  const ctx: WorkshopContext = {
    configsDir,
    page: { csrf, mesh: mesh !== undefined },
    workers: new WorkerCatalog(configsDir),
    pipelines: new PipelineCatalog(configsDir),
    workerVersions: new VersionStore(loomDir, "workers"),
    pipelineVersions: new VersionStore(loomDir, "pipelines"),
    evals: new EvalStore(loomDir),
    evalJobs: new Jobs<EvalCaseEvent>(),
    pipelineJobs: new Jobs<PipelineJobEvent>(),
    ...(mesh ? { mesh } : {}),
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  const app = createWorkshopApp(ctx, {
    csrf,
    bindHost: host,
    ...(token ? { token } : {}),
    assetsDir: assets,
  });
  const port = options.port ?? 8080;
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  }).catch(async (error: NodeJS.ErrnoException) => {
    await mesh?.nc.close();
    const why =
      error.code === "EADDRINUSE"
        ? "is in use: pass --port with another port (or 0 for any free one)"
        : error.message;
    throw new LoomError("config_error", `cannot serve the Workshop on ${host}:${port}: the port ${why}`, {
      cause: error,
    });
  });
  // Validate every config now, so the first visit of a list finds them known (200 workers: ~0.5 s).
  void Promise.all([ctx.workers.list(), ctx.pipelines.list()]).catch((error: unknown) =>
    ctx.log(`could not read the configs folder: ${error instanceof Error ? error.message : String(error)}`),
  );
  const bound = (server.address() as AddressInfo).port;
  const shown = loopback ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}${token ? `/?token=${encodeURIComponent(token)}` : ""}`,
    port: bound,
    close: async () => {
      ctx.evalJobs.close();
      ctx.pipelineJobs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mesh?.nc.close();
    },
  };
}

async function connectMesh(url: string, credsFile?: string): Promise<{ mesh: Mesh; nc: NatsConnection }> {
  const nc = await connectNats({ url, name: "loom-workshop", ...(credsFile ? { credsFile } : {}) });
  try {
    return { mesh: await ensureMesh(nc), nc };
  } catch (error) {
    await nc.close();
    throw error;
  }
}

/** The built browser assets: `dist/workshop/assets`, beside the compiled server or from the sources. */
function assetsDir(): string {
  const here = import.meta.dirname;
  const candidates = [
    path.join(here, "..", "assets"),
    path.resolve(here, "..", "..", "..", "dist", "workshop", "assets"),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, "editor.js")));
  if (!found)
    throw new LoomError("internal", "the Workshop's browser assets are not built: run `npm run build`");
  return found;
}
