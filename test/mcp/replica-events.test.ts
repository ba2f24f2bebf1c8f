/**
 * Gateway replicas on the mesh act as one server to clients: a workspace change seen by one
 * replica reaches the clients of the others (over a real nats-server), once.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type GatewayEvent, type LoomMcpServer, silentLogger } from "../../src/mcp/index.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";

let nats: NatsServerHandle;
let dir: string;
let config: string;
const servers: LoomMcpServer[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-replicas-"));
  config = path.join(dir, "gateway.yaml");
  await writeFile(
    config,
    `name: "replicated"\nresources:\n  workspace_dir: "${dir}/workspace"\n  create: true\n`,
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function replica(
  watchResources: boolean,
): Promise<{ server: LoomMcpServer; events: Array<[GatewayEvent, boolean]> }> {
  const server = await createServer(config, {
    natsUrl: nats.url,
    watchResources,
    resourceDebounceMs: 50,
    logger: silentLogger,
  });
  servers.push(server);
  const events: Array<[GatewayEvent, boolean]> = [];
  server.onEvent((event, relayed) => events.push([event, relayed]));
  return { server, events };
}

describe("gateway replicas share workspace changes over NATS", () => {
  it("a change only replica A sees reaches replica B's clients; a change both see reaches them once", async () => {
    const a = await replica(true);
    const b = await replica(false); // B does not watch: whatever it hears came from A
    const c = await replica(true); // C watches the same folder too
    await writeFile(path.join(dir, "workspace/report.md"), "# report\n");
    const until = Date.now() + 10_000;
    while (
      !b.events.some(([e, relayed]) => relayed && e.type === "resources_changed") &&
      Date.now() < until
    ) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(a.events.some(([e, relayed]) => !relayed && e.type === "resources_changed")).toBe(true);
    expect(b.events.filter(([e]) => e.type === "resources_changed")).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // C saw the new file itself; A's copy of the same change is not repeated to C's clients.
    expect(c.events.filter(([e]) => e.type === "resources_changed")).toHaveLength(1);
  }, 20_000);
});
