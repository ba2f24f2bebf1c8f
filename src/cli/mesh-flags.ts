/** The connection flags every mesh command takes. */
import type { Command } from "commander";

export interface NatsFlags {
  natsUrl?: string;
  natsCreds?: string;
}

export function addNatsFlags(command: Command): Command {
  return command
    .option(
      "--nats-url <url>",
      "NATS server (default: $LOOM_NATS_URL, else nats://127.0.0.1:4222); user:pass@ or token@ in the URL, tls:// for TLS",
    )
    .option("--nats-creds <file>", "NATS credentials file (.creds)");
}
