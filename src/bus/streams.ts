/**
 * The JetStream streams and KV buckets under the mesh's subjects. Every mesh process calls
 * {@link ensureMesh} at start; creating what exists already is a no-op, so processes may start in
 * any order. Only features of nats-server 2.9 are used (what Debian bookworm ships).
 */
import {
  AckPolicy,
  type ConsumerInfo,
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import { LoomError } from "../errors.js";
import {
  DEAD_LETTER_SUBJECT,
  GOAL_SUBJECTS,
  GOALS_INCOMING_SUBJECT,
  goalConsumerName,
  goalSubject,
  INCOMING_SUBJECT,
  RESULT_SUBJECTS,
  ROUTER_CONSUMER,
  type ServedTier,
  WORKER_SUBJECTS,
  workerConsumerName,
  workerSubject,
} from "./subjects.js";

export const STREAMS = {
  goals: "LOOM_GOALS",
  incoming: "LOOM_INCOMING",
  tasks: "LOOM_TASKS",
  deadLetters: "LOOM_DEAD_LETTERS",
  results: "LOOM_RESULTS",
} as const;

export const BUCKETS = {
  /** Live mesh processes: `{worker_type}.{tier}.{instance}` and `router.{instance}`, refreshed by heartbeats. */
  registry: "loom_registry",
  /** Router limiter state shared by every router replica. */
  limits: "loom_limits",
  /** Task ids whose caller gave up, so a worker that picks one up later skips it. */
  cancelled: "loom_cancelled",
  /** Goal state after each stage, so another orchestrator can resume a goal. */
  checkpoints: "loom_checkpoints",
} as const;

/** How long a registry entry lives without a heartbeat. */
export const REGISTRY_TTL_MS = 15_000;
/** How long a goal's checkpoint is kept after its last write (the goal's end, for a finished goal). */
export const CHECKPOINT_TTL_MS = 24 * 60 * 60_000;
/** How long results are kept for callers that reconnect after missing them live. */
const RESULT_MAX_AGE_MS = 60 * 60_000;
/** The de-duplication window: a task republished within it (same task id) is stored once. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

const MINUTE = 60_000;

function streamConfigs(): (Partial<StreamConfig> & { name: string })[] {
  const workQueue = {
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  return [
    { name: STREAMS.goals, subjects: [GOAL_SUBJECTS], ...workQueue },
    { name: STREAMS.incoming, subjects: [INCOMING_SUBJECT], ...workQueue },
    { name: STREAMS.tasks, subjects: [WORKER_SUBJECTS], ...workQueue },
    {
      name: STREAMS.deadLetters,
      subjects: [DEAD_LETTER_SUBJECT],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_msgs: 100_000,
      max_age: nanos(30 * 24 * 60 * MINUTE),
      discard: DiscardPolicy.Old,
    },
    {
      name: STREAMS.results,
      subjects: [RESULT_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(RESULT_MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      discard: DiscardPolicy.Old,
    },
  ];
}

/** The mesh's JetStream handles, shared by the parts of one process. */
export interface Mesh {
  jsm: JetStreamManager;
  registry: KV;
  limits: KV;
  cancelled: KV;
  checkpoints: KV;
  /** The server's largest message, in bytes. */
  maxPayload: number;
}

/**
 * Creates the mesh's streams and buckets when missing and opens them.
 *
 * @throws LoomError `config_error` when the server has no JetStream (start it with `-js`).
 */
export async function ensureMesh(nc: NatsConnection): Promise<Mesh> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `the NATS server at ${nc.getServer()} has no JetStream: start it with \`nats-server -js\` (the mesh keeps tasks in JetStream streams so none is lost)`,
      { cause },
    );
  }
  for (const config of streamConfigs()) {
    const existing = await jsm.streams.info(config.name).catch(() => undefined);
    if (!existing) await jsm.streams.add(config);
  }
  const kvm = new Kvm(nc);
  const [registry, limits, cancelled, checkpoints] = await Promise.all([
    kvm.create(BUCKETS.registry, { ttl: REGISTRY_TTL_MS, history: 1 }),
    kvm.create(BUCKETS.limits, { history: 1 }),
    kvm.create(BUCKETS.cancelled, { ttl: RESULT_MAX_AGE_MS, history: 1 }),
    kvm.create(BUCKETS.checkpoints, { ttl: CHECKPOINT_TTL_MS, history: 1 }),
  ]);
  return { jsm, registry, limits, cancelled, checkpoints, maxPayload: nc.info?.max_payload ?? 1024 * 1024 };
}

/**
 * Creates (or finds) a durable pull consumer. The copies sharing it share its ack wait: the
 * process started last sets it (`--ack-wait`).
 */
async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  filter: string,
  ackWaitMs: number,
): Promise<ConsumerInfo> {
  const existing = await jsm.consumers.info(stream, name).catch(() => undefined);
  if (existing && existing.config.ack_wait === nanos(ackWaitMs)) return existing;
  if (existing) return jsm.consumers.update(stream, name, { ack_wait: nanos(ackWaitMs) });
  return jsm.consumers.add(stream, {
    durable_name: name,
    filter_subject: filter,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: 10_000,
  });
}

/** The consumer every copy of one worker type × tier takes tasks from. */
export async function ensureWorkerConsumer(
  jsm: JetStreamManager,
  workerType: string,
  tier: ServedTier,
  ackWaitMs: number,
) {
  const name = workerConsumerName(workerType, tier);
  try {
    return await ensureConsumer(jsm, STREAMS.tasks, name, workerSubject(workerType, tier), ackWaitMs);
  } catch (error) {
    if (!String(error).includes("not unique")) throw error;
    // A work queue allows one consumer per subject: e.g. processors once served a single tier.
    const others: string[] = [];
    for await (const info of jsm.consumers.list(STREAMS.tasks)) {
      if (info.config.filter_subject?.startsWith(`loom.tasks.${workerType}.`)) others.push(info.name);
    }
    throw new LoomError(
      "config_error",
      `cannot take ${workerSubject(workerType, tier)}: consumer(s) ${others.join(", ")} of stream ${STREAMS.tasks} already take tasks of '${workerType}' ` +
        `(from an earlier Loom version or another tier setup). Stop their processes and remove them: ${others.map((o) => `nats consumer rm ${STREAMS.tasks} ${o}`).join("; ")}`,
      { cause: error },
    );
  }
}

/** The consumer orchestrators of `pipeline` share (undefined: the one for goals to any pipeline). */
export function ensureGoalConsumer(jsm: JetStreamManager, pipeline: string | undefined, ackWaitMs: number) {
  const subject = pipeline === undefined ? GOALS_INCOMING_SUBJECT : goalSubject(pipeline);
  return ensureConsumer(jsm, STREAMS.goals, goalConsumerName(pipeline), subject, ackWaitMs);
}

/** The consumer every router replica takes incoming tasks from. */
export function ensureRouterConsumer(jsm: JetStreamManager, ackWaitMs: number) {
  return ensureConsumer(jsm, STREAMS.incoming, ROUTER_CONSUMER, INCOMING_SUBJECT, ackWaitMs);
}
