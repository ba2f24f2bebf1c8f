/**
 * `loom run worker --config FILE --input JSON|@file [--tier T]`: runs one task in this process and
 * prints the TaskResult JSON to stdout (progress to stderr). Exit code 1 when the task failed.
 */
import type { Command } from "commander";
import { TIERS } from "../config/types.js";
import { reportError } from "./report.js";

interface RunWorkerFlags {
  config: string;
  routerRules?: string;
  input: string;
  tier?: string;
}

/** Adds `worker` to the `loom run` command group. */
export function registerRunWorker(run: Command): void {
  run
    .command("worker")
    .description("Run one task through a worker in this process and print the TaskResult as JSON")
    .requiredOption("--config <file>", "worker YAML file")
    .requiredOption("--input <json>", "the payload: inline JSON, or @file.json")
    .option("--tier <tier>", `model tier (${TIERS.join(", ")}; default: the worker's default_model_tier)`)
    .option(
      "--router-rules <file>",
      "apply router rules (tier_overrides, rate_limits), e.g. configs/router_rules.yaml",
    )
    .action(async (flags: RunWorkerFlags) => {
      const controller = new AbortController();
      const onSigint = (): void => controller.abort(new Error("interrupted (SIGINT)"));
      process.once("SIGINT", onSigint);
      try {
        // Imported when run, so other commands do not load the execution stack at start-up.
        const { readPayloadArgument, runWorkerFile } = await import("../worker/run-worker-file.js");
        const payload = await readPayloadArgument(flags.input);
        const layer = flags.routerRules
          ? await (await import("../router/layer.js")).loadRouterLayer(flags.routerRules)
          : undefined;
        const result = await runWorkerFile(flags.config, payload, {
          ...(flags.tier ? { tier: flags.tier } : {}),
          ...(layer ? { wrapDispatcher: layer } : {}),
          signal: controller.signal,
          onProgress: (p) => process.stderr.write(`${p.message}\n`),
        });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (result.status !== "completed") {
          process.stderr.write(`loom run worker: ${result.error?.code}: ${result.error?.message}\n`);
          process.exitCode = 1;
        }
      } catch (error) {
        reportError("run worker", error);
        process.exitCode = 1;
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
