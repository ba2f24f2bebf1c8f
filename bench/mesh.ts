/**
 * Mesh benchmark (issue #13): a task through the mesh (NatsDispatcher → `loom router` process →
 * `loom processor` process → result) against a bare JetStream round trip with no Loom code
 * (publish to a work-queue stream → a pull consumer in its own process → ack → publish the reply),
 * on one nats-server of this run; the callers run in this process. Goals: throughput at 64 in
 * flight ≥ 0.7× the bare round trip; p50 at 1 in flight ≤ 1.5×. Also printed: the ratio to core
 * NATS request/reply over two hops (what durability costs), and the mesh's own shape with no Loom
 * code (three stored messages, two consumers), which tells Loom's code from the design's floor.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, createInbox, headers, type NatsConnection } from "@nats-io/transport-node";
import { ensureMesh } from "../src/bus/streams.js";
import { loadWorkerConfig } from "../src/config/loaders.js";
import { NatsDispatcher } from "../src/mesh/nats-dispatcher.js";
import { readRegistry } from "../src/mesh/registry.js";
import { startNatsServer } from "../test/fixtures/nats-server.js";
import { runGoalBench } from "./_mesh-goals.js";
import { median } from "./_stats.js";
import type { BenchOutcome } from "./run.js";

const THROUGHPUT_GOAL = 0.7;
const LATENCY_GOAL = 1.5;
const SEQUENTIAL_CALLS = 200;
const CONCURRENT = 64;
const THROUGHPUT_MS = 2000;
/** Loom and the baselines take turns, round after round; the ratio is the median of the rounds'. */
const ROUNDS = 3;

type Call = () => Promise<void>;
const PATHS = ["loom", "bare", "chain", "core"] as const;
type Path = (typeof PATHS)[number];

function medians(rows: Array<Record<Path, number>>): Record<Path, number> {
  return Object.fromEntries(PATHS.map((p) => [p, median(rows.map((r) => r[p]))])) as Record<Path, number>;
}

