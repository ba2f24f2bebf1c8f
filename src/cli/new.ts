/**
 * `loom new worker` and `loom new pipeline`: scaffold a config from answers (guide Part 1
 * "Step 1: Create the worker config", Part 3 "Step 1: Create a pipeline config"). Every answer
 * has a flag; on a terminal the missing ones are asked with @clack/prompts. With
 * --non-interactive, or when stdin is not a terminal, a missing required answer is a usage error
 * (exit 2). The file is validated before it is written; exit 1 when it does not validate, when it
 * exists without --force, or when an answer is refused.
 */
import type { Command } from "commander";
import { errorMessage, LoomError } from "../errors.js";
import type { NewPipelineFlags, NewWorkerFlags } from "../scaffold/flags.js";
import { UsageError } from "../scaffold/prompt.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `loom new worker` and `loom new pipeline`. */
export function registerNew(program: Command): void {
  const command = program.command("new").description("Scaffold a worker or pipeline config from answers");
  const common = (sub: Command): Command =>
    sub
      .option("--configs <dir>", "configs folder the file goes into", "configs")
      .option("--out <file>", "write here instead of the configs folder")
      .option("--force", "overwrite an existing file")
      .option("--non-interactive", "never prompt; a missing required answer is an error (exit 2)")
      .option("--name <name>", "name: lowercase letters, digits, underscores; starts with a letter")
      .option("--description <text>", "one sentence saying what it does");
  common(command.command("worker").description("Scaffold a worker config (configs/workers/<name>.yaml)"))
    .option("--kind <kind>", "llm or processor (default llm)")
    .option("--tier <tier>", "default model tier: local, standard or frontier (default standard)")
    .option("--system-prompt <text>", "the system prompt (llm workers)")
    .option("--system-prompt-file <file>", "read the system prompt from a file (llm workers)")
    .option("--backend <ref>", 'processing backend "<module>#<Export>" (processor workers)')
    .option("--input <field>", "input field name:type (name?:type optional); repeat for each", collect, [])
    .option("--output <field>", "output field name:type (name?:type optional); repeat for each", collect, [])
    .option("--timeout <seconds>", "timeout_seconds (default 60)")
    .action(async (flags: NewWorkerFlags) => {
      await runAction(async () =>
        (await import("../scaffold/new-worker.js")).newWorker(flags, interactive(flags)),
      );
    });
  common(
    command.command("pipeline").description("Scaffold a pipeline config (configs/orchestrators/<name>.yaml)"),
  )
    .option("--workers <dir>", "folder of worker configs (default <configs>/workers)")
    .option("--stage <spec>", "stage name=worker_type[@tier]; repeat in order", collect, [])
    .option(
      "--map <spec>",
      "input mapping stage.field=source (goal.context.x, stage.output.y); repeat",
      collect,
      [],
    )
    .option("--timeout <seconds>", "timeout_seconds (default 300)")
    .action(async (flags: NewPipelineFlags) => {
      await runAction(async () =>
        (await import("../scaffold/new-pipeline.js")).newPipeline(flags, interactive(flags)),
      );
    });
}

/** Prompts only on a terminal, and never with --non-interactive. */
function interactive(flags: { nonInteractive?: boolean }): boolean {
  return !flags.nonInteractive && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

async function runAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const issues = error instanceof LoomError ? error.details.issues : undefined;
    process.stderr.write(`loom new: ${errorMessage(error)}\n`);
    if (Array.isArray(issues)) {
      const { formatIssue } = await import("../config/issues.js");
      for (const issue of issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    }
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
