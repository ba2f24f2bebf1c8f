/**
 * The router process (`loom router`): takes tasks from `loom.tasks.incoming` (every replica shares
 * one durable consumer), applies the router rules — the same {@link RouterDispatcher} layer as
 * in-process, with its limiter state in NATS KV so replicas share the limits — and forwards each
 * task to `loom.tasks.{worker_type}.{tier}`. A refused or unroutable task is answered at once with
 * a failed result and kept as a dead letter.
 */
import { randomUUID } from "node:crypto";
import { type JsMsg, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureRouterConsumer, type Mesh, STREAMS } from "../bus/streams.js";
import { INCOMING_SUBJECT, ROUTER_CONSUMER, resultSubject } from "../bus/subjects.js";
import { decodeTask } from "../bus/wire.js";
import type { RouterRules } from "../config/types.js";
import { ErrorCode } from "../errors.js";
import { estimatePayloadTokens, RouterDispatcher } from "../router/router-dispatcher.js";
import { failedResult, type TaskMessage, type TaskResult } from "../worker/messages.js";
import { type DeadLetterCode, publishDeadLetter } from "./dead-letters.js";
import { Forwarder } from "./forwarder.js";
import { KvLimiterStore } from "./kv-limiter-store.js";
import type { MeshLogger } from "./logger.js";
import { type PullLoop, startPullLoop } from "./pull-loop.js";
import { announce, processIdentity, RegistryView } from "./registry.js";
import { publishResult, sleep } from "./results.js";

export interface RouterActorOptions {
  nc: NatsConnection;
  mesh: Mesh;
  /** @default no overrides, no limits */
  rules?: RouterRules;
  logger: MeshLogger;
  /** Incoming tasks handled at once. @default 256 */
  concurrency?: number;
  /** How long a task taken by this router may stay unacked before another replica gets it. @default 30 000 */
  ackWaitMs?: number;
}

export interface RouterActor {
  readonly instance: string;
  stop(): Promise<void>;
}

const NO_RULES: RouterRules = { tierOverrides: {}, rateLimits: {} };

export async function startRouterActor(options: RouterActorOptions): Promise<RouterActor> {
  const { nc, mesh, logger } = options;
  const instance = `router-${randomUUID().slice(0, 8)}`;
  const js = jetstream(nc);
  const concurrency = options.concurrency ?? 256;
  const registry = await RegistryView.watch(mesh.registry);
  const forwarded = new Map<string, () => void>();
  const counts = { done: 0, failed: 0 };

  const rules = options.rules ?? NO_RULES;
  const layer = new RouterDispatcher(
    new Forwarder({
      nc,
      js,
      registry,
      onForwarded: (task) => forwarded.get(task.task_id)?.(),
      followsResult: (tier) => Object.hasOwn(rules.rateLimits, tier),
    }),
    {
      rules,
      store: new KvLimiterStore(mesh.limits),
      defaultTier: (workerType) => registry.defaultTier(workerType),
      estimateTokens: (task) => estimatePayloadTokens(task) + registry.promptTokens(task.worker_type),
      logger,
    },
  );

  const refuse = async (task: TaskMessage, result: TaskResult): Promise<void> => {
    const code = (result.error?.code ?? ErrorCode.Unroutable) as DeadLetterCode;
    logger.warn(
      { task_id: task.task_id, worker_type: task.worker_type, code },
      result.error?.message ?? "refused",
    );
    // Stored first, so the dead letter exists by the time the caller reads its answer.
    await publishDeadLetter(js, {
      code,
      reason: result.error?.message ?? "refused",
      worker_type: task.worker_type,
      ...(task.tier ? { tier: task.tier } : {}),
      ...(result.error?.details ? { details: result.error.details } : {}),
      task,
      source: instance,
    });
    const reply = task.reply_to ?? resultSubject(task.task_id, task.goal_id);
    await publishResult(js, reply, result, mesh.maxPayload, task.delivery_id);
    counts.failed++;
    registration.refresh();
  };

  const handle = async (msg: JsMsg): Promise<void> => {
    const decoded = decodeTask(msg.data);
    if (!decoded.ok) {
      logger.warn(
        { reason: decoded.reason },
        "dead-lettered a message on loom.tasks.incoming that is not a task",
      );
      await publishDeadLetter(js, {
        code: "invalid_message",
        reason: decoded.reason,
        raw: decoded.raw.slice(0, 10_000),
        source: instance,
      });
      await answerUnreadable(decoded.raw, decoded.reason);
      msg.term(); // no reason: nats-server 2.9 ignores "+TERM <reason>" and redelivers the message
      return;
    }
    const task = decoded.value;
    const wasForwarded = new Promise<"forwarded">((resolve) =>
      forwarded.set(task.task_id, () => resolve("forwarded")),
    );
    const outcome = layer.dispatch(task);
    const first = await Promise.race([wasForwarded, outcome]);
    if (first === "forwarded") {
      msg.ack();
      void outcome
        .then((result) => {
          if (result.status === "completed") counts.done++;
          else counts.failed++;
          registration.refresh();
        })
        .finally(() => {
          forwarded.delete(task.task_id);
        });
      return;
    }
    forwarded.delete(task.task_id);
    await refuse(task, first);
    msg.ack();
  };

  /** A caller that sent an unreadable task may still have said where to reply: tell it why. */
  const answerUnreadable = async (raw: string, reason: string): Promise<void> => {
    let loose: Partial<TaskMessage>;
    try {
      loose = JSON.parse(raw) as Partial<TaskMessage>;
    } catch {
      return;
    }
    if (typeof loose.task_id !== "string" || typeof loose.reply_to !== "string") return;
    const task = { task_id: loose.task_id, worker_type: String(loose.worker_type ?? ""), payload: {} };
    await publishResult(
      js,
      loose.reply_to,
      failedResult(task, { code: ErrorCode.InvalidInput, message: reason }),
      mesh.maxPayload,
    );
  };

  await ensureRouterConsumer(mesh.jsm, options.ackWaitMs ?? 30_000);
  const consumer = await js.consumers.get(STREAMS.incoming, ROUTER_CONSUMER);
  const identity = processIdentity("router", instance);
  let loop: PullLoop | undefined;
  const registration = await announce(nc, mesh.registry, INCOMING_SUBJECT, () => ({
    ...identity,
    concurrency,
    in_flight: loop?.inHand ?? 0,
    ...counts,
  }));

  loop = startPullLoop({ consumer, capacity: concurrency, handle, logger, what: "incoming tasks" });

  logger.info(
    { instance, rules: options.rules?.sourcePath ?? null },
    "router takes tasks from loom.tasks.incoming",
  );
  return {
    instance,
    async stop() {
      await loop?.stop();
      while ((loop?.inHand ?? 0) > 0) await sleep(20);
      registry.stop();
      await registration.withdraw();
      logger.info({ instance }, "router stopped");
    },
  };
}
