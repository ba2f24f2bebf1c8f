/**
 * Connecting to the NATS server of a mesh: one place that reads `--nats-url` / `$LOOM_NATS_URL`,
 * credentials (user:password or a token in the URL, a `.creds` file) and TLS (`tls://`), and
 * reconnects forever with backoff so a process keeps serving after the server comes back.
 */

import { readFile } from "node:fs/promises";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { LoomError } from "../errors.js";
import { inBackground } from "./background.js";

/** Where a mesh is when nothing says otherwise. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** The URL of the flag, else `$LOOM_NATS_URL`, else {@link DEFAULT_NATS_URL}. */
export function resolveNatsUrl(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.LOOM_NATS_URL || DEFAULT_NATS_URL;
}

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** `nats://[user:pass@|token@]host:port` or `tls://…`. */
  url: string;
  /** A NATS `.creds` file (JWT + nkey seed). */
  credsFile?: string;
  /** The connection name the server shows (`nats server report connections`). */
  name: string;
  /** Called on every disconnect / reconnect, for the process log. */
  onStatus?: (event: "disconnect" | "reconnect", server: string) => void;
}

interface ParsedUrl {
  server: string;
  tls: boolean;
  user?: string;
  pass?: string;
  token?: string;
}

/** Splits credentials out of a NATS URL; the URL shown in logs never carries them. */
export function parseNatsUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url.includes("://") ? url : `nats://${url}`);
  } catch {
    throw new LoomError(
      "config_error",
      `not a NATS URL: '${url}' (expected e.g. nats://127.0.0.1:4222, nats://user:pass@host:4222 or tls://host:4222)`,
    );
  }
  const scheme = parsed.protocol.replace(/:$/, "");
  if (scheme !== "nats" && scheme !== "tls") {
    throw new LoomError("config_error", `NATS URL '${url}' has scheme '${scheme}' (use nats:// or tls://)`);
  }
  const server = `${parsed.hostname}:${parsed.port || "4222"}`;
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  return {
    server,
    tls: scheme === "tls",
    ...(user && pass ? { user, pass } : {}),
    ...(user && !pass ? { token: user } : {}),
  };
}

/** The URL without credentials, for logs. */
export function redactNatsUrl(url: string): string {
  try {
    const { server, tls } = parseNatsUrl(url);
    return `${tls ? "tls" : "nats"}://${server}`;
  } catch {
    return "(invalid NATS URL)";
  }
}

/**
 * Connects with reconnects that never give up (2 s apart, with jitter).
 *
 * @throws LoomError `config_error` when the URL or creds file is unusable, or the first connect
 *   fails (the message names the URL without its credentials).
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const parsed = parseNatsUrl(options.url);
  let authenticator: ReturnType<typeof credsAuthenticator> | undefined;
  if (options.credsFile) {
    const creds = await readFile(options.credsFile).catch((cause: unknown) => {
      throw new LoomError("config_error", `cannot read the NATS creds file '${options.credsFile}'`, {
        cause,
      });
    });
    authenticator = credsAuthenticator(creds);
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: parsed.server,
      name: options.name,
      maxReconnectAttempts: -1,
      // nats.js otherwise builds two Error objects (with stacks) per request: a third of the CPU of a task.
      noAsyncTraces: true,
      reconnectTimeWait: 2000,
      ...(parsed.tls ? { tls: {} } : {}),
      ...(parsed.user ? { user: parsed.user, pass: parsed.pass } : {}),
      ...(parsed.token ? { token: parsed.token } : {}),
      ...(authenticator ? { authenticator } : {}),
    });
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `cannot connect to NATS at ${redactNatsUrl(options.url)}: ${cause instanceof Error ? cause.message : String(cause)} ` +
        "(is nats-server running with JetStream, `nats-server -js`? set --nats-url or LOOM_NATS_URL)",
      { cause },
    );
  }
  if (options.onStatus)
    inBackground(reportStatus(nc, options.onStatus), "following the NATS connection status");
  return nc;
}

async function reportStatus(nc: NatsConnection, onStatus: NonNullable<ConnectNatsOptions["onStatus"]>) {
  for await (const status of nc.status()) {
    if (status.type === "disconnect" || status.type === "reconnect") onStatus(status.type, status.server);
  }
}
