/** `loom run …`: run one thing in this process (a worker task, a pipeline goal). */
import type { Command } from "commander";
import { registerRunPipeline } from "./run-pipeline.js";
import { registerRunWorker } from "./run-worker.js";

/** Registers the `loom run` command group with its `worker` and `pipeline` subcommands. */
export function registerRun(program: Command): void {
  const run = program.command("run").description("Run a worker task or a pipeline goal in this process");
  registerRunWorker(run);
  registerRunPipeline(run);
}
