/**
 * A snapshot of the mesh for `loom mesh status`: live processes from the registry, tasks waiting
 * per worker subject, tasks in flight per consumer, and the dead-letter count.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import { type Mesh, STREAMS } from "../bus/streams.js";
import { type ServedTier, workerConsumerName } from "../bus/subjects.js";
import { type RegistryEntry, readRegistry } from "./registry.js";

export interface WorkerTypeStatus {
  worker_type: string;
  tier: ServedTier;
  instances: number;
  /** Tasks delivered to a worker and not yet acked. */
  in_flight: number;
  /** Tasks waiting in the stream for a worker. */
  queued: number;
  done: number;
  failed: number;
}

export interface MeshStatus {
  server: string;
  routers: RegistryEntry[];
  orchestrators: RegistryEntry[];
  workers: WorkerTypeStatus[];
  incoming_queued: number;
  results_stored: number;
  dead_letters: number;
}

export async function meshStatus(mesh: Mesh, server: string): Promise<MeshStatus> {
  const entries = await readRegistry(mesh.registry);
  const [tasks, incoming, results, deadLetters] = await Promise.all([
    mesh.jsm.streams.info(STREAMS.tasks, { subjects_filter: ">" }),
    mesh.jsm.streams.info(STREAMS.incoming),
    mesh.jsm.streams.info(STREAMS.results),
    mesh.jsm.streams.info(STREAMS.deadLetters),
  ]);
  const queuedBySubject = tasks.state.subjects ?? {};
  const groups = new Map<string, RegistryEntry[]>();
  for (const entry of entries) {
    if (entry.worker_type === undefined) continue;
    const key = `${entry.worker_type}.${entry.tier}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  // Tasks waiting count for the processor serving every tier of their type; tasks that nobody
  // serves show up as a row of their own.
  const queued = new Map<string, number>();
  for (const [subject, count] of Object.entries(queuedBySubject)) {
    const key = subject.replace(/^loom\.tasks\./, "");
    const [workerType] = splitKey(key);
    const target = groups.has(`${workerType}.any`) ? `${workerType}.any` : key;
    if (!groups.has(target)) groups.set(target, []);
    queued.set(target, (queued.get(target) ?? 0) + count);
  }
  const workers = await Promise.all(
    [...groups]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(async ([key, group]) => {
        const [workerType = "", tier = "standard"] = splitKey(key);
        return {
          worker_type: workerType,
          tier: tier as ServedTier,
          instances: group.length,
          in_flight: await inFlight(mesh.jsm, workerType, tier as ServedTier),
          queued: queued.get(key) ?? 0,
          done: sum(group, "done"),
          failed: sum(group, "failed"),
        };
      }),
  );
  return {
    server,
    routers: entries.filter((e) => e.kind === "router"),
    orchestrators: entries.filter((e) => e.kind === "orchestrator"),
    workers,
    incoming_queued: incoming.state.messages,
    results_stored: results.state.messages,
    dead_letters: deadLetters.state.messages,
  };
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf(".");
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function sum(entries: RegistryEntry[], field: "done" | "failed"): number {
  return entries.reduce((total, entry) => total + entry[field], 0);
}

async function inFlight(jsm: JetStreamManager, workerType: string, tier: ServedTier): Promise<number> {
  const info = await jsm.consumers
    .info(STREAMS.tasks, workerConsumerName(workerType, tier))
    .catch(() => undefined);
  return info?.num_ack_pending ?? 0;
}

/** The status as the table `loom mesh status` prints. */
export function formatMeshStatus(status: MeshStatus): string {
  const lines = [`NATS ${status.server}`];
  lines.push(
    status.routers.length === 0
      ? "routers: none running — tasks wait in loom.tasks.incoming until one starts (`loom router`)"
      : `routers: ${status.routers.length} (${status.routers.map((r) => `${r.instance} done=${r.done} failed=${r.failed}`).join(", ")})`,
  );
  if (status.orchestrators.length > 0) {
    lines.push(
      `orchestrators: ${status.orchestrators.map((o) => `${o.pipeline} (${o.instance} running=${o.in_flight} done=${o.done} failed=${o.failed})`).join(", ")}`,
    );
  }
  const header = ["worker type.tier", "instances", "in flight", "queued", "done", "failed"];
  const rows = status.workers.map((w) => [
    `${w.worker_type}.${w.tier}`,
    String(w.instances),
    String(w.in_flight),
    String(w.queued),
    String(w.done),
    String(w.failed),
  ]);
  if (rows.length === 0)
    lines.push("workers: none running (`loom worker --config F`, `loom processor --config F`)");
  else {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    for (const row of [header, ...rows])
      lines.push(
        row
          .map((cell, i) => cell.padEnd(widths[i] as number))
          .join("  ")
          .trimEnd(),
      );
  }
  lines.push(
    `incoming queued: ${status.incoming_queued}   results stored: ${status.results_stored}   dead letters: ${status.dead_letters}`,
  );
  return lines.join("\n");
}
