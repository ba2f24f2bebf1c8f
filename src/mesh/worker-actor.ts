/**
 * A worker on the mesh (`loom worker`, `loom processor`): takes tasks of one worker type × tier
 * from the LOOM_TASKS stream as a competing consumer, runs each with `executeTask`, stores the
 * result and only then acks the task. A task whose worker died is redelivered to another copy;
 * one that lost its worker on every delivery is dead-lettered as `worker_lost`.
 */
import { randomUUID } from "node:crypto";
import { type Consumer, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ensureWorkerConsumer, type Mesh, STREAMS } from "../bus/streams.js";
import {
  CANCEL_SUBJECTS,
  idToken,
  progressSubject,
  resultSubject,
  type ServedTier,
  workerConsumerName,
  workerSubject,
} from "../bus/subjects.js";
import { decodeTask, encodeJson } from "../bus/wire.js";
import type { Tier, WorkerConfig } from "../config/types.js";
import { ErrorCode } from "../errors.js";
import type { LoomSettings } from "../llm/settings.js";
import { executeTask } from "../worker/execute-task.js";
import { failedResult, type TaskMessage, type TaskResult } from "../worker/messages.js";
import { releaseProcessors } from "../worker/processor-runner.js";
import { releaseTools } from "../worker/tool-loader.js";
import { publishDeadLetter } from "./dead-letters.js";
import type { MeshLogger } from "./logger.js";
import { startPullLoop } from "./pull-loop.js";
import { announce, processIdentity } from "./registry.js";
import { publishResult, sleep, storedResult } from "./results.js";

export interface WorkerActorOptions {
  nc: NatsConnection;
  mesh: Mesh;
  worker: WorkerConfig;
  /** The tier served. @default the worker's default_model_tier; every tier for a processor */
  tier?: Tier;
  /** Tasks run at once by this process. @default 1 */
  concurrency?: number;
  settings?: LoomSettings;
  logger: MeshLogger;
  /** How long a task may go without a sign of life before it is redelivered. @default 30 000 */
  ackWaitMs?: number;
  /** Deliveries before a task is dead-lettered as worker_lost. @default 3 */
  maxDeliveries?: number;
}

export interface WorkerActor {
  readonly instance: string;
  readonly subject: string;
  /**
   * Stops taking tasks, lets those in flight finish for up to `graceMs`, hands the rest back to
   * the mesh (another copy runs them), and leaves the registry.
   */
  stop(graceMs?: number): Promise<void>;
}

interface Running {
  controller: AbortController;
  handBack: boolean;
}

