/**
 * Every mesh process announces itself with the NATS services API, so `nats micro ls` lists it and
 * `nats micro info` / `stats` show what it serves and how many tasks it has run. The endpoint
 * `loom.status.{instance}` answers with the process's registry entry.
 */
import { readFileSync } from "node:fs";
import { type Service, Svcm } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeJson } from "../bus/wire.js";
import type { RegistryEntry } from "./registry.js";

function loomVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
    ).version;
  } catch {
    return "0.0.0";
  }
}

/** Adds the process as a NATS service; stop it with `service.stop()` when the process drains. */
export async function announceService(
  nc: NatsConnection,
  subject: string,
  describe: () => RegistryEntry,
): Promise<Service> {
  const entry = describe();
  // The services package is built against an older nats-core; the connection's shape is the same.
  const service = await new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: `loom-${entry.kind}`,
    version: loomVersion(),
    description:
      entry.kind === "router"
        ? "Loom router: loom.tasks.incoming → loom.tasks.{worker_type}.{tier}"
        : `Loom ${entry.kind} '${entry.worker_type ?? entry.pipeline}' on ${subject}`,
    metadata: {
      instance: entry.instance,
      subject,
      ...(entry.worker_type ? { worker_type: entry.worker_type } : {}),
      ...(entry.pipeline ? { pipeline: entry.pipeline } : {}),
      ...(entry.tier ? { tier: entry.tier } : {}),
    },
    statsHandler: async () => describe(),
  });
  service.addEndpoint("status", {
    subject: `loom.status.${entry.instance}`,
    handler: (_error, msg) => {
      msg.respond(encodeJson(describe()));
    },
  });
  return service;
}
