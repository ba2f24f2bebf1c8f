/**
 * `loom dev fake-llm [--port P] [--host H] [--script FILE] [--models A,B]`: serves the fake LLM the tests use, so
 * LLM workers can be tried offline. It speaks the Ollama, OpenAI-compatible and Anthropic wire
 * protocols; replies come from the script, else a sample of the worker's output schema.
 */
import { type Command, InvalidArgumentError } from "commander";
import { reportError } from "./report.js";

interface FakeLlmFlags {
  port: number;
  host: string;
  script?: string;
  models?: string[];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port number 0-65535 (got '${value}')`);
  }
  return port;
}

/** Registers the `loom dev` command group with `fake-llm`. */
export function registerDev(program: Command): void {
  const dev = program.command("dev").description("Tools for trying and developing Loom workers");
  dev
    .command("fake-llm")
    .description("Serve a fake LLM (Ollama, OpenAI and Anthropic protocols) to try LLM workers offline")
    .option(
      "--port <port>",
      "port (11434 is Ollama's, so the local tier finds it; 0 picks a free one)",
      parsePort,
      11434,
    )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--script <file>", "YAML/JSON replies: rules (match → reply) and replies (in order)")
    .option(
      "--models <names>",
      "comma-separated models its model lists show (every model is answered; '' lists none)",
      (value: string) =>
        value
          .split(",")
          .map((m) => m.trim())
          .filter(Boolean),
    )
    .action(async (flags: FakeLlmFlags) => {
      try {
        const { startFakeLlm } = await import("../dev/fake-llm-server.js");
        const { loadFakeLlmScript, scriptResponder } = await import("../dev/fake-llm-script.js");
        const script = flags.script ? await loadFakeLlmScript(flags.script) : undefined;
        const llm = await startFakeLlm({ port: flags.port, host: flags.host, models: flags.models });
        const respond = scriptResponder(script);
        llm.setResponder((request) => {
          process.stderr.write(
            `${request.method} ${request.path}${request.model ? ` (${request.model})` : ""}\n`,
          );
          return respond(request);
        });
        process.stdout.write(
          `fake LLM listening at ${llm.url}\n` +
            `  local tier (Ollama):   OLLAMA_HOST=${llm.url}\n` +
            `  every tier on it:      LOOM_STANDARD_BACKEND=ollama LOOM_FRONTIER_BACKEND=ollama OLLAMA_HOST=${llm.url}\n` +
            `  OpenAI-compatible:     OPENAI_BASE_URL=${llm.url}/v1 OPENAI_API_KEY=fake\n` +
            `  Anthropic:             ANTHROPIC_BASE_URL=${llm.url} ANTHROPIC_API_KEY=fake\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await llm.close();
      } catch (error) {
        reportError("dev fake-llm", error);
        process.exitCode = 1;
      }
    });
}
