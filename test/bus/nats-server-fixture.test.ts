/**
 * The real nats-server fixture (test/fixtures/nats-server.ts) that the bus and mesh tests stand on:
 * JetStream works, a SIGKILL really kills, and a restart keeps what JetStream stored.
 */
import { existsSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";

const started: NatsServerHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

async function start(options?: Parameters<typeof startNatsServer>[0]): Promise<NatsServerHandle> {
  const server = await startNatsServer(options);
  started.push(server);
  return server;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("startNatsServer", () => {
  it("starts a private server on a free port, not the shared one on 4222", async () => {
    const [one, two] = await Promise.all([start(), start()]);
    expect(one?.port).not.toBe(4222);
    expect(one?.port).not.toBe(two?.port);
    expect(one?.url).toBe(`nats://127.0.0.1:${one?.port}`);
    expect(isAlive(one?.pid ?? -1)).toBe(true);
  });

  it("JetStream stores a message that survives kill -9 and a restart on the same port", async () => {
    const server = await start();
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "FIXTURE", subjects: ["fixture.>"] });
    const ack = await jetstream(nc).publish("fixture.hello", "stored before the crash");
    const stored = await jsm.streams.getMessage("FIXTURE", { seq: ack.seq });
    expect(stored?.string()).toBe("stored before the crash");
    await nc.close();

    const killedPid = server.pid;
    await server.kill();
    expect(isAlive(killedPid)).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();

    await server.restart();
    expect(server.pid).not.toBe(killedPid);
    const again = await connect({ servers: server.url });
    try {
      const recovered = await (await jetstreamManager(again)).streams.getMessage("FIXTURE", { seq: ack.seq });
      expect(recovered?.subject).toBe("fixture.hello");
      expect(recovered?.string()).toBe("stored before the crash");
    } finally {
      await again.close();
    }
  });

  it("stop() ends the server and removes its store folder", async () => {
    const server = await startNatsServer();
    const { pid, storeDir } = server;
    expect(existsSync(storeDir)).toBe(true);
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(storeDir)).toBe(false);
  });

  it("jetstream: false starts a server without JetStream", async () => {
    const server = await start({ jetstream: false });
    const nc = await connect({ servers: server.url });
    try {
      await expect(jetstreamManager(nc)).rejects.toThrow(/jetstream is not enabled/i);
    } finally {
      await nc.close();
    }
  });

  it("says how to install nats-server when it is missing", async () => {
    await expect(startNatsServer({ command: "/nonexistent/nats-server" })).rejects.toThrow(
      "install it: apt-get install -y nats-server",
    );
  });

  it("reports the server's own error when it cannot start", async () => {
    await expect(start({ args: ["--no-such-flag"] })).rejects.toThrow(
      /exited before it was ready.*no-such-flag/s,
    );
  });
});
