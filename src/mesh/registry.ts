/**
 * Who is on the mesh: every worker, processor and router process keeps an entry in the
 * `loom_registry` KV bucket fresh with a heartbeat. The router reads it to answer "nobody serves
 * this worker type and tier" at once; `loom mesh status` shows it. An entry not refreshed within
 * the bucket's TTL belongs to a dead process and is ignored.
 */

import { hostname } from "node:os";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { inBackground } from "../bus/background.js";
import { REGISTRY_TTL_MS } from "../bus/streams.js";
import type { ServedTier } from "../bus/subjects.js";
import { encodeJson } from "../bus/wire.js";
import type { Tier } from "../config/types.js";
import { announceService } from "./service.js";

export type ProcessKind = "worker" | "processor" | "router" | "orchestrator";

/** One live process, as its heartbeat describes it. */
export interface RegistryEntry {
  kind: ProcessKind;
  instance: string;
  pid: number;
  host: string;
  started_at: string;
  worker_type?: string;
  /** The tier served; `any` for a processor. */
  tier?: ServedTier;
  /** For orchestrators: the pipeline they run. */
  pipeline?: string;
  /** The worker's `default_model_tier`: where a task without a tier goes. */
  default_tier?: Tier;
  /** The worker's system prompt in estimated tokens (the router's token estimate adds it). */
  prompt_tokens?: number;
  concurrency?: number;
  in_flight: number;
  done: number;
  failed: number;
}

const HEARTBEAT_MS = REGISTRY_TTL_MS / 3;

export function registryKey(
  entry: Pick<RegistryEntry, "kind" | "instance" | "worker_type" | "tier">,
): string {
  return entry.worker_type === undefined
    ? `${entry.kind}.${entry.instance}`
    : `${entry.worker_type}.${entry.tier}.${entry.instance}`;
}

/** The fields every process fills the same way. */
export function processIdentity(kind: ProcessKind, instance: string) {
  return { kind, instance, pid: process.pid, host: hostname(), started_at: new Date().toISOString() };
}

/** A process's registry entry, kept fresh until `withdraw()`. */
export interface Announcement {
  /** Writes the entry again soon (at most every quarter second): counts changed. */
  refresh(): void;
  withdraw(): Promise<void>;
}

const REFRESH_MS = 250;

/**
 * Keeps one entry fresh until `withdraw()` (`describe` is read at every write), and announces the
 * process as a NATS service serving `subject` (`nats micro ls`).
 */
export async function announce(
  nc: NatsConnection,
  registry: KV,
  subject: string,
  describe: () => RegistryEntry,
): Promise<Announcement> {
  const service = await announceService(nc, subject, describe);
  const key = registryKey(describe());
  const beat = () => registry.put(key, encodeJson(describe())).catch(() => undefined);
  void beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  let pending: NodeJS.Timeout | undefined;
  return {
    refresh() {
      pending ??= setTimeout(() => {
        pending = undefined;
        void beat();
      }, REFRESH_MS);
    },
    async withdraw() {
      clearInterval(timer);
      clearTimeout(pending);
      await Promise.all([registry.delete(key).catch(() => undefined), service.stop().catch(() => undefined)]);
    },
  };
}

/** Every live entry of the bucket now (for `loom mesh status`). */
export async function readRegistry(registry: KV): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = [];
  const keys = await registry.keys();
  for await (const key of keys) {
    const entry = await registry.get(key).catch(() => null);
    if (entry?.operation !== "PUT") continue;
    if (Date.now() - entry.created.getTime() > REGISTRY_TTL_MS) continue;
    entries.push(entry.json<RegistryEntry>());
  }
  return entries;
}

/** A live view of the registry, kept current by a KV watch. */
export class RegistryView {
  readonly #entries = new Map<string, { entry: RegistryEntry; seenMs: number }>();
  #stop: (() => void) | undefined;

  static async watch(registry: KV): Promise<RegistryView> {
    const view = new RegistryView();
    const watcher = await registry.watch();
    view.#stop = () => watcher.stop();
    inBackground(
      (async () => {
        for await (const update of watcher) {
          if (update.operation === "PUT") {
            try {
              view.#entries.set(update.key, {
                entry: update.json<RegistryEntry>(),
                seenMs: update.created.getTime(),
              });
            } catch {
              view.#entries.delete(update.key);
            }
          } else view.#entries.delete(update.key);
        }
      })(),
      "watching the mesh registry",
    );
    return view;
  }

  #live(): RegistryEntry[] {
    const oldest = Date.now() - REGISTRY_TTL_MS;
    return [...this.#entries.values()].filter((e) => e.seenMs >= oldest).map((e) => e.entry);
  }

  /** Worker entries of `workerType` (all tiers). */
  servers(workerType: string): RegistryEntry[] {
    return this.#live().filter((e) => e.worker_type === workerType);
  }

  /** The tier a task of `workerType` without a tier goes to: its default tier, else the only tier served. */
  defaultTier(workerType: string): Tier | undefined {
    const servers = this.servers(workerType);
    const declared = servers.find((e) => e.default_tier)?.default_tier;
    if (declared) return declared;
    const tiers = new Set(servers.map((e) => e.tier));
    const only = servers[0]?.tier;
    return tiers.size === 1 && only !== "any" ? only : undefined;
  }

  promptTokens(workerType: string): number {
    return this.servers(workerType)[0]?.prompt_tokens ?? 0;
  }

  /** Orchestrators of `pipeline` alive now. */
  orchestrators(pipeline: string): RegistryEntry[] {
    return this.#live().filter((e) => e.kind === "orchestrator" && e.pipeline === pipeline);
  }

  /** `type.tier` pairs served now, for error messages. */
  served(): string[] {
    return [
      ...new Set(
        this.#live()
          .filter((e) => e.worker_type !== undefined)
          .map((e) => `${e.worker_type}.${e.tier}`),
      ),
    ].sort();
  }

  stop(): void {
    this.#stop?.();
  }
}
