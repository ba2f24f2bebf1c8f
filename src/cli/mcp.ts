/**
 * `loom mcp --config FILE [--transport stdio|streamable-http] [--host H] [--port P]`: serves an MCP
 * gateway config (guide Part 12). stdout carries MCP messages only; logs go to stderr.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { errorMessage } from "../errors.js";
import { serveConfig, TRANSPORTS, type TransportName } from "../mcp/serve.js";

interface McpFlags {
  config: string;
  transport: TransportName;
  host: string;
  port: number;
  path: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port number 0-65535 (got '${value}')`);
  }
  return port;
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
    .option("--host <host>", "streamable-http: interface to bind", "127.0.0.1")
    .option("--port <port>", "streamable-http: port", parsePort, 8000)
    .option("--path <path>", "streamable-http: endpoint path", "/mcp")
    .action(async (flags: McpFlags) => {
      try {
        await serveConfig(flags.config, {
          transport: flags.transport,
          host: flags.host,
          port: flags.port,
          path: flags.path,
        });
      } catch (error) {
        process.stderr.write(`loom mcp: ${errorMessage(error)}\n`);
        process.exitCode = 1;
      }
      // Connections, database handles or timers a backend left open must not keep the server alive.
      process.exit();
    });
}
