/**
 * `loom run pipeline --config FILE (--context key=value ... | --goal JSON) [--workers DIR]`:
 * runs one goal in-process. The PipelineResult JSON goes to stdout; progress and the stage
 * timeline go to stderr. Exit code 1 when the goal did not complete.
 */
import type { Command } from "commander";
import { LoomError } from "../errors.js";
import {
  createGoal,
  formatEvent,
  formatTimeline,
  type Goal,
  parseContextPairs,
  parseGoalJson,
} from "../pipeline/index.js";
import { reportError } from "./report.js";

interface RunPipelineFlags {
  config: string;
  routerRules?: string;
  context: string[];
  goal?: string;
  instruction?: string;
  workers?: string;
  quiet?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function goalFrom(flags: RunPipelineFlags): Goal {
  if (flags.goal !== undefined && flags.context.length > 0) {
    throw new LoomError("invalid_input", "give either --goal JSON or --context key=value, not both");
  }
  if (flags.goal !== undefined) {
    const goal = parseGoalJson(flags.goal);
    if (flags.instruction !== undefined) goal.instruction = flags.instruction;
    return goal;
  }
  const options = flags.instruction === undefined ? {} : { instruction: flags.instruction };
  return createGoal(parseContextPairs(flags.context), options);
}

/** Adds `pipeline` to the `loom run` command group. */
export function registerRunPipeline(run: Command): void {
  run
    .command("pipeline")
    .description("Run one goal through a pipeline in this process and print the result as JSON")
    .requiredOption("--config <file>", "pipeline YAML file")
    .option("--context <key=value>", "a goal context value (repeatable; values are strings)", collect, [])
    .option("--goal <json>", 'the whole goal as JSON, e.g. \'{"context": {"pages": 3}}\' (typed values)')
    .option("--instruction <text>", "the goal's instruction (goal.instruction)")
    .option(
      "--workers <dir>",
      "folder of worker configs (default: configs/workers beside the pipeline's folder)",
    )
    .option(
      "--router-rules <file>",
      "apply router rules (tier_overrides, rate_limits), e.g. configs/router_rules.yaml",
    )
    .option("--quiet", "no progress lines on stderr (the timeline is still printed)")
    .action(async (flags: RunPipelineFlags) => {
      const controller = new AbortController();
      const onSigint = (): void => controller.abort(new Error("interrupted (SIGINT)"));
      process.once("SIGINT", onSigint);
      try {
        // Imported when run, so other commands do not load the execution stack at start-up.
        const { runPipelineFile } = await import("../pipeline/run-file.js");
        const layer = flags.routerRules
          ? await (await import("../router/layer.js")).loadRouterLayer(flags.routerRules)
          : undefined;
        const result = await runPipelineFile(flags.config, goalFrom(flags), {
          ...(layer ? { wrapDispatcher: layer } : {}),
          ...(flags.workers ? { workersDir: flags.workers } : {}),
          signal: controller.signal,
          ...(flags.quiet ? {} : { onEvent: (e) => process.stderr.write(`${formatEvent(e)}\n`) }),
        });
        process.stderr.write(`${formatTimeline(result).join("\n")}\n`);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (result.status !== "completed") process.exitCode = 1;
      } catch (error) {
        reportError("run pipeline", error);
        process.exitCode = 1;
      } finally {
        process.off("SIGINT", onSigint);
      }
    });
}
