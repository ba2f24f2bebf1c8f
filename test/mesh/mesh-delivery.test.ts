/**
 * Delivery on the mesh with the worker's own actor (what `loom processor` runs) and a real
 * nats-server: long tasks keep themselves alive, a task that lost its worker on every delivery is
 * dead-lettered as worker_lost, and a result over the server's max_payload arrives trimmed.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureMesh, ensureWorkerConsumer, type Mesh, STREAMS } from "../../src/bus/streams.js";
import { resultSubject, workerSubject } from "../../src/bus/subjects.js";
import { encodeJson } from "../../src/bus/wire.js";
import { loadWorkerConfig } from "../../src/config/loaders.js";
import { listDeadLetters } from "../../src/mesh/dead-letters.js";
import { silentLogger } from "../../src/mesh/logger.js";
import { NatsDispatcher } from "../../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../../src/mesh/registry.js";
import { storedResult } from "../../src/mesh/results.js";
import { type RouterActor, startRouterActor } from "../../src/mesh/router-actor.js";
import { startWorkerActor, type WorkerActor } from "../../src/mesh/worker-actor.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { meshProject } from "../fixtures/mesh-project.js";
import { type NatsServerHandle, startNatsServer } from "../fixtures/nats-server.js";
import { workerConfig } from "../fixtures/worker-config.js";

let nats: NatsServerHandle;
let llm: FakeLlm;
let nc: NatsConnection;
let mesh: Mesh;
let router: RouterActor;
const actors: WorkerActor[] = [];

beforeAll(async () => {
  [nats, llm] = await Promise.all([startNatsServer(), startFakeLlm()]);
  nc = await connect({ servers: nats.url });
  mesh = await ensureMesh(nc);
  router = await startRouterActor({ nc, mesh, logger: silentLogger });
});

afterEach(async () => {
  await Promise.all(actors.splice(0).map((actor) => actor.stop(100)));
});

afterAll(async () => {
  await router?.stop();
  await nc?.close();
  await Promise.all([nats?.stop(), llm?.close()]);
});

async function waitForWorkers(count: number): Promise<void> {
  while ((await readRegistry(mesh.registry)).filter((e) => e.kind !== "router").length < count) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("delivery", () => {
  it("a task running longer than the ack wait keeps itself alive: one run, one attempt", async () => {
    const project = await meshProject("http://127.0.0.1:9");
    const log = path.join(project.dir, "started.log");
    try {
      const worker = await loadWorkerConfig(project.processor);
      actors.push(
        await startWorkerActor({ nc, mesh, worker, logger: silentLogger, ackWaitMs: 1000, concurrency: 2 }),
      );
      await waitForWorkers(1);
      const dispatcher = new NatsDispatcher({ nc, mesh, workers: new Map([[worker.name, worker]]) });
      const task = {
        task_id: randomUUID(),
        worker_type: worker.name,
        payload: { id: "long", ms: 3500, started_log: log },
      };
      // Three and a half ack waits: without in-progress acks the task would be redelivered and run again.
      const result = await dispatcher.dispatch(task);
      expect(result).toMatchObject({ status: "completed", output: { id: "long" }, attempts: 1 });
      expect((await readFile(log, "utf8")).trim().split("\n")).toHaveLength(1);
    } finally {
      await project.remove();
    }
  }, 20_000);

  it("a task whose worker died on every delivery is dead-lettered as worker_lost and its caller told", async () => {
    const worker = workerConfig({
      name: "fragile",
      workerKind: "processor",
      processingBackend: "unused",
      timeoutSeconds: 5,
    });
    const consumer = await ensureWorkerConsumer(mesh.jsm, worker.name, "local", 500);
    const task = { task_id: randomUUID(), worker_type: worker.name, tier: "local" as const, payload: {} };
    const reply = resultSubject(task.task_id);
    const answer = nc.subscribe(reply, { max: 1 });
    const js = jetstream(nc);
    await js.publish(workerSubject(worker.name, "local"), encodeJson({ ...task, reply_to: reply }), {
      msgID: task.task_id,
    });
    // A worker that takes the task and dies: fetched, never acked.
    const crashed = await (await js.consumers.get(STREAMS.tasks, consumer.name)).next({ expires: 5000 });
    expect(crashed?.info.deliveryCount).toBe(1);
    // The next copy gets delivery 2 after the ack wait: over maxDeliveries.
    actors.push(
      await startWorkerActor({
        nc,
        mesh,
        worker,
        tier: "local",
        logger: silentLogger,
        ackWaitMs: 500,
        maxDeliveries: 1,
      }),
    );
    let received: unknown;
    for await (const msg of answer) received = msg.json();
    expect(received).toMatchObject({ status: "failed", error: { code: "worker_lost" }, attempts: 2 });
    const letter = (await listDeadLetters(mesh.jsm)).find((l) => l.task?.task_id === task.task_id);
    expect(letter).toMatchObject({ code: "worker_lost", worker_type: "fragile" });
  }, 20_000);

  it("a model reply longer than max_payload arrives with its raw_response trimmed and its output whole", async () => {
    const worker = workerConfig({
      name: "verbose",
      systemPrompt: "Say it at length.",
      outputSchema: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } },
      defaultModelTier: "local",
    });
    llm.setResponder(() => ({ text: `{"ok": true}${" ".repeat(1_500_000)}` }));
    actors.push(
      await startWorkerActor({ nc, mesh, worker, logger: silentLogger, settings: fakeLlmSettings(llm) }),
    );
    await waitForWorkers(1);
    const dispatcher = new NatsDispatcher({ nc, mesh, workers: new Map([[worker.name, worker]]) });
    const task = { task_id: randomUUID(), worker_type: worker.name, payload: { text: "go" } };
    const result = await dispatcher.dispatch(task);
    expect(result).toMatchObject({ status: "completed", output: { ok: true } });
    expect(result.raw_response).toMatch(/raw_response trimmed by \d+ characters/);
    expect((await storedResult(mesh.jsm, resultSubject(task.task_id)))?.output).toEqual({ ok: true });
    llm.setResponder(undefined);
  }, 20_000);
});