export async function startWorkerActor(options: WorkerActorOptions): Promise<WorkerActor> {
  const { nc, mesh, worker, logger } = options;
  const tier: ServedTier =
    options.tier ?? (worker.workerKind === "processor" ? "any" : worker.defaultModelTier);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const maxDeliveries = options.maxDeliveries ?? 3;
  const kind = worker.workerKind === "processor" ? "processor" : "worker";
  const instance = `${worker.name}-${tier}-${randomUUID().slice(0, 8)}`;
  const subject = workerSubject(worker.name, tier);
  const js = jetstream(nc);
  const owner = {};
  const running = new Map<string, Running>();
  const counts = { done: 0, failed: 0 };

  await ensureWorkerConsumer(mesh.jsm, worker.name, tier, ackWaitMs);
  const consumer: Consumer = await js.consumers.get(STREAMS.tasks, workerConsumerName(worker.name, tier));

  // Cancels heard live; the `loom_cancelled` bucket covers those sent before this process listened.
  const heardCancels = new Set<string>();
  const cancels: Subscription = nc.subscribe(CANCEL_SUBJECTS, {
    callback: (_error, msg) => {
      const token = msg.subject.split(".").at(-1) ?? "";
      heardCancels.add(token);
      if (heardCancels.size > 10_000) heardCancels.delete(heardCancels.values().next().value as string);
      for (const [taskId, run] of running) if (idToken(taskId) === token) run.controller.abort();
    },
  });
  const identity = processIdentity(kind, instance);
  const registration = await announce(nc, mesh.registry, subject, () => ({
    ...identity,
    worker_type: worker.name,
    tier,
    default_tier: worker.defaultModelTier,
    prompt_tokens: Math.ceil((worker.systemPrompt?.length ?? 0) / 4),
    concurrency,
    in_flight: running.size,
    ...counts,
  }));

  const startedAt = Date.now();
  /** A fresh task sent after this process started listening cannot have a cancel it missed. */
  const wasCancelled = async (task: TaskMessage, attempt: number): Promise<boolean> => {
    const token = idToken(task.task_id);
    if (heardCancels.has(token)) return true;
    const sent = task.created_at === undefined ? Number.NaN : Date.parse(task.created_at);
    if (attempt === 1 && sent > startedAt + 1000) return false;
    return (await mesh.cancelled.get(token).catch(() => null)) !== null;
  };

  const finish = async (msg: JsMsg, task: TaskMessage, result: TaskResult): Promise<void> => {
    const reply = task.reply_to ?? resultSubject(task.task_id, task.goal_id);
    await publishResult(js, reply, result, mesh.maxPayload, task.delivery_id);
    msg.ack();
    if (result.status === "completed") counts.done++;
    else counts.failed++;
    registration.refresh();
  };

  const handle = async (msg: JsMsg): Promise<void> => {
    const decoded = decodeTask(msg.data);
    if (!decoded.ok) {
      logger.warn(
        { subject: msg.subject, reason: decoded.reason },
        "dead-lettered a message that is not a task",
      );
      await publishDeadLetter(js, {
        code: "invalid_message",
        reason: decoded.reason,
        raw: decoded.raw.slice(0, 10_000),
        source: instance,
      });
      msg.term(); // no reason: nats-server 2.9 ignores "+TERM <reason>" and redelivers the message
      return;
    }
    const attempt = msg.info.deliveryCount;
    const task = { ...decoded.value, attempt };
    const stamp = (result: TaskResult): TaskResult => ({ ...result, worker_id: instance, attempts: attempt });
    if (attempt > maxDeliveries) {
      const error = {
        code: ErrorCode.WorkerLost,
        message: `worker '${worker.name}' (tier ${tier}) was lost on ${attempt - 1} deliveries of this task (a process died or stalled while running it); dead-lettered — replay it with \`loom dead-letters replay\``,
        details: { attempts: attempt - 1 },
      };
      await publishDeadLetter(js, {
        code: "worker_lost",
        reason: error.message,
        worker_type: worker.name,
        tier,
        task,
        source: instance,
      });
      await finish(msg, task, stamp(failedResult(task, error)));
      return;
    }
    const reply = task.reply_to ?? resultSubject(task.task_id, task.goal_id);
    if (attempt > 1 && (await storedResult(mesh.jsm, reply, task.delivery_id ?? task.task_id))) {
      msg.ack(); // an earlier delivery stored its result and died before acking
      return;
    }
    if (task.deadline !== undefined && Date.parse(task.deadline) < Date.now()) {
      await finish(
        msg,
        task,
        stamp(
          failedResult(task, {
            code: ErrorCode.Timeout,
            message: `task for worker '${worker.name}' waited in the queue past its deadline (${task.deadline}); its caller has given up`,
          }),
        ),
      );
      return;
    }
    if (await wasCancelled(task, attempt)) {
      await finish(
        msg,
        task,
        stamp(
          failedResult(task, {
            code: ErrorCode.Cancelled,
            message: "the caller cancelled the task before it started",
          }),
        ),
      );
      return;
    }
    const run: Running = { controller: new AbortController(), handBack: false };
    running.set(task.task_id, run);
    registration.refresh();
    const alive = setInterval(() => msg.working(), Math.max(100, ackWaitMs / 3));
    try {
      const result = await executeTask(task, {
        worker,
        owner,
        signal: run.controller.signal,
        ...(options.settings ? { settings: options.settings } : {}),
        onProgress: (progress) => nc.publish(progressSubject(task.task_id), encodeJson(progress)),
      });
      if (run.handBack) msg.nak();
      else await finish(msg, task, stamp(result));
    } finally {
      clearInterval(alive);
      running.delete(task.task_id);
    }
  };

  const loop = startPullLoop({ consumer, capacity: concurrency, handle, logger, what: "tasks" });

  logger.info({ instance, subject, concurrency }, `${kind} '${worker.name}' takes tasks from ${subject}`);

  return {
    instance,
    subject,
    async stop(graceMs = 30_000) {
      await loop.stop();
      const deadline = Date.now() + graceMs;
      while (running.size > 0 && Date.now() < deadline) await sleep(50);
      const handedBack = running.size;
      for (const run of running.values()) {
        run.handBack = true;
        run.controller.abort();
      }
      while (running.size > 0) await sleep(20);
      cancels.unsubscribe();
      await registration.withdraw();
      await Promise.all([releaseProcessors(owner), releaseTools(owner)]);
      logger.info({ instance, handed_back: handedBack }, `${kind} '${worker.name}' stopped`);
    },
  };
}
