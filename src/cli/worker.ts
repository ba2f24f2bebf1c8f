/**
 * `loom worker --config F [--tier T] [--concurrency N]` and `loom processor --config F
 * [--concurrency N]`: a worker process on the mesh (guide Part 4). It takes tasks from
 * loom.tasks.{worker_type}.{tier} as a competing consumer; scale by starting copies anywhere that
 * reaches the NATS server.
 */
import type { Command } from "commander";
import { TIERS, type Tier } from "../config/types.js";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { addPreflightFlag, type PreflightFlags, preflightOrStop } from "./preflight-flags.js";
import { reportError } from "./report.js";

interface WorkerFlags extends NatsFlags, PreflightFlags {
  config: string;
  tier?: string;
  concurrency: number;
  ackWait: number;
}

type Kind = "worker" | "processor";

function register(program: Command, kind: Kind): void {
  const command = program
    .command(kind)
    .description(
      kind === "worker"
        ? "Run an LLM worker on the mesh: tasks from loom.tasks.{worker_type}.{tier}"
        : "Run a processor worker on the mesh: tasks from loom.tasks.{worker_type}.{tier}",
    )
    .requiredOption("--config <file>", `${kind === "worker" ? "LLM" : "processor"} worker YAML file`);
  if (kind === "worker") {
    command.option(
      "--tier <tier>",
      `tier served (${TIERS.join(", ")}; default: the worker's default_model_tier)`,
    );
  }
  addNatsFlags(
    addPreflightFlag(command)
      .option("--concurrency <n>", "tasks run at once by this process", Number, 1)
      .option(
        "--ack-wait <seconds>",
        "seconds without a sign of life before a task goes to another copy",
        Number,
        30,
      ),
  ).action(async (flags: WorkerFlags) => {
    try {
      await runWorker(kind, flags);
    } catch (error) {
      reportError(`${kind}`, error);
      process.exitCode = 1;
    }
  });
}

async function runWorker(kind: Kind, flags: WorkerFlags): Promise<void> {
  if (flags.tier !== undefined && !(TIERS as readonly string[]).includes(flags.tier)) {
    throw new Error(`--tier '${flags.tier}' is not a tier (tiers: ${TIERS.join(", ")})`);
  }
  if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1) {
    throw new Error(`--concurrency must be a whole number ≥ 1 (got ${flags.concurrency})`);
  }
  const [
    { resolveNatsUrl },
    { runMeshProcess },
    { startWorkerActor },
    { createStderrLogger },
    { loadWorkerConfig },
    { loadSettings },
  ] = await Promise.all([
    import("../bus/connection.js"),
    import("../mesh/process.js"),
    import("../mesh/worker-actor.js"),
    import("../mcp/logger.js"),
    import("../config/loaders.js"),
    import("../llm/settings.js"),
  ]);
  const worker = await loadWorkerConfig(flags.config);
  if (kind === "worker" && worker.workerKind === "processor") {
    throw new Error(
      `${flags.config} is a processor worker: start it with \`loom processor --config ${flags.config}\``,
    );
  }
  if (kind === "processor" && worker.workerKind !== "processor") {
    throw new Error(
      `${flags.config} is an LLM worker: start it with \`loom worker --config ${flags.config}\``,
    );
  }
  const settings = await loadSettings({ configFile: flags.config });
  const natsUrl = resolveNatsUrl(flags.natsUrl);
  const { checkNats, checkTier } = await import("../preflight/index.js");
  await preflightOrStop(flags, () => [
    Promise.resolve({
      name: "config",
      ok: true,
      detail: `${flags.config}: ${kind} '${worker.name}' is valid`,
    }),
    checkNats(natsUrl, flags.natsCreds),
    ...(kind === "worker"
      ? [checkTier((flags.tier as Tier | undefined) ?? worker.defaultModelTier, settings)]
      : []),
  ]);
  const logger = createStderrLogger();
  await runMeshProcess({
    name: `loom-${kind}-${worker.name}`,
    url: natsUrl,
    ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
    logger,
    start: (nc, mesh) =>
      startWorkerActor({
        nc,
        mesh,
        worker,
        settings,
        logger,
        concurrency: flags.concurrency,
        ackWaitMs: flags.ackWait * 1000,
        ...(flags.tier ? { tier: flags.tier as Tier } : {}),
      }),
  });
}

export function registerWorker(program: Command): void {
  register(program, "worker");
  register(program, "processor");
}
