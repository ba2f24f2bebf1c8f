/**
 * `loom pipeline --config F [--max-concurrent-goals N] [--workers DIR]`: a pipeline orchestrator on
 * the mesh (guide Part 4). It takes goals from loom.goals.{pipeline} and loom.goals.incoming, runs
 * their stages over the mesh and checkpoints each goal after every stage.
 */
import type { Command } from "commander";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { addPreflightFlag, type PreflightFlags, preflightOrStop } from "./preflight-flags.js";
import { reportError } from "./report.js";

interface PipelineFlags extends NatsFlags, PreflightFlags {
  config: string;
  workers?: string;
  maxConcurrentGoals?: number;
  ackWait: number;
  checkpointUrl?: string;
  checkpointTtl: number;
}

export function registerPipeline(program: Command): void {
  addNatsFlags(
    addPreflightFlag(
      program
        .command("pipeline")
        .description(
          "Run a pipeline orchestrator on the mesh: goals from loom.goals.{pipeline} and loom.goals.incoming",
        )
        .requiredOption(
          "--config <file>",
          "pipeline YAML file, e.g. configs/orchestrators/analysis_pipeline.yaml",
        )
        .option(
          "--workers <dir>",
          "folder of the workers the stages name (default: workers/ beside the pipeline's folder)",
        )
        .option(
          "--max-concurrent-goals <n>",
          "goals run at once by this process (default: the pipeline's max_concurrent_goals)",
          Number,
        )
        .option(
          "--ack-wait <seconds>",
          "seconds without a sign of life before another orchestrator resumes a goal",
          Number,
          30,
        )
        .option(
          "--checkpoint-url <url>",
          "Valkey/Redis for checkpoints, e.g. redis://127.0.0.1:6379/0 (default: the NATS KV bucket loom_checkpoints)",
        )
        .option(
          "--checkpoint-ttl <seconds>",
          "keep a goal's checkpoint this long after its last write (NATS KV: the whole bucket's age)",
          Number,
          86_400,
        ),
    ),
  ).action(async (flags: PipelineFlags) => {
    try {
      if (!Number.isInteger(flags.checkpointTtl) || flags.checkpointTtl < 1) {
        throw new Error(
          `--checkpoint-ttl must be a whole number of seconds ≥ 1 (got ${flags.checkpointTtl})`,
        );
      }
      const maxGoals = flags.maxConcurrentGoals;
      if (maxGoals !== undefined && (!Number.isInteger(maxGoals) || maxGoals < 1)) {
        throw new Error(`--max-concurrent-goals must be a whole number ≥ 1 (got ${maxGoals})`);
      }
      const path = await import("node:path");
      const [
        { resolveNatsUrl },
        { runMeshProcess },
        { startOrchestratorActor },
        { KvCheckpointStore },
        { createStderrLogger },
        loaders,
        runFile,
      ] = await Promise.all([
        import("../bus/connection.js"),
        import("../mesh/process.js"),
        import("../mesh/orchestrator-actor.js"),
        import("../mesh/checkpoints.js"),
        import("../mcp/logger.js"),
        import("../config/loaders.js"),
        import("../pipeline/run-file.js"),
      ]);
      const file = path.resolve(flags.config);
      const pipeline = await loaders.loadPipelineConfig(file);
      const workersDir = path.resolve(flags.workers ?? runFile.defaultWorkersDir(file));
      const workers = await loaders.loadWorkerConfigs(workersDir);
      runFile.checkStageWorkers(pipeline, workers, workersDir);
      const { checkNats } = await import("../preflight/index.js");
      await preflightOrStop(flags, () => [checkNats(resolveNatsUrl(flags.natsUrl), flags.natsCreds)]);
      const logger = createStderrLogger();
      const redis = flags.checkpointUrl
        ? await (await import("../mesh/redis-checkpoints.js")).RedisCheckpointStore.connect(
            flags.checkpointUrl,
            flags.checkpointTtl * 1000,
          )
        : undefined;
      await runMeshProcess({
        name: `loom-pipeline-${pipeline.name}`,
        url: resolveNatsUrl(flags.natsUrl),
        ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
        logger,
        start: async (nc, mesh) =>
          startOrchestratorActor({
            nc,
            mesh,
            pipeline,
            workers,
            logger,
            checkpoints: redis ?? (await KvCheckpointStore.withTtl(mesh, flags.checkpointTtl * 1000)),
            ackWaitMs: flags.ackWait * 1000,
            ...(maxGoals === undefined ? {} : { maxConcurrentGoals: maxGoals }),
          }),
      });
      await redis?.close();
    } catch (error) {
      reportError("pipeline", error);
      process.exitCode = 1;
    }
  });
}
