/**
 * Where the router's limiter state lives. The rules layer only talks to a {@link LimiterStore}, so
 * the same logic runs with this process's memory (`MemoryLimiterStore`, in-process dispatch) or
 * with a store shared by several router processes on the mesh (a key-value store that applies
 * each method atomically).
 */
import { adjust, type BucketState, type ChargeResult, charge, fullBucket } from "./token-bucket.js";

export type { ChargeResult } from "./token-bucket.js";

/**
 * Who holds a concurrency slot, and until when at the latest: a shared store frees the slots of a
 * router that died before giving them back once they expire.
 */
export interface SlotLease {
  id: string;
  expiresAtMs: number;
}

/** Limiter state per key (the router uses one key per tier). Each method must be atomic. */
export interface LimiterStore {
  /** Takes one of `max` concurrency slots of `key`; false when all are held. */
  tryAcquireSlot(key: string, max: number, lease: SlotLease): Promise<boolean>;
  /** Gives back the slot taken with {@link tryAcquireSlot} under `lease`. */
  releaseSlot(key: string, lease: SlotLease): Promise<void>;
  /** Charges `tokens` to the token bucket of `key` (refilling at `perMinute`), or says when it could. */
  tryCharge(key: string, tokens: number, perMinute: number): Promise<ChargeResult>;
  /** Corrects an earlier charge by `delta` tokens (> 0 takes more, < 0 gives back). */
  adjust(key: string, delta: number, perMinute: number): Promise<void>;
}

/** Options of {@link MemoryLimiterStore}. */
export interface MemoryLimiterStoreOptions {
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * Limiter state in this process's memory: what in-process dispatch (`loom run`, `loom mcp`, the
 * pipeline runner) uses.
 *
 * @example const store = new MemoryLimiterStore(); await store.tryCharge("local", 500, 100_000);
 */
export class MemoryLimiterStore implements LimiterStore {
  readonly #slots = new Map<string, number>();
  readonly #buckets = new Map<string, BucketState>();
  readonly #now: () => number;

  constructor(options: MemoryLimiterStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async tryAcquireSlot(key: string, max: number, _lease?: SlotLease): Promise<boolean> {
    const held = this.#slots.get(key) ?? 0;
    if (held >= max) return false;
    this.#slots.set(key, held + 1);
    return true;
  }

  async releaseSlot(key: string, _lease?: SlotLease): Promise<void> {
    const held = this.#slots.get(key) ?? 0;
    if (held <= 1) this.#slots.delete(key);
    else this.#slots.set(key, held - 1);
  }

  async tryCharge(key: string, tokens: number, perMinute: number): Promise<ChargeResult> {
    return charge(this.#bucket(key, perMinute), tokens, perMinute, this.#now());
  }

  async adjust(key: string, delta: number, perMinute: number): Promise<void> {
    adjust(this.#bucket(key, perMinute), delta, perMinute, this.#now());
  }

  /** Slots of `key` held now (for tests and status displays). */
  slotsHeld(key: string): number {
    return this.#slots.get(key) ?? 0;
  }

  #bucket(key: string, perMinute: number): BucketState {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = fullBucket(perMinute, this.#now());
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}
