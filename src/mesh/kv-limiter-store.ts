/**
 * Router limiter state in the `loom_limits` KV bucket, shared by every router replica: each
 * change is a compare-and-set on the key's revision, retried on conflict, so two routers side by
 * side never double a limit. Concurrency slots are leases that expire with their task's deadline,
 * so a router that dies holding slots does not block its tier for good.
 */
import type { KV } from "@nats-io/kv";
import { encodeJson } from "../bus/wire.js";
import type { LimiterStore, SlotLease } from "../router/limiter-store.js";
import { adjust, type BucketState, type ChargeResult, charge, fullBucket } from "../router/token-bucket.js";

const MAX_TRIES = 50;

type Leases = Record<string, number>;

export class KvLimiterStore implements LimiterStore {
  readonly #kv: KV;
  readonly #now: () => number;

  constructor(kv: KV, now: () => number = Date.now) {
    this.#kv = kv;
    this.#now = now;
  }

  async tryAcquireSlot(key: string, max: number, lease: SlotLease): Promise<boolean> {
    let taken = false;
    await this.#update<Leases>(`slots.${key}`, {}, (leases) => {
      const live = this.#unexpired(leases);
      taken = Object.keys(live).length < max || Object.hasOwn(live, lease.id);
      if (taken) live[lease.id] = lease.expiresAtMs;
      return live;
    });
    return taken;
  }

  async releaseSlot(key: string, lease: SlotLease): Promise<void> {
    await this.#update<Leases>(`slots.${key}`, {}, (leases) => {
      const live = this.#unexpired(leases);
      delete live[lease.id];
      return live;
    });
  }

  async tryCharge(key: string, tokens: number, perMinute: number): Promise<ChargeResult> {
    let outcome: ChargeResult = { ok: true };
    const now = this.#now();
    await this.#update<BucketState>(`tokens.${key}`, fullBucket(perMinute, now), (state) => {
      outcome = charge(state, tokens, perMinute, now);
      return state;
    });
    return outcome;
  }

  async adjust(key: string, delta: number, perMinute: number): Promise<void> {
    const now = this.#now();
    await this.#update<BucketState>(`tokens.${key}`, fullBucket(perMinute, now), (state) => {
      adjust(state, delta, perMinute, now);
      return state;
    });
  }

  /** Slots of `key` held now (for `loom mesh status` and tests). */
  async slotsHeld(key: string): Promise<number> {
    const entry = await this.#kv.get(`slots.${key}`);
    if (entry?.operation !== "PUT") return 0;
    return Object.keys(this.#unexpired(entry.json<Leases>())).length;
  }

  #unexpired(leases: Leases): Leases {
    const now = this.#now();
    return Object.fromEntries(Object.entries(leases).filter(([, expires]) => expires > now));
  }

  /** Reads the key, applies `change` and writes it back only if nobody wrote in between. */
  async #update<T>(key: string, initial: T, change: (value: T) => T): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#kv.get(key);
      const exists = entry !== null && entry.operation === "PUT";
      const next = encodeJson(change(exists ? entry.json<T>() : structuredClone(initial)));
      try {
        // A deleted key still has a revision to compare against.
        if (entry) await this.#kv.update(key, next, entry.revision);
        else await this.#kv.create(key, next);
        return;
      } catch (error) {
        if (attempt >= MAX_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }
}
