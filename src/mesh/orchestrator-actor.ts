/**
 * A pipeline orchestrator on the mesh (`loom pipeline`): takes goals from `loom.goals.{pipeline}`
 * and `loom.goals.incoming` (competing with the other copies), runs each with the same pipeline
 * runner as in-process — its stages go over the mesh — and publishes every stage event and the
 * final result to `loom.results.{goal_id}`. After each stage the goal's state is checkpointed; a
 * goal whose orchestrator died is redelivered and resumed from its checkpoint. A goal is acked
 * only once its final result is stored.
 */
import { randomUUID } from "node:crypto";
import { type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ensureGoalConsumer, type Mesh, STREAMS } from "../bus/streams.js";
import {
  goalCancelSubject,
  goalConsumerName,
  goalResultSubject,
  goalSubject,
  idToken,
} from "../bus/subjects.js";
import { decodeGoal, encodeJson, type GoalMessage, type GoalUpdate } from "../bus/wire.js";
import type { PipelineConfig, WorkerConfig } from "../config/types.js";
import { formatViolations, validateAgainstSchema } from "../contracts/validate.js";
import { ErrorCode } from "../errors.js";
import { GoalSlots } from "../pipeline/goal-slots.js";
import { pipelineInputSchema } from "../pipeline/input-schema.js";
import { PipelineRunner } from "../pipeline/runner.js";
import type { Goal, PipelineResult, StageOutcome } from "../pipeline/types.js";
import type { CheckpointStore } from "./checkpoints.js";
import type { MeshLogger } from "./logger.js";
import { NatsDispatcher } from "./nats-dispatcher.js";
import { announce, processIdentity } from "./registry.js";
import { sleep } from "./results.js";

/**
 * How long one pull for a goal waits (nats.js allows no less). The two goal consumers take turns
 * for a free slot, so with one slot a goal on the other subject waits up to this long.
 */
const GOAL_PULL_MS = 1000;

export interface OrchestratorActorOptions {
  nc: NatsConnection;
  mesh: Mesh;
  pipeline: PipelineConfig;
  /** The workers the stages name (their tiers and timeouts travel with each task). */
  workers: ReadonlyMap<string, WorkerConfig>;
  checkpoints: CheckpointStore;
  logger: MeshLogger;
  /** Goals run at once by this process. @default the pipeline's max_concurrent_goals */
  maxConcurrentGoals?: number;
  /** How long a goal may go without a sign of life before another orchestrator resumes it. @default 30 000 */
  ackWaitMs?: number;
}

export interface OrchestratorActor {
  readonly instance: string;
  /** Stops taking goals; running goals finish within `graceMs`, the rest go back for another copy to resume. */
  stop(graceMs?: number): Promise<void>;
}

interface RunningGoal {
  controller: AbortController;
  handBack: boolean;
}

