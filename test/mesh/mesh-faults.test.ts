/**
 * The mesh's promises under faults (README "Run on a NATS mesh"), with a real nats-server and real
 * `loom` processes: a worker or router killed with SIGKILL, the server killed and restarted under
 * load, garbage on loom.tasks.incoming. Each test counts results where they are stored, so a task
 * run twice or answered twice fails it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { jetstream } from "@nats-io/jetstream";
import type { Subscription } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAMS } from "../../src/bus/streams.js";
import { INCOMING_SUBJECT, RESULT_SUBJECTS, ROUTER_CONSUMER, resultSubject } from "../../src/bus/subjects.js";
import { listDeadLetters } from "../../src/mesh/dead-letters.js";
import { eventually, type MeshCluster, sleep, startMeshCluster, task } from "../fixtures/mesh-cluster.js";
import type { MeshProcess } from "../fixtures/mesh-project.js";

let cluster: MeshCluster;
let router: MeshProcess;
let processors: MeshProcess[];
let results: Subscription;
/** Result messages seen live on loom.results.>, by subject. */
const seen = new Map<string, number>();

const ACK_WAIT = ["--ack-wait", "2"];

function startProcessor(): MeshProcess {
  return cluster.start([
    "processor",
    "--config",
    cluster.project.processor,
    "--concurrency",
    "4",
    ...ACK_WAIT,
  ]);
}

