/**
 * `loom router [--rules FILE]`: the mesh's router process (guide Part 4 and Part 7): applies
 * tier_overrides and rate_limits and forwards tasks from loom.tasks.incoming to
 * loom.tasks.{worker_type}.{tier}. Start several for high availability; they share the limits.
 */
import type { Command } from "commander";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { addPreflightFlag, type PreflightFlags, preflightOrStop } from "./preflight-flags.js";
import { reportError } from "./report.js";

interface RouterFlags extends NatsFlags, PreflightFlags {
  rules?: string;
  concurrency: number;
  ackWait: number;
}

export function registerRouter(program: Command): void {
  addNatsFlags(
    addPreflightFlag(
      program
        .command("router")
        .description("Run a mesh router: tasks from loom.tasks.incoming to loom.tasks.{worker_type}.{tier}")
        .option(
          "--rules <file>",
          "router rules (tier_overrides, rate_limits), e.g. configs/router_rules.yaml",
        )
        .option("--concurrency <n>", "incoming tasks routed at once", Number, 256)
        .option(
          "--ack-wait <seconds>",
          "seconds before a task taken by a router that died goes to another router",
          Number,
          30,
        ),
    ),
  ).action(async (flags: RouterFlags) => {
    try {
      const [
        { resolveNatsUrl },
        { runMeshProcess },
        { startRouterActor },
        { createStderrLogger },
        { loadRouterRules },
      ] = await Promise.all([
        import("../bus/connection.js"),
        import("../mesh/process.js"),
        import("../mesh/router-actor.js"),
        import("../mcp/logger.js"),
        import("../config/loaders.js"),
      ]);
      const rules = flags.rules ? await loadRouterRules(flags.rules) : undefined;
      const { checkNats } = await import("../preflight/index.js");
      await preflightOrStop(flags, () => [checkNats(resolveNatsUrl(flags.natsUrl), flags.natsCreds)]);
      const logger = createStderrLogger();
      await runMeshProcess({
        name: "loom-router",
        url: resolveNatsUrl(flags.natsUrl),
        ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
        logger,
        start: (nc, mesh) =>
          startRouterActor({
            nc,
            mesh,
            logger,
            concurrency: flags.concurrency,
            ackWaitMs: flags.ackWait * 1000,
            ...(rules ? { rules } : {}),
          }),
      });
    } catch (error) {
      reportError("router", error);
      process.exitCode = 1;
    }
  });
}
