/**
 * Mesh benchmark (issue #13): a task through the mesh (NatsDispatcher → router → processor worker
 * → result) against a bare JetStream round trip with no Loom code (publish to a work-queue stream →
 * pull consumer → ack → publish the reply), on one nats-server of this run, everything in this
 * process. Goals: throughput at 64 in flight ≥ 0.7× the bare round trip; p50 at 1 in flight ≤ 1.5×.
 * Also printed: the ratio to core NATS request/reply over two hops (what durability costs).
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  AckPolicy,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from "@nats-io/jetstream";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { ensureMesh } from "../src/bus/streams.js";
import type { WorkerConfig } from "../src/config/types.js";
import { silentLogger } from "../src/mesh/logger.js";
import { NatsDispatcher } from "../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../src/mesh/registry.js";
import { startRouterActor } from "../src/mesh/router-actor.js";
import { startWorkerActor } from "../src/mesh/worker-actor.js";
import { startNatsServer } from "../test/fixtures/nats-server.js";
import type { BenchOutcome } from "./run.js";

const THROUGHPUT_GOAL = 0.7;
const LATENCY_GOAL = 1.5;
const SEQUENTIAL_CALLS = 300;
const CONCURRENT = 64;
const THROUGHPUT_MS = 3000;

type Call = () => Promise<void>;

const upper: WorkerConfig = {
  name: "bench_upper",
  workerKind: "processor",
  processingBackend: `${fileURLToPath(new URL("../test/fixtures/backends/async-backend.js", import.meta.url))}#UpperBackend`,
  backendConfig: {},
  inputSchema: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
  outputSchema: { type: "object" },
  defaultModelTier: "local",
  timeoutSeconds: 30,
  resetAfterTask: true,
} as unknown as WorkerConfig;

async function p50(call: Call): Promise<number> {
  for (let i = 0; i < 30; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function throughput(call: Call): Promise<number> {
  let done = 0;
  const end = performance.now() + THROUGHPUT_MS;
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / (THROUGHPUT_MS / 1000);
}

/** The bare JetStream round trip: a work-queue stream, one pull consumer that acks and replies. */
async function bareJetStream(nc: NatsConnection): Promise<{ call: Call; stop: () => void }> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: "BENCH_BARE",
    subjects: ["bench.bare"],
    retention: RetentionPolicy.Workqueue,
  });
  await jsm.consumers.add("BENCH_BARE", { durable_name: "bare", ack_policy: AckPolicy.Explicit });
  const js: JetStreamClient = jetstream(nc);
  const consumer = await js.consumers.get("BENCH_BARE", "bare");
  const messages = await consumer.consume({ max_messages: 256 });
  void (async () => {
    for await (const msg of messages) {
      const reply = msg.headers?.get("reply") ?? "";
      nc.publish(reply, msg.data);
      msg.ack();
    }
  })();
  const call: Call = async () => {
    const inbox = createInbox();
    const sub = nc.subscribe(inbox, { max: 1 });
    const { headers } = await import("@nats-io/transport-node");
    const h = headers();
    h.set("reply", inbox);
    await js.publish("bench.bare", JSON.stringify({ text: "hello" }), { headers: h, msgID: randomUUID() });
    for await (const _ of sub) break;
  };
  return { call, stop: () => void messages.stop() };
}

/** Core NATS request/reply over two hops (a → b), no storage. */
function coreTwoHops(nc: NatsConnection): Call {
  nc.subscribe("bench.core.b", {
    callback: (_e, msg) => {
      msg.respond(msg.data);
    },
  });
  nc.subscribe("bench.core.a", {
    callback: (_e, msg) => {
      void nc.request("bench.core.b", msg.data).then((answer) => msg.respond(answer.data));
    },
  });
  return async () => {
    await nc.request("bench.core.a", JSON.stringify({ text: "hello" }));
  };
}

export async function run(): Promise<BenchOutcome> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  try {
    const mesh = await ensureMesh(nc);
    const router = await startRouterActor({ nc, mesh, logger: silentLogger });
    const worker = await startWorkerActor({
      nc,
      mesh,
      worker: upper,
      logger: silentLogger,
      concurrency: CONCURRENT,
    });
    while ((await readRegistry(mesh.registry)).length < 2) await new Promise((r) => setTimeout(r, 20));
    const dispatcher = new NatsDispatcher({ nc, mesh, workers: new Map([[upper.name, upper]]) });
    const loom: Call = async () => {
      const result = await dispatcher.dispatch({
        task_id: randomUUID(),
        worker_type: upper.name,
        payload: { text: "hello" },
      });
      if (result.status !== "completed") throw new Error(`${result.error?.code}: ${result.error?.message}`);
    };
    const bare = await bareJetStream(nc);
    const core = coreTwoHops(nc);

    const latency = { loom: await p50(loom), bare: await p50(bare.call), core: await p50(core) };
    const rate = {
      loom: await throughput(loom),
      bare: await throughput(bare.call),
      core: await throughput(core),
    };
    bare.stop();
    await worker.stop(1000);
    await router.stop();

    const latencyRatio = latency.loom / latency.bare;
    const rateRatio = rate.loom / rate.bare;
    console.log("| path | p50, 1 in flight | tasks/s, 64 in flight |");
    console.log("|---|---|---|");
    console.log(
      `| Loom: dispatcher → router → worker → result | ${latency.loom.toFixed(2)} ms | ${rate.loom.toFixed(0)} |`,
    );
    console.log(`| bare JetStream round trip | ${latency.bare.toFixed(2)} ms | ${rate.bare.toFixed(0)} |`);
    console.log(
      `| core NATS request/reply, two hops | ${latency.core.toFixed(2)} ms | ${rate.core.toFixed(0)} |`,
    );
    console.log(
      `\nLoom / bare JetStream: p50 ${latencyRatio.toFixed(2)}× (goal ≤ ${LATENCY_GOAL}), throughput ${rateRatio.toFixed(2)}× (goal ≥ ${THROUGHPUT_GOAL})`,
    );
    console.log(
      `Loom / core NATS two hops: p50 ${(latency.loom / latency.core).toFixed(2)}×, throughput ${(rate.loom / rate.core).toFixed(2)}× (the price of durability)`,
    );
    return { passed: latencyRatio <= LATENCY_GOAL && rateRatio >= THROUGHPUT_GOAL };
  } finally {
    await nc.close();
    await nats.stop();
  }
}
