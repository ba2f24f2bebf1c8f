/**
 * Gateway replicas on the mesh act as one server: each publishes the workspace changes it sees on
 * `loom.gateway.{name}.events` and tells its own clients of the changes the others saw, so a
 * client listening on replica A hears of a file a tool call through replica B wrote. Tool changes
 * are not relayed: every replica reloads from the config files itself. The same change seen by
 * several replicas (a shared folder they all watch) reaches a client once.
 */
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import type { GatewayEvent, LoomMcpServer } from "./gateway-server.js";

/** A change seen here within this long before the same one arrives from a replica is not repeated. */
const SAME_CHANGE_MS = 1000;

interface ReplicaEvent {
  origin: string;
  event: GatewayEvent;
}

export function replicaSubject(gatewayName: string): string {
  return `loom.gateway.${gatewayName.replace(/[^A-Za-z0-9_-]/g, "_")}.events`;
}

/** Relays workspace changes between this gateway and its replicas until the returned function is called. */
export function shareReplicaEvents(
  server: LoomMcpServer,
  nc: NatsConnection,
  gatewayName: string,
): () => void {
  const origin = randomUUID();
  const subject = replicaSubject(gatewayName);
  const recent = new Map<string, number>();
  const remember = (key: string): void => {
    const now = Date.now();
    if (recent.size > 1000) for (const [k, at] of recent) if (now - at >= SAME_CHANGE_MS) recent.delete(k);
    recent.set(key, now);
  };
  const keyOf = (event: GatewayEvent) =>
    event.type === "resource_updated" ? `${event.type} ${event.uri}` : event.type;
  const stopListening = server.onEvent((event, relayed) => {
    if (relayed || event.type === "tools_changed") return;
    remember(keyOf(event));
    nc.publish(subject, JSON.stringify({ origin, event } satisfies ReplicaEvent));
  });
  const subscription = nc.subscribe(subject, {
    callback: (_error, msg) => {
      let message: ReplicaEvent;
      try {
        message = msg.json<ReplicaEvent>();
      } catch {
        return;
      }
      if (message.origin === origin || message.event?.type === "tools_changed") return;
      const key = keyOf(message.event);
      const seen = recent.get(key);
      if (seen !== undefined && Date.now() - seen < SAME_CHANGE_MS) return;
      remember(key);
      server.relay(message.event);
    },
  });
  return () => {
    stopListening();
    subscription.unsubscribe();
  };
}
