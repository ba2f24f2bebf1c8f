/**
 * Goal checkpoints in Valkey or Redis (`loom pipeline --checkpoint-url redis://host:6379/0`, the
 * guide's Valkey option), through ioredis: one key per goal, expiring `ttlMs` after its last
 * write, like the NATS KV store.
 */
import { Redis } from "ioredis";
import { LoomError } from "../errors.js";
import { byUpdate, type CheckpointStore, type GoalCheckpoint } from "./checkpoints.js";

const PREFIX = "loom:checkpoint:";

export class RedisCheckpointStore implements CheckpointStore {
  readonly #redis: Redis;
  readonly #ttlSeconds: number;

  private constructor(redis: Redis, ttlMs: number) {
    this.#redis = redis;
    this.#ttlSeconds = Math.max(1, Math.round(ttlMs / 1000));
  }

  /** @throws LoomError `config_error` naming the URL (without its password) when the server does not answer. */
  static async connect(url: string, ttlMs: number): Promise<RedisCheckpointStore> {
    const shown = url.replace(/\/\/[^@/]*@/, "//");
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
    redis.on("error", () => {}); // reported by the failing command; reconnects on its own
    try {
      await redis.connect();
      await redis.ping();
    } catch (cause) {
      redis.disconnect();
      throw new LoomError("config_error", `cannot reach the checkpoint store at ${shown}: ${String(cause)}`, {
        cause,
      });
    }
    return new RedisCheckpointStore(redis, ttlMs);
  }

  async load(goalId: string): Promise<GoalCheckpoint | undefined> {
    const text = await this.#redis.get(PREFIX + goalId);
    return text === null ? undefined : (JSON.parse(text) as GoalCheckpoint);
  }

  async save(checkpoint: GoalCheckpoint): Promise<void> {
    await this.#redis.set(
      PREFIX + checkpoint.goal.goal_id,
      JSON.stringify(checkpoint),
      "EX",
      this.#ttlSeconds,
    );
  }

  async list(): Promise<GoalCheckpoint[]> {
    const keys: string[] = [];
    for await (const batch of this.#redis.scanStream({ match: `${PREFIX}*`, count: 500 }))
      keys.push(...(batch as string[]));
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(keys);
    return byUpdate(
      values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as GoalCheckpoint),
    );
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => undefined);
  }
}