export async function startOrchestratorActor(options: OrchestratorActorOptions): Promise<OrchestratorActor> {
  const { nc, mesh, pipeline, logger, checkpoints } = options;
  const maxGoals = Math.max(1, options.maxConcurrentGoals ?? pipeline.maxConcurrentGoals);
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const instance = `${pipeline.name}-${randomUUID().slice(0, 8)}`;
  const js = jetstream(nc);
  const runner = new PipelineRunner(
    { ...pipeline, maxConcurrentGoals: maxGoals },
    { dispatcher: new NatsDispatcher({ nc, mesh, workers: options.workers }) },
  );
  const inputSchema = pipelineInputSchema(pipeline, options.workers);
  const running = new Map<string, RunningGoal>();
  const counts = { done: 0, failed: 0 };
  let stopping = false;

  const publish = (goalId: string, update: GoalUpdate) =>
    nc.publish(goalResultSubject(goalId), encodeJson(update));
  const publishFinal = async (result: PipelineResult): Promise<void> => {
    const data = encodeJson({ type: "result", result } satisfies GoalUpdate);
    for (let attempt = 0; ; attempt++) {
      try {
        await js.publish(goalResultSubject(result.goal_id), data, { msgID: `goal-result.${result.goal_id}` });
        return;
      } catch (error) {
        if (stopping && attempt > 5) throw error;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
  };

  const refuse = async (msg: JsMsg, goal: GoalMessage, message: string, details: Record<string, unknown>) => {
    logger.warn({ goal_id: goal.goal_id, ...details }, message);
    await publishFinal(failedGoal(goal, pipeline, { code: ErrorCode.InvalidInput, message, details }));
    counts.failed++;
    msg.ack();
  };

  const handle = async (msg: JsMsg): Promise<void> => {
    const decoded = decodeGoal(msg.data);
    if (!decoded.ok) {
      logger.warn({ reason: decoded.reason }, "dropped a message that is not a goal");
      msg.term(); // no reason: nats-server 2.9 ignores "+TERM <reason>" and redelivers the message
      return;
    }
    const message = decoded.value;
    if (message.pipeline !== undefined && message.pipeline !== pipeline.name) {
      await refuse(
        msg,
        message,
        `goal for pipeline '${message.pipeline}' reached orchestrator of '${pipeline.name}'`,
        {
          pipeline: message.pipeline,
        },
      );
      return;
    }
    const goal: Goal = {
      goal_id: message.goal_id,
      context: message.context,
      ...(message.instruction === undefined ? {} : { instruction: message.instruction }),
    };
    const violations = validateAgainstSchema(inputSchema, {
      ...goal.context,
      ...(goal.instruction === undefined ? {} : { instruction: goal.instruction }),
    });
    if (violations.length > 0) {
      await refuse(
        msg,
        message,
        `goal '${goal.goal_id}' cannot run pipeline '${pipeline.name}': ${formatViolations(violations).replaceAll("(root)", "context")}`,
        { violations },
      );
      return;
    }
    if (await mesh.cancelled.get(`goal.${idToken(goal.goal_id)}`).catch(() => null)) {
      await publishFinal(
        failedGoal(
          message,
          pipeline,
          { code: ErrorCode.Cancelled, message: `goal '${goal.goal_id}' was cancelled before it started` },
          "cancelled",
        ),
      );
      msg.ack();
      return;
    }
    const checkpoint = await checkpoints.load(goal.goal_id).catch(() => undefined);
    const run: RunningGoal = { controller: new AbortController(), handBack: false };
    running.set(goal.goal_id, run);
    registration.refresh();
    const cancel: Subscription = nc.subscribe(goalCancelSubject(goal.goal_id), {
      callback: () => run.controller.abort(new Error("cancelled by `loom goals cancel` or its submitter")),
    });
    const alive = setInterval(() => msg.working(), Math.max(100, ackWaitMs / 3));
    let saving: Promise<void> = Promise.resolve();
    const save = (stages: Record<string, StageOutcome>, status: "running" | "done") => {
      // Saved one after another, so a slow write never overwrites a newer one.
      saving = saving
        .then(() =>
          checkpoints.save({
            goal,
            pipeline: pipeline.name,
            stages,
            status,
            updated_at: new Date().toISOString(),
          }),
        )
        .catch((error: unknown) =>
          logger.warn({ goal_id: goal.goal_id, error: String(error) }, "could not save a checkpoint"),
        );
    };
    // Saved at once, so `loom goals list` shows the goal before its first stage ends.
    save(
      checkpoint?.stages ??
        Object.fromEntries(
          pipeline.stages.map((st) => [st.name, { status: "pending", worker_type: st.workerType }]),
        ),
      "running",
    );
    if (checkpoint) {
      logger.info(
        { goal_id: goal.goal_id, attempt: msg.info.deliveryCount },
        "resuming goal from its checkpoint",
      );
    }
    try {
      const result = await runner.run(goal, {
        signal: run.controller.signal,
        ...(checkpoint ? { resume: checkpoint.stages } : {}),
        onEvent: (event) => publish(goal.goal_id, { type: "event", event }),
        onCheckpoint: (stages) => save(stages, "running"),
        ...(message.trace_context ? { traceParent: message.trace_context } : {}),
      });
      if (run.handBack) {
        await saving;
        msg.nak();
        return;
      }
      save(result.stages, "done");
      await saving;
      await publishFinal(result);
      msg.ack();
      if (result.status === "completed") counts.done++;
      else counts.failed++;
    } finally {
      clearInterval(alive);
      cancel.unsubscribe();
      running.delete(goal.goal_id);
      registration.refresh();
    }
  };

  const identity = processIdentity("orchestrator", instance);
  const registration = await announce(nc, mesh.registry, goalSubject(pipeline.name), () => ({
    ...identity,
    pipeline: pipeline.name,
    concurrency: maxGoals,
    in_flight: running.size,
    ...counts,
  }));

  // A slot is held from the pull to the goal's end; FIFO, so the two consumers take turns.
  const slots = new GoalSlots(maxGoals);
  const stopped = new AbortController();
  const consume = async (target: string | undefined): Promise<void> => {
    await ensureGoalConsumer(mesh.jsm, target, ackWaitMs);
    const consumer = await js.consumers.get(STREAMS.goals, goalConsumerName(target));
    while (!stopping) {
      const release = await slots.acquire(stopped.signal).catch(() => undefined);
      if (!release) return;
      try {
        const msg = await consumer.next({ expires: GOAL_PULL_MS });
        if (!msg) {
          release();
          continue;
        }
        void handle(msg)
          .catch((error: unknown) =>
            logger.error({ error: String(error) }, "a goal could not be handled; it will be redelivered"),
          )
          .finally(release);
      } catch (error) {
        release();
        if (!stopping) {
          logger.warn({ error: String(error) }, "could not fetch goals; retrying");
          await sleep(1000);
        }
      }
    }
  };
  const loops = [consume(pipeline.name), consume(undefined)];
  logger.info(
    {
      instance,
      subjects: [goalSubject(pipeline.name), "loom.goals.incoming"],
      max_concurrent_goals: maxGoals,
    },
    `orchestrator of '${pipeline.name}' takes goals`,
  );

  return {
    instance,
    async stop(graceMs = 30_000) {
      stopping = true;
      stopped.abort();
      await Promise.all(loops);
      const deadline = Date.now() + graceMs;
      while (running.size > 0 && Date.now() < deadline) await sleep(50);
      for (const run of running.values()) {
        run.handBack = true;
        run.controller.abort(new Error("the orchestrator is stopping; another copy resumes the goal"));
      }
      while (running.size > 0) await sleep(20);
      await registration.withdraw();
      logger.info({ instance }, `orchestrator of '${pipeline.name}' stopped`);
    },
  };
}

/** The result of a goal refused before any stage ran. */
function failedGoal(
  goal: GoalMessage,
  pipeline: PipelineConfig,
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> },
  status: "failed" | "cancelled" = "failed",
): PipelineResult {
  return {
    goal_id: goal.goal_id,
    pipeline: pipeline.name,
    status,
    stages: Object.fromEntries(
      pipeline.stages.map((s) => [s.name, { status: "pending", worker_type: s.workerType }]),
    ),
    error,
    timeline: [],
    duration_ms: 0,
    queued_ms: 0,
  };
}