/** Results for `taskId` kept in the LOOM_RESULTS stream. */
async function storedCount(taskId: string): Promise<number> {
  const subject = resultSubject(taskId);
  const info = await cluster.mesh.jsm.streams.info(STREAMS.results, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

function routerConsumer() {
  return cluster.mesh.jsm.consumers.info(STREAMS.incoming, ROUTER_CONSUMER);
}

/** Rejects when `promise` takes longer than `ms` (a lost task would otherwise hang until the dispatcher's 60 s). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what}: no answer within ${ms} ms`);
    }),
  ]);
}

beforeAll(async () => {
  cluster = await startMeshCluster();
  results = cluster.nc.subscribe(RESULT_SUBJECTS, {
    callback: (_error, msg) => {
      seen.set(msg.subject, (seen.get(msg.subject) ?? 0) + 1);
    },
  });
  router = cluster.start(["router", ...ACK_WAIT]);
  processors = [startProcessor(), startProcessor()];
  await Promise.all([router, ...processors].map((p) => p.waitFor("takes tasks from")));
  await cluster.registered((e) => e.worker_type === "slow_echo", 2);
}, 30_000);

afterAll(async () => {
  results?.unsubscribe();
  await cluster?.close();
});

describe("mesh faults", () => {
  it("dead-letters a message on loom.tasks.incoming that is not a task, and routes the next one", async () => {
    const js = jetstream(cluster.nc);
    await js.publish(INCOMING_SUBJECT, "this is not JSON {");
    await js.publish(INCOMING_SUBJECT, JSON.stringify({ task_id: "no-worker-type", payload: {} }));
    const next = await within(
      cluster.dispatcher.dispatch(task("slow_echo", { id: "after-garbage" })),
      10_000,
      "the task after the garbage",
    );
    expect(next).toMatchObject({ status: "completed", output: { id: "after-garbage" } });

    const letters = await eventually(async () => {
      const found = (await listDeadLetters(cluster.mesh.jsm)).filter((l) => l.code === "invalid_message");
      return found.length >= 2 ? found : undefined;
    }, "two invalid_message dead letters");
    const byRaw = (raw: string) => letters.find((l) => l.raw === raw);
    // Terminated, not redelivered every ack wait and dead-lettered again.
    await eventually(
      async () => ((await routerConsumer()).num_ack_pending === 0 ? true : undefined),
      "the router to ack every incoming message",
      5000,
    );
    const invalid = (await listDeadLetters(cluster.mesh.jsm)).filter((l) => l.code === "invalid_message");
    expect(invalid).toHaveLength(2);
    expect(byRaw("this is not JSON {")?.reason).toMatch(/not JSON/);
    expect(byRaw(JSON.stringify({ task_id: "no-worker-type", payload: {} }))?.reason).toMatch(
      /not a valid TaskMessage: worker_type/,
    );
  });

  it("a worker killed (SIGKILL) mid-task: another copy runs it again, and the caller gets one result", async () => {
    const log = path.join(cluster.project.dir, "started-crash.log");
    const crash = task("slow_echo", { id: "crash", ms: 3000, started_log: log });
    const outcome = cluster.dispatcher.dispatch(crash);
    const startedBy = async () =>
      (await readFile(log, "utf8").catch(() => ""))
        .split("\n")
        .filter((line) => line.endsWith(" crash"))
        .map((line) => Number(line.split(" ")[0]));
    const [firstPid] = await eventually(async () => {
      const pids = await startedBy();
      return pids.length > 0 ? pids : undefined;
    }, "the task to start in a worker");
    const victim = processors.find((p) => p.child.pid === firstPid);
    const survivor = processors.find((p) => p !== victim);
    expect(victim, `pid ${firstPid} is one of the processors`).toBeDefined();
    await victim?.kill();

    const result = await within(outcome, 20_000, "the crashed task");
    expect(result).toMatchObject({
      status: "completed",
      output: { id: "crash", pid: survivor?.child.pid },
      attempts: 2,
    });
    expect(await startedBy()).toEqual([firstPid, survivor?.child.pid]);
    await sleep(500); // room for a stray second answer to show up
    expect(seen.get(resultSubject(crash.task_id))).toBe(1);
    expect(await storedCount(crash.task_id)).toBe(1);

    processors = [survivor as MeshProcess, startProcessor()];
  }, 30_000);

  it("a router killed (SIGKILL) holding tasks it had not acked: the other router routes those and the next", async () => {
    const doomed = router;
    const survivor = cluster.start(["router", ...ACK_WAIT]);
    await survivor.waitFor("takes tasks from");
    // Freeze the survivor until its pull request has expired, then freeze the doomed router with
    // its own pull open: the next tasks are delivered to the doomed router alone, which never acks them.
    survivor.child.kill("SIGSTOP");
    await sleep(2500);
    doomed.child.kill("SIGSTOP");
    const held = Array.from({ length: 5 }, (_, i) => task("slow_echo", { id: `held-${i}` }));
    const heldOutcomes = held.map((t) => cluster.dispatcher.dispatch(t));
    await eventually(
      async () => {
        const info = await cluster.mesh.jsm.consumers.info(STREAMS.incoming, ROUTER_CONSUMER);
        return info.num_ack_pending === held.length ? true : undefined;
      },
      "the doomed router to take the 5 tasks without acking them",
      5000,
    );
    await doomed.kill();
    survivor.child.kill("SIGCONT");
    router = survivor;

    const next = Array.from({ length: 5 }, (_, i) => task("slow_echo", { id: `next-${i}` }));
    const answers = await within(
      Promise.all([...heldOutcomes, ...next.map((t) => cluster.dispatcher.dispatch(t))]),
      15_000,
      "tasks around a router crash",
    );
    expect(answers.map((r) => `${r.status} ${String(r.output?.id)}`)).toEqual(
      [...held, ...next].map((t) => `completed ${String(t.payload.id)}`),
    );
    // The worker answers the caller directly, so a result can arrive before the router's ack of
    // the incoming message (sent once the forward is stored) reaches the server.
    await eventually(
      async () => ((await routerConsumer()).num_ack_pending === 0 ? true : undefined),
      "the surviving router to ack every task it routed",
      10_000,
    );
  }, 30_000);

  it("nats-server killed and restarted under load: no task is lost, every caller gets its own result once", async () => {
    await cluster.registered((e) => e.worker_type === "slow_echo", 2);
    // A second caller that comes back long after the workers: its results are stored while it is away.
    const late = await cluster.caller({ reconnectTimeWaitMs: 8000 });
    const load = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        task("slow_echo", { id: `${prefix}-${i}`, ms: 500 + ((i * 337) % 1000) }),
      );
    // The late caller's tasks go first and end during the outage: their results are stored while it is away.
    const lateTasks = load("late-caller", 6).map((t) => ({
      ...t,
      payload: { ...t.payload, ms: 1500 } as Record<string, unknown>,
    }));
    const sent = [...lateTasks, ...load("early", 24)];
    const outcomes = sent.map((t, i) =>
      (i < lateTasks.length ? late.dispatcher : cluster.dispatcher).dispatch(t),
    );
    await sleep(1000);
    await cluster.nats.kill();
    const duringOutage = load("outage", 5);
    sent.push(...duringOutage);
    outcomes.push(...duringOutage.map((t) => cluster.dispatcher.dispatch(t)));
    await sleep(1000);
    await cluster.nats.restart();

    const answers = await within(Promise.all(outcomes), 40_000, "35 tasks across a server restart");
    expect(answers.map((r) => `${r.status} ${String(r.output?.id ?? r.error?.message)}`)).toEqual(
      sent.map((t) => `completed ${String(t.payload.id)}`),
    );
    // A task whose worker seemed silent during the outage may run twice; its result is stored once.
    await sleep(500);
    for (const t of sent) expect(await storedCount(t.task_id), `results stored for ${t.payload.id}`).toBe(1);
    await late.close();
  }, 50_000);
});
