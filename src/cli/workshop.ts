/** `loom workshop [--configs DIR] [--port N] [--host H] [--token T] [--open]`: serves the Workshop until Ctrl-C. */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { exitAfterFlush } from "../telemetry/enable.js";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { reportError } from "./report.js";

interface WorkshopFlags extends NatsFlags {
  configs: string;
  port: string;
  host: string;
  token?: string;
  open?: boolean;
}

export function registerWorkshop(program: Command): void {
  const command = program
    .command("workshop")
    .description("Serve the Workshop web UI: edit, test and evaluate workers in the browser")
    .option("--configs <dir>", "the configs folder (with workers/)", "configs")
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "address to bind; beyond loopback a token is required", "127.0.0.1")
    .option(
      "--token <token>",
      "token required on every request (default: $LOOM_WORKSHOP_TOKEN; generated when bound beyond loopback)",
    )
    .option("--open", "open the URL in the default browser");
  addNatsFlags(command)
    .addHelpText(
      "after",
      "\nWith --nats-url (or $LOOM_NATS_URL set) the Workshop also shows the mesh's dead letters.",
    )
    .action(async (flags: WorkshopFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(
          `loom workshop: --port must be a port number from 0 to 65535 (got '${flags.port}')\n`,
        );
        process.exitCode = 2;
        return;
      }
      try {
        const { startWorkshop } = await import("../workshop/index.js");
        const token = flags.token ?? process.env.LOOM_WORKSHOP_TOKEN;
        const natsUrl = flags.natsUrl ?? process.env.LOOM_NATS_URL;
        const workshop = await startWorkshop({
          configsDir: flags.configs,
          port,
          host: flags.host,
          ...(token ? { token } : {}),
          ...(natsUrl ? { natsUrl } : {}),
          ...(flags.natsCreds ? { natsCreds: flags.natsCreds } : {}),
        });
        process.stderr.write(`Loom Workshop serving ${flags.configs} at ${workshop.url} (Ctrl-C to stop)\n`);
        if (flags.open) openInBrowser(workshop.url);
        const stop = () => {
          void workshop.close().finally(() => exitAfterFlush(0));
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      } catch (error) {
        reportError("workshop", error);
        process.exitCode = 1;
      }
    });
}

function openInBrowser(url: string): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.once("error", () =>
    process.stderr.write(`could not open a browser (${command}); open ${url} yourself\n`),
  );
  child.unref();
}