async function p50(call: Call): Promise<number> {
  for (let i = 0; i < 30; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return median(times);
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

/** The bare JetStream round trip: the consumer process of _bare-consumer.mjs acks and replies. */
async function bareJetStream(
  nc: NatsConnection,
  url: string,
): Promise<{ call: Call; stop: () => Promise<void> }> {
  const consumer = spawn(
    process.execPath,
    [fileURLToPath(new URL("./_bare-consumer.mjs", import.meta.url)), url],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await once(consumer.stdout, "data");
  const js: JetStreamClient = jetstream(nc);
  const call: Call = async () => {
    const inbox = createInbox();
    const sub = nc.subscribe(inbox, { max: 1 });
    const h = headers();
    h.set("reply", inbox);
    await js.publish("bench.bare", JSON.stringify({ text: "hello" }), { headers: h, msgID: randomUUID() });
    for await (const _ of sub) break;
  };
  return { call, stop: () => stopProcess(consumer) };
}

/**
 * The mesh's shape with no Loom code (_bare-chain.mjs): stored on an incoming stream, moved by a
 * "router" process to a work stream, answered by a "worker" process through a results stream —
 * three stored messages and two consumers, the floor of what the mesh's durability rules cost.
 */
async function bareChain(
  nc: NatsConnection,
  url: string,
): Promise<{ call: Call; stop: () => Promise<void> }> {
  const script = fileURLToPath(new URL("./_bare-chain.mjs", import.meta.url));
  const start = async (role: string) => {
    const child = spawn(process.execPath, [script, url, role], { stdio: ["ignore", "pipe", "inherit"] });
    await once(child.stdout, "data");
    return child;
  };
  const children = [await start("router"), await start("worker")];
  const js: JetStreamClient = jetstream(nc);
  const call: Call = async () => {
    const id = randomUUID();
    const reply = `bench.chain.results.${id}`;
    const sub = nc.subscribe(reply, { max: 1 });
    const h = headers();
    h.set("reply", reply);
    await js.publish("bench.chain.in", JSON.stringify({ text: "hello" }), { headers: h, msgID: id });
    for await (const _ of sub) break;
  };
  return { call, stop: async () => void (await Promise.all(children.map(stopProcess))) };
}

/** `loom router` and `loom processor --concurrency 64` for the bench worker, as users start them. */
async function meshProcesses(url: string): Promise<{ workerFile: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-bench-mesh-"));
  const workerFile = path.join(dir, "bench_upper.yaml");
  const backend = fileURLToPath(new URL("../test/fixtures/backends/async-backend.js", import.meta.url));
  await writeFile(
    workerFile,
    `name: bench_upper\nworker_kind: processor\nprocessing_backend: "${backend}#UpperBackend"\n` +
      "input_schema: {type: object, required: [text], properties: {text: {type: string}}}\n" +
      "output_schema: {type: object}\ndefault_model_tier: local\ntimeout_seconds: 30\n",
  );
  const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
  const env = { ...process.env, LOOM_LOG_LEVEL: "warn" };
  const children = [
    spawn(process.execPath, [cli, "router", "--nats-url", url], { stdio: "inherit", env }),
    spawn(
      process.execPath,
      [cli, "processor", "--config", workerFile, "--concurrency", String(CONCURRENT), "--nats-url", url],
      {
        stdio: "inherit",
        env,
      },
    ),
  ];
  return {
    workerFile,
    stop: async () => {
      await Promise.all(children.map(stopProcess));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await once(child, "exit");
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
  const processes = await meshProcesses(nats.url);
  try {
    const mesh = await ensureMesh(nc);
    while ((await readRegistry(mesh.registry)).length < 2) await new Promise((r) => setTimeout(r, 20));
    const upper = await loadWorkerConfig(processes.workerFile);
    const dispatcher = new NatsDispatcher({ nc, mesh, workers: new Map([[upper.name, upper]]) });
    const loom: Call = async () => {
      const result = await dispatcher.dispatch({
        task_id: randomUUID(),
        worker_type: upper.name,
        payload: { text: "hello" },
      });
      if (result.status !== "completed") throw new Error(`${result.error?.code}: ${result.error?.message}`);
    };
    const bare = await bareJetStream(nc, nats.url);
    const chain = await bareChain(nc, nats.url);
    const core = coreTwoHops(nc);

    const rounds: Array<{ latency: Record<Path, number>; rate: Record<Path, number> }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const latency = {
        loom: await p50(loom),
        bare: await p50(bare.call),
        chain: await p50(chain.call),
        core: await p50(core),
      };
      const rate = {
        loom: await throughput(loom),
        bare: await throughput(bare.call),
        chain: await throughput(chain.call),
        core: await throughput(core),
      };
      rounds.push({ latency, rate });
    }
    const latency = medians(rounds.map((r) => r.latency));
    const rate = medians(rounds.map((r) => r.rate));
    await Promise.all([bare.stop(), chain.stop()]);

    const latencyRatio = median(rounds.map((r) => r.latency.loom / r.latency.bare));
    const rateRatio = median(rounds.map((r) => r.rate.loom / r.rate.bare));
    console.log("| path | p50, 1 in flight | tasks/s, 64 in flight |");
    console.log("|---|---|---|");
    console.log(
      `| Loom: dispatcher → router → worker → result | ${latency.loom.toFixed(2)} ms | ${rate.loom.toFixed(0)} |`,
    );
    console.log(`| bare JetStream round trip | ${latency.bare.toFixed(2)} ms | ${rate.bare.toFixed(0)} |`);
    console.log(
      `| the mesh's shape, no Loom code: 3 stored, 2 consumers | ${latency.chain.toFixed(2)} ms | ${rate.chain.toFixed(0)} |`,
    );
    console.log(
      `| core NATS request/reply, two hops | ${latency.core.toFixed(2)} ms | ${rate.core.toFixed(0)} |`,
    );
    console.log(`\n(medians of ${ROUNDS} interleaved rounds)`);
    console.log(
      `Loom / bare JetStream: p50 ${latencyRatio.toFixed(2)}× (goal ≤ ${LATENCY_GOAL}), throughput ${rateRatio.toFixed(2)}× (goal ≥ ${THROUGHPUT_GOAL})`,
    );
    console.log(
      `Loom / the mesh's shape without Loom: p50 ${median(rounds.map((r) => r.latency.loom / r.latency.chain)).toFixed(2)}×, throughput ${median(rounds.map((r) => r.rate.loom / r.rate.chain)).toFixed(2)}× (what Loom's own code costs)`,
    );
    console.log(
      `The mesh's shape / bare JetStream: p50 ${median(rounds.map((r) => r.latency.chain / r.latency.bare)).toFixed(2)}×, throughput ${median(rounds.map((r) => r.rate.chain / r.rate.bare)).toFixed(2)}× (the floor the goals are measured against)`,
    );
    console.log(
      `Loom / core NATS two hops: p50 ${(latency.loom / latency.core).toFixed(2)}×, throughput ${(rate.loom / rate.core).toFixed(2)}× (the price of durability)`,
    );
    const goals = await runGoalBench(nc, mesh, nats.url);
    return { passed: latencyRatio <= LATENCY_GOAL && rateRatio >= THROUGHPUT_GOAL && goals.passed };
  } finally {
    await processes.stop();
    await nc.close();
    await nats.stop();
  }
}
