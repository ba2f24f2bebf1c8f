/**
 * NatsDispatcher passes the same Dispatcher contract suite as LocalDispatcher: a real nats-server,
 * a router and one worker per suite worker (in this process, through the same actors `loom router`
 * and `loom worker` run), and the dispatcher as the caller.
 */
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import { ensureMesh } from "../../src/bus/streams.js";
import { silentLogger } from "../../src/mesh/logger.js";
import { NatsDispatcher } from "../../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../../src/mesh/registry.js";
import { startRouterActor } from "../../src/mesh/router-actor.js";
import { startWorkerActor } from "../../src/mesh/worker-actor.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";
import { runDispatcherSuite } from "../worker/dispatcher-contract.js";

let nats: NatsServerHandle | undefined;
const teardowns: Array<() => Promise<void>> = [];

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
  await nats?.stop();
});

runDispatcherSuite({
  name: "NatsDispatcher",
  slowness: 2,
  newDispatcher: async ({ workers, settings }) => {
    if (!nats) throw new Error("nats-server did not start");
    const nc = await connect({ servers: nats.url });
    const mesh = await ensureMesh(nc);
    const before = (await readRegistry(mesh.registry)).length;
    const router = await startRouterActor({ nc, mesh, logger: silentLogger });
    const actors = await Promise.all(
      [...workers.values()].map((worker) =>
        startWorkerActor({ nc, mesh, worker, settings, logger: silentLogger, concurrency: 16 }),
      ),
    );
    while ((await readRegistry(mesh.registry)).length < before + actors.length + 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    teardowns.push(async () => {
      await Promise.all(actors.map((actor) => actor.stop(1000)));
      await router.stop();
      await nc.close();
    });
    return new NatsDispatcher({ nc, mesh, workers });
  },
});
