/**
 * `loom mcp --config FILE [--transport stdio|streamable-http] [--host H] [--port P] ...`: serves an
 * MCP gateway config (guide Part 12). stdout carries MCP messages only; logs go to stderr.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { ConfigFileCache } from "../config/file-cache.js";
import { serveConfig, TRANSPORTS, type TransportName } from "../mcp/serve.js";
import { shutdownTelemetry } from "../telemetry/enable.js";
import { type PreflightFlags, preflightOrStop } from "./preflight-flags.js";
import { reportError } from "./report.js";

interface McpFlags extends PreflightFlags {
  config: string;
  transport: TransportName;
  host: string;
  port: number;
  path: string;
  authToken?: string;
  authTokenFile?: string;
  corsOrigin?: string[];
  allowedHost?: string[];
  bodyLimit: number;
  maxMessageSize: number;
  sessionIdleTimeout: number;
  maxSessions: number;
  maxSessionsPerClient: number;
  drainTimeout: number;
  watch: boolean;
  routerRules?: string;
  workers?: string;
  natsUrl?: string;
  natsCreds?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port number 0-65535 (got '${value}')`);
  }
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0)
    throw new InvalidArgumentError(`expected a whole number (got '${value}')`);
  return count;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
};

function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? "x"];
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    throw new InvalidArgumentError(`expected a size such as 4mb, 512kb or 1048576 (got '${value}')`);
  }
  return Math.floor(Number(match[1]) * unit);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The bearer token of the flags or LOOM_MCP_TOKEN. The auth module (and the HTTP stack it pulls in)
 * is loaded only when there is a token to check or HTTP to serve, so stdio starts faster.
 */
async function authTokenOf(flags: McpFlags): Promise<string | undefined> {
  const given =
    flags.authToken !== undefined || flags.authTokenFile !== undefined || "LOOM_MCP_TOKEN" in process.env;
  if (!given && flags.transport === "stdio") return undefined;
  const { resolveAuthToken } = await import("../mcp/production/auth.js");
  return resolveAuthToken({
    ...(flags.authToken === undefined ? {} : { token: flags.authToken }),
    ...(flags.authTokenFile === undefined ? {} : { tokenFile: flags.authTokenFile }),
  });
}

/** Registers `loom mcp`. */
export function registerMcp(program: Command): void {
  program
    .command("mcp")
    .description("Serve workers, pipelines and queries of an MCP gateway config as MCP tools")
    .requiredOption("--config <file>", "MCP gateway YAML file, e.g. configs/mcp/example.yaml")
    .addOption(
      new Option("--transport <transport>", "how clients connect").choices(TRANSPORTS).default("stdio"),
    )
    .option("--host <host>", "streamable-http: interface to bind (non-loopback needs a token)", "127.0.0.1")
    .option("--port <port>", "streamable-http: port (0 picks a free one)", parsePort, 8000)
    .option("--path <path>", "streamable-http: endpoint path", "/mcp")
    .option(
      "--auth-token <token>",
      "streamable-http: require 'Authorization: Bearer <token>' (or set LOOM_MCP_TOKEN)",
    )
    .option("--auth-token-file <file>", "streamable-http: read the bearer token from a file")
    .option(
      "--cors-origin <origin>",
      "streamable-http: allow this browser origin ('*' for any); repeatable",
      collect,
    )
    .option("--allowed-host <host>", "streamable-http: accept this Host/Origin name too; repeatable", collect)
    .option(
      "--body-limit <size>",
      "streamable-http: largest request body (413 beyond)",
      parseSize,
      4 * 1024 * 1024,
    )
    .option(
      "--max-message-size <size>",
      "stdio: largest message read from stdin (answered with a JSON-RPC error beyond)",
      parseSize,
      10 * 1024 * 1024,
    )
    .option(
      "--session-idle-timeout <seconds>",
      "streamable-http: close idle 2025-era sessions (0: never)",
      parseCount,
      1800,
    )
    .option("--max-sessions <n>", "streamable-http: open 2025-era sessions allowed at once", parseCount, 1000)
    .option(
      "--max-sessions-per-client <n>",
      "streamable-http: open 2025-era sessions one client address may hold (0: no limit)",
      parseCount,
      100,
    )
    .option(
      "--drain-timeout <seconds>",
      "on SIGINT/SIGTERM, wait this long for calls in flight",
      parseCount,
      10,
    )
    .option("--no-watch", "do not reload when a config file changes")
    .option(
      "--router-rules <file>",
      "apply router rules (tier_overrides, rate_limits) to every task; replaces the config's router_rules",
    )
    .option(
      "--workers <dir>",
      "folder of the workers pipeline stages name; replaces the config's workers_dir",
    )
    .option(
      "--nats-url <url>",
      "run tool calls on the NATS mesh (router → workers) at this URL; replaces the config's nats_url",
    )
    .option("--nats-creds <file>", "NATS credentials file (.creds) for the mesh")
    .option("--skip-preflight", "start without the pre-flight checks (LLM tiers, NATS)")
    .action(async (flags: McpFlags) => {
      try {
        const authToken = await authTokenOf(flags);
        // The pre-flight and the gateway read the config files once between them.
        const fileCache = ConfigFileCache.persistentFor(flags.config);
        if (!flags.skipPreflight) {
          const [{ gatewayChecks }, { formatCheck }] = await Promise.all([
            import("../preflight/gateway.js"),
            import("../preflight/index.js"),
          ]);
          const checks = await gatewayChecks(flags.config, { ...flags, fileCache });
          await preflightOrStop(flags, () => checks.blocking);
          for (const check of checks.background) {
            void check.then((result) => process.stderr.write(`${formatCheck(result)}\n`)).catch(() => {});
          }
        }
        const origins = flags.corsOrigin;
        await serveConfig(flags.config, {
          transport: flags.transport,
          host: flags.host,
          port: flags.port,
          path: flags.path,
          watch: flags.watch,
          fileCache,
          ...(flags.routerRules === undefined ? {} : { routerRules: flags.routerRules }),
          ...(flags.workers === undefined ? {} : { workersDir: flags.workers }),
          ...(flags.natsUrl === undefined ? {} : { natsUrl: flags.natsUrl }),
          ...(flags.natsCreds === undefined ? {} : { natsCreds: flags.natsCreds }),
          bodyLimitBytes: flags.bodyLimit,
          maxMessageBytes: flags.maxMessageSize,
          sessionIdleTimeoutMs: flags.sessionIdleTimeout * 1000,
          maxSessions: flags.maxSessions,
          maxSessionsPerClient: flags.maxSessionsPerClient,
          drainTimeoutMs: flags.drainTimeout * 1000,
          ...(authToken === undefined ? {} : { authToken }),
          ...(origins ? { corsOrigins: origins.includes("*") ? "*" : origins } : {}),
          ...(flags.allowedHost ? { allowedHosts: flags.allowedHost } : {}),
        });
      } catch (error) {
        reportError("mcp", error);
        process.exitCode = 1;
      }
      await shutdownTelemetry().catch(() => {});
      // Connections, database handles or timers a backend left open must not keep the server alive.
      process.exit();
    });
}
