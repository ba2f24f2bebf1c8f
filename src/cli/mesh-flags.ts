/** The connection flags every mesh command takes, and running a one-shot command on the mesh. */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Command } from "commander";
import type { Mesh } from "../bus/streams.js";
import { reportError } from "./report.js";

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

/**
 * Connects, runs `work` on the mesh and closes: a one-shot command (`loom mesh status`,
 * `loom dead-letters`, `loom goals`). An error is printed as `loom <command>: ...`, exit code 1.
 */
export async function onMesh(
  command: string,
  flags: NatsFlags,
  work: (mesh: Mesh, nc: NatsConnection) => Promise<void>,
): Promise<void> {
  try {
    const [{ resolveNatsUrl }, { withMesh }] = await Promise.all([
      import("../bus/connection.js"),
      import("../mesh/process.js"),
    ]);
    await withMesh(
      {
        url: resolveNatsUrl(flags.natsUrl),
        name: `loom-${command.replaceAll(" ", "-")}`,
        ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
      },
      work,
    );
  } catch (error) {
    reportError(`${command}`, error);
    process.exitCode = 1;
  }
}
