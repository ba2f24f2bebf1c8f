/**
 * Goal checkpoints: after each stage an orchestrator saves the goal's state, so that when it dies
 * another orchestrator resumes the goal without running finished stages again. Kept in NATS KV
 * (`loom_checkpoints`) by default; a store is anything with load and save.
 */
import type { KV } from "@nats-io/kv";
import { nanos } from "@nats-io/transport-node";
import { BUCKETS, type Mesh } from "../bus/streams.js";
import { idToken } from "../bus/subjects.js";
import { encodeJson } from "../bus/wire.js";
import type { Goal, StageOutcome } from "../pipeline/types.js";

export interface GoalCheckpoint {
  goal: Goal;
  pipeline: string;
  stages: Record<string, StageOutcome>;
  /** `done` once the goal's final result is published; kept until the store's expiry. */
  status: "running" | "done";
  updated_at: string;
}

export interface CheckpointStore {
  load(goalId: string): Promise<GoalCheckpoint | undefined>;
  save(checkpoint: GoalCheckpoint): Promise<void>;
  /** Every checkpoint kept, newest first (`loom goals list`). */
  list(): Promise<GoalCheckpoint[]>;
  close?(): Promise<void>;
}

/** Newest first. */
export function byUpdate(checkpoints: GoalCheckpoint[]): GoalCheckpoint[] {
  return checkpoints.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}

/** The store of `--checkpoint-url` (Valkey/Redis), else the mesh's NATS KV bucket. */
export async function openCheckpointStore(
  mesh: Mesh,
  url?: string,
  ttlMs = 24 * 60 * 60_000,
): Promise<CheckpointStore> {
  if (url === undefined) return new KvCheckpointStore(mesh.checkpoints);
  const { RedisCheckpointStore } = await import("./redis-checkpoints.js");
  return RedisCheckpointStore.connect(url, ttlMs);
}

/** Checkpoints in the mesh's `loom_checkpoints` bucket (expiring a day after their last write). */
export class KvCheckpointStore implements CheckpointStore {
  constructor(readonly kv: KV) {}

  /** The mesh's store, its bucket keeping each checkpoint `ttlMs` after its last write. */
  static async withTtl(mesh: Mesh, ttlMs: number): Promise<KvCheckpointStore> {
    const stream = `KV_${BUCKETS.checkpoints}`;
    const info = await mesh.jsm.streams.info(stream);
    if (info.config.max_age !== nanos(ttlMs))
      await mesh.jsm.streams.update(stream, { max_age: nanos(ttlMs) });
    return new KvCheckpointStore(mesh.checkpoints);
  }

  async load(goalId: string): Promise<GoalCheckpoint | undefined> {
    const entry = await this.kv.get(idToken(goalId));
    return entry?.operation === "PUT" ? entry.json<GoalCheckpoint>() : undefined;
  }

  async save(checkpoint: GoalCheckpoint): Promise<void> {
    await this.kv.put(idToken(checkpoint.goal.goal_id), encodeJson(checkpoint));
  }

  /** Every checkpoint kept, newest first (`loom goals list`). */
  async list(): Promise<GoalCheckpoint[]> {
    const found: GoalCheckpoint[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key).catch(() => null);
      if (entry?.operation === "PUT") found.push(entry.json<GoalCheckpoint>());
    }
    return byUpdate(found);
  }
}
