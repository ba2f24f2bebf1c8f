/** `loom doctor [--configs DIR] [--nats-url URL]`: every pre-flight check, as a table; exit 1 when one fails. */
import type { Command } from "commander";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { reportError } from "./report.js";

interface DoctorFlags extends NatsFlags {
  configs: string;
}

export function registerDoctor(program: Command): void {
  addNatsFlags(
    program
      .command("doctor")
      .description(
        "Check a project: configs valid, LLM tiers reachable with their models, NATS with JetStream",
      )
      .option("--configs <dir>", "the configs folder", "configs"),
  ).action(async (flags: DoctorFlags) => {
    try {
      const [{ runDoctor }, { formatCheck, passed }] = await Promise.all([
        import("../preflight/doctor.js"),
        import("../preflight/check.js"),
      ]);
      const natsUrl = flags.natsUrl ?? process.env.LOOM_NATS_URL;
      const results = await runDoctor({
        configsDir: flags.configs,
        ...(natsUrl ? { natsUrl } : {}),
        ...(flags.natsCreds ? { natsCreds: flags.natsCreds } : {}),
      });
      for (const result of results) process.stdout.write(`${formatCheck(result)}\n`);
      process.exitCode = passed(results) ? 0 : 1;
    } catch (error) {
      reportError("doctor", error);
      process.exitCode = 1;
    }
  });
}
